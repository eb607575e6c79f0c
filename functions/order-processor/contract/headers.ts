/**
 * Header row of the CSV contract (docs/csv-format.md "Header names and aliases"): normalisation,
 * aliases, required columns.
 * Pure functions; the reader turns a thrown FileRejectedError into a whole-file rejection.
 */
import { quoted } from '../reports/inert.ts';
import { FileRejectedError, type HeaderInfo } from './types.ts';

/** The input columns of the contract, in the order the docs and reports list them. */
export const CANONICAL_COLUMNS = [
  'order_id',
  'customer_id',
  'customer_name',
  'customer_email',
  'product_sku',
  'product_name',
  'quantity',
  'unit_price',
  'currency',
  'order_date',
] as const;

export type CanonicalColumn = (typeof CANONICAL_COLUMNS)[number];

/**
 * Accepted spellings per column, already normalised (see `normalizeHeaderName`): the canonical
 * name itself always matches. Kept deliberately unambiguous: `name`, `amount`, `total`, `id` of a
 * customer… are not guessed.
 */
export const HEADER_ALIASES: Readonly<Record<CanonicalColumn, readonly string[]>> = {
  order_id: ['orderid', 'order', 'order_no', 'order_number', 'order_num', 'order_ref', 'order_reference', 'id'],
  customer_id: ['customerid', 'cust_id', 'customer_no', 'customer_number', 'client_id'],
  customer_name: ['customername', 'customer', 'cust_name', 'client', 'client_name', 'buyer', 'buyer_name'],
  customer_email: ['customeremail', 'email', 'e_mail', 'email_address', 'customer_e_mail', 'buyer_email'],
  product_sku: ['productsku', 'sku', 'item_sku', 'product_code', 'item_code', 'product_id', 'item_id'],
  product_name: ['productname', 'product', 'item', 'item_name', 'product_title'],
  quantity: ['qty', 'quantity_ordered', 'qty_ordered', 'order_quantity', 'units'],
  unit_price: ['unitprice', 'price', 'unit_cost', 'price_per_unit', 'item_price', 'price_each'],
  currency: ['currency_code', 'ccy', 'curr'],
  order_date: ['orderdate', 'date', 'ordered_at', 'order_datetime', 'order_time', 'order_timestamp', 'purchase_date', 'created_at'],
};

const ALIAS_TO_CANONICAL: ReadonlyMap<string, CanonicalColumn> = new Map(
  CANONICAL_COLUMNS.flatMap((column) =>
    [column, ...HEADER_ALIASES[column]].map((alias) => [alias, column] as [string, CanonicalColumn]),
  ),
);

/**
 * "Order ID", "orderId", "ORDER-ID", " order_id " → "order_id": trim, drop a BOM, split camelCase,
 * fold every run of other characters (spaces, dashes, dots…) into one underscore, lower-case.
 * Folding comes before lower-casing so that only ASCII letters can match: "SKU" spelt with the
 * Kelvin sign (U+212A), which lower-cases to "k", names no column.
 */
export function normalizeHeaderName(raw: string): string {
  return raw
    .replace(/^\uFEFF/, '')
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toLowerCase()
    .replace(/^_+|_+$/g, '');
}

const squash = (name: string): string => name.replace(/_/g, '');

/** The same names without underscores: all-caps exports run words together (ORDERNUMBER, EMAILADDRESS). */
const SQUASHED_TO_CANONICAL: ReadonlyMap<string, CanonicalColumn> = new Map(
  [...ALIAS_TO_CANONICAL].map(([alias, column]) => [squash(alias), column] as [string, CanonicalColumn]),
);

/** The canonical column a header cell names, or null when it names none. */
export function canonicalColumn(raw: string): CanonicalColumn | null {
  const name = normalizeHeaderName(raw);
  return ALIAS_TO_CANONICAL.get(name) ?? SQUASHED_TO_CANONICAL.get(squash(name)) ?? null;
}

/** Required columns; a tuple means "at least one of". */
const REQUIRED: readonly (CanonicalColumn | readonly [CanonicalColumn, CanonicalColumn])[] = [
  'order_id',
  ['customer_id', 'customer_name'],
  ['product_sku', 'product_name'],
  'quantity',
  'unit_price',
];

/** The whole-file verdicts given at the end of a file (for a file read in parts: across its parts). */
export const EMPTY_FILE_REASON = 'the file is empty; expected a header row followed by at least one data row';

export function noDataRowsReason(headerLine: number): string {
  return `the file has a header row (line ${headerLine}) but no data rows; expected at least one order`;
}

/**
 * Maps the header row to canonical columns. Throws FileRejectedError (line = the header's line,
 * offset = where it starts) when a required column is missing or two cells name the same column.
 */
export function mapHeader(cells: readonly string[], line = 1, offset?: number): HeaderInfo {
  const raw = cells.map((cell) => cell.replace(/^\uFEFF/, '').trim());
  const canonical: (CanonicalColumn | null)[] = raw.map(canonicalColumn);
  const unknownColumns = raw.filter((cell, i) => canonical[i] === null && cell !== '');

  const firstAt = new Map<CanonicalColumn, number>();
  canonical.forEach((column, i) => {
    if (column === null) return;
    const first = firstAt.get(column);
    if (first === undefined) {
      firstAt.set(column, i);
      return;
    }
    throw new FileRejectedError(
      `header columns ${quote(raw[first] ?? '')} (column ${first + 1}) and ${quote(raw[i] ?? '')} (column ${i + 1}) ` +
        `both mean ${column}; expected each column at most once`,
      line,
      offset,
    );
  });

  const missing = REQUIRED.filter((req) =>
    typeof req === 'string' ? !firstAt.has(req) : !req.some((column) => firstAt.has(column)),
  ).map((req) => (typeof req === 'string' ? req : req.join(' or ')));
  if (missing.length > 0) {
    const more = raw.length - MAX_LISTED_COLUMNS;
    const found = raw.slice(0, MAX_LISTED_COLUMNS).map(quote).join(', ') + (more > 0 ? ` and ${more} more` : '');
    // A one-cell header with ; or tab in it is a CSV written with another separator (European Excel).
    const separator = raw.length === 1 ? /[;\t|]/.exec(raw[0] ?? '')?.[0] : undefined;
    const hint = separator
      ? `; the header has no commas but contains ${quote(separator)}: expected comma-separated values`
      : '';
    throw new FileRejectedError(
      `missing required column${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}; found columns: ${found}${hint}`,
      line,
      offset,
    );
  }
  return { raw, canonical, unknownColumns };
}

/** Values longer than this (in characters) are shown clipped inside reasons. */
export const MAX_QUOTED_CHARS = 100;


/**
 * A value as shown inside a reason: JSON-style double quotes, so spaces and empties are visible,
 * and invisible characters escaped by the one escaper (reports/inert.ts: a zero-width space
 * shows as \u200b). A very long value is clipped (its length said) so that a reason stays
 * readable and small enough for the ledger item, the alert and the log line, whatever a cell holds.
 */
export function quote(value: string): string {
  if (value.length <= MAX_QUOTED_CHARS) return quoted(value);
  const chars = [...value];
  if (chars.length <= MAX_QUOTED_CHARS) return quoted(value);
  return `${quoted(`${chars.slice(0, MAX_QUOTED_CHARS / 2).join('')}…`)} (${chars.length} characters)`;
}

/** How many header cells a "found columns" list names before summarising the rest. */
const MAX_LISTED_COLUMNS = 30;
