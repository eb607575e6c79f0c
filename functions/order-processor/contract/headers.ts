/**
 * Header row of the CSV contract (docs/csv-format.md "Header names and aliases"): normalisation,
 * and the schema's columns, aliases and requirements (schema/compile.ts) applied to a header.
 * Pure functions; the reader turns a thrown FileRejectedError into a whole-file rejection.
 */
import { quoted } from '../reports/inert.ts';
import type { CompiledSchema } from './schema/compile.ts';
import { FileRejectedError, type HeaderInfo } from './types.ts';

/** What reading a header needs of a schema. */
export type HeaderSchema = Pick<CompiledSchema, 'columnFor' | 'requirements' | 'unknownColumns' | 'identity'>;

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

/** The whole-file verdicts given at the end of a file (for a file read in parts: across its parts). */
export const EMPTY_FILE_REASON = 'the file is empty; expected a header row followed by at least one data row';

export function noDataRowsReason(headerLine: number): string {
  return `the file has a header row (line ${headerLine}) but no data rows; expected at least one order`;
}

/**
 * Maps the header row to the schema's columns. Throws FileRejectedError (line = the header's line,
 * offset = where it starts) when a required column is missing, two cells name the same column,
 * or the schema rejects unknown columns and the header has one.
 */
export function mapHeader(cells: readonly string[], schema: HeaderSchema, line = 1, offset?: number): HeaderInfo {
  const raw = cells.map((cell) => cell.replace(/^\uFEFF/, '').trim());
  const canonical: (string | null)[] = raw.map((cell) => schema.columnFor(cell));
  const unknownColumns = raw.filter((cell, i) => canonical[i] === null && cell !== '');

  const firstAt = new Map<string, number>();
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

  const missing = schema.requirements
    .filter((req) => (typeof req === 'string' ? !firstAt.has(req) : !req.some((column) => firstAt.has(column))))
    .map((req) => (typeof req === 'string' ? req : req.join(' or ')));
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
  if (schema.unknownColumns === 'reject' && unknownColumns.length > 0) {
    const i = canonical.findIndex((column, k) => column === null && raw[k] !== '');
    throw new FileRejectedError(
      `header column ${quote(raw[i] ?? '')} (column ${i + 1}) is not a column of the schema ${quote(schema.identity.name)} version ${schema.identity.version}, ` +
        'which rejects unknown columns; expected only its columns and their aliases (docs/csv-format.md "Unknown columns")',
      line,
      offset,
    );
  }
  return { raw, canonical, unknownColumns };
}

/** Values longer than this (in characters) are shown clipped inside reasons. */
export const MAX_QUOTED_CHARS = 100;


/** A count or limit as shown inside a reason: 1,048,576 (the same in every reason, alert and report). */
export const countText = (n: number): string => n.toLocaleString('en-US');

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
