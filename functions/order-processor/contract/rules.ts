/**
 * Row rules of the CSV contract (docs/csv-format.md "Columns"): one data row in, an enriched
 * Order or a RowError out. Pure: the only state is the caller's map of order_ids already seen in
 * the file. Look-alikes are refused, not folded: digits are ASCII only (`\d` in a JS regex is
 * [0-9]), currency codes are checked as ASCII letters before upper-casing (`uſd`.toUpperCase() is
 * "USD"), a price never carries a sign (not even -0), and a value made only of invisible
 * characters is empty.
 */
import { DEFAULT_CURRENCY, ISO_4217_CODES } from './currencies.ts';
import { quote, type CanonicalColumn } from './headers.ts';
import { hasIsoDateShape, isCanonicalIso, parseIsoDate } from './iso-date.ts';
import type { OrderIdLines } from './order-id-set.ts';
import type { ContractContext, Order, RowError } from './types.ts';

export { parseIsoDate } from './iso-date.ts';

/** Trimmed cells of one row by canonical column; a column absent from the header is undefined. */
export type RowCells = Partial<Record<CanonicalColumn, string>>;

/**
 * order_id → the line it was first seen on, for the duplicate rule. One per file: an OrderIdSet
 * (order-id-set.ts) in the processor; any Map of the same shape works too.
 */
export type SeenOrderIds = OrderIdLines;

export const LIMITS = {
  orderIdMaxLength: 64,
  textMaxLength: 256,
  emailMaxLength: 254,
  quantityMax: 1_000_000,
  unitPriceMax: 1_000_000,
  unitPriceDecimals: 2,
  /** How far order_date may lie after ctx.now. */
  futureToleranceMs: 24 * 60 * 60 * 1000,
  /** The earliest order_date accepted: the Unix epoch (no order system predates it). */
  earliestOrderDate: '1970-01-01T00:00:00.000Z',
} as const;

/** The "expected …" half of every reason, one per column so the docs can list them. */
export const EXPECTED = {
  order_id: 'expected 1 to 64 characters of A-Z, a-z, 0-9, ".", "_", ":" or "-"',
  quantity: 'expected a whole number from 1 to 1,000,000',
  unit_price: 'expected a decimal number from 0 to 1,000,000 with at most 2 decimals, e.g. 19.99',
  customer_email: 'expected an address like name@example.com',
  currency: 'expected a three-letter ISO 4217 code such as USD, EUR or GBP',
  order_date: 'expected an ISO 8601 date like 2024-03-05 or date-time like 2024-03-05T14:30:00Z',
} as const;

interface Problem {
  column: CanonicalColumn;
  reason: string;
}

const ORDER_ID_CHARS = /^[A-Za-z0-9._:-]+$/;

/** Whether a value would pass the order_id rule's shape (used to name the order of a row broken before the rules ran). */
export function looksLikeOrderId(value: string | undefined): value is string {
  return value !== undefined && value.length > 0 && value.length <= LIMITS.orderIdMaxLength && ORDER_ID_CHARS.test(value);
}

/**
 * Characters that show nothing: whitespace, controls, format characters (category Cf: U+200B
 * zero-width space, U+200D, U+2060, U+FEFF…), other default-ignorable code points (U+3164 Hangul
 * filler, variation selectors…) and U+2800 (blank Braille pattern).
 */
const INVISIBLE = /[\p{White_Space}\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\u2800]/u;
const VISIBLE = /[^\p{White_Space}\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\u2800\p{Mn}\p{Me}]/u;

/** A value is empty when it has no visible character (a combining mark alone has nothing to sit on). */
export function hasVisibleCharacter(value: string | undefined): boolean {
  if (value === undefined) return false;
  // Fast path (the rule runs up to eight times per row): printable ASCII is always visible.
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code > 0x20 && code < 0x7f) return true;
  }
  return VISIBLE.test(value);
}

/** Whether every character is printable ASCII (then none is invisible): a cheap test before INVISIBLE's. */
const ONLY_PRINTABLE_ASCII = /^[\x21-\x7e]*$/;

/** Length in characters (code points), cheap when UTF-16 length is already within `limit`. */
function exceeds(value: string, limit: number): number | null {
  if (value.length <= limit) return null;
  const length = [...value].length;
  return length > limit ? length : null;
}

function checkOrderId(value: string | undefined): Problem | null {
  const column = 'order_id';
  if (!value) return { column, reason: `order_id is empty; ${EXPECTED.order_id}` };
  const length = exceeds(value, LIMITS.orderIdMaxLength) ?? 0;
  if (length > LIMITS.orderIdMaxLength) {
    return { column, reason: `order_id ${quote(value)} is ${length} characters long; expected at most ${LIMITS.orderIdMaxLength}` };
  }
  if (!ORDER_ID_CHARS.test(value)) {
    const bad = [...new Set([...value].filter((ch) => !ORDER_ID_CHARS.test(ch)))].map(quote).join(', ');
    return { column, reason: `order_id ${quote(value)} contains ${bad}; ${EXPECTED.order_id}` };
  }
  return null;
}

/** "At least one of" a pair of text columns, each ≤ 256 characters. */
function checkEitherText(
  cells: RowCells,
  pair: readonly [CanonicalColumn, CanonicalColumn],
  problems: Problem[],
): void {
  if (!hasVisibleCharacter(cells[pair[0]]) && !hasVisibleCharacter(cells[pair[1]])) {
    const present = pair.filter((column) => cells[column] !== undefined);
    const [only] = present;
    const absent = pair.find((column) => column !== only) ?? pair[1];
    problems.push({
      column: present[0] ?? pair[0],
      reason:
        present.length === 1
          ? `${only} is empty; expected a value (the file has no ${absent} column)`
          : `${pair[0]} and ${pair[1]} are both empty; expected at least one of them`,
    });
  }
  for (const column of pair) {
    const value = cells[column] ?? '';
    const length = exceeds(value, LIMITS.textMaxLength);
    if (length !== null) {
      problems.push({ column, reason: `${column} is ${length} characters long; expected at most ${LIMITS.textMaxLength}` });
    }
    const control = CONTROL.exec(value);
    if (control) {
      const code = `U+${(control[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
      problems.push({ column, reason: `${column} ${quote(value)} contains the control character ${code}; expected printable text (tabs and line breaks are allowed)` });
    }
  }
}

/**
 * Control characters other than tab and line breaks (which spreadsheet exports put in names):
 * an escape sequence, a bell or a DEL in a name is never data, and would act on the terminal of
 * whoever prints the cleaned CSV.
 */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

const EMAIL = /^[^\s@",;<>()[\]]+@[^\s@",;<>()[\]]+\.[^\s@",;<>()[\]]+$/;

function checkEmail(value: string | undefined): Problem | string | undefined {
  if (!value) return undefined;
  const invisible = !ONLY_PRINTABLE_ASCII.test(value) && INVISIBLE.test(value);
  if (value.length > LIMITS.emailMaxLength || !EMAIL.test(value) || value.includes('..') || invisible) {
    return {
      column: 'customer_email',
      reason: `customer_email ${quote(value)} is not a plausible e-mail address; ${EXPECTED.customer_email}`,
    };
  }
  return value.toLowerCase();
}

function checkQuantity(value: string | undefined): Problem | number {
  const column = 'quantity';
  if (!value) return { column, reason: `quantity is empty; ${EXPECTED.quantity}` };
  if (!/^\d+$/.test(value)) {
    return { column, reason: `quantity ${quote(value)} is not a whole number; ${EXPECTED.quantity}` };
  }
  const quantity = Number(value);
  if (quantity < 1 || quantity > LIMITS.quantityMax) {
    return { column, reason: `quantity ${quote(value)} is out of range; ${EXPECTED.quantity}` };
  }
  return quantity;
}

/** Returns the price in minor units (cents) so totals are exact integers. */
function checkUnitPrice(value: string | undefined): Problem | number {
  const column = 'unit_price';
  if (!value) return { column, reason: `unit_price is empty; ${EXPECTED.unit_price}` };
  const match = /^([+-]?)(\d+)(?:\.(\d+))?$/.exec(value);
  if (!match) {
    return { column, reason: `unit_price ${quote(value)} is not a plain decimal number; ${EXPECTED.unit_price}` };
  }
  const [, sign = '', whole = '', fraction = ''] = match;
  if (sign === '-' && /[1-9]/.test(whole + fraction)) {
    return { column, reason: `unit_price ${quote(value)} is negative; ${EXPECTED.unit_price}` };
  }
  if (sign !== '') {
    // A price is written without a sign: "+5", "-0" and "-0.00" are refused like "-1".
    return { column, reason: `unit_price ${quote(value)} is not a plain decimal number; ${EXPECTED.unit_price}` };
  }
  if (fraction.length > LIMITS.unitPriceDecimals) {
    return { column, reason: `unit_price ${quote(value)} has more than 2 decimals; ${EXPECTED.unit_price}` };
  }
  const cents = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  if (cents > LIMITS.unitPriceMax * 100) {
    return { column, reason: `unit_price ${quote(value)} is more than 1,000,000; ${EXPECTED.unit_price}` };
  }
  return cents;
}

function checkCurrency(value: string | undefined): Problem | string {
  if (!value) return DEFAULT_CURRENCY;
  // ASCII letters first: toUpperCase folds look-alikes ("uſd" → "USD", "ınr" → "INR").
  const code = /^[A-Za-z]{3}$/.test(value) ? value.toUpperCase() : '';
  if (!ISO_4217_CODES.has(code)) {
    return { column: 'currency', reason: `currency ${quote(value)} is not an ISO 4217 currency code; ${EXPECTED.currency}` };
  }
  return code;
}

function checkOrderDate(value: string | undefined, now: Date): Problem | string | undefined {
  if (!value) return undefined;
  const column = 'order_date';
  const time = parseIsoDate(value);
  if (time === null) {
    const problem = hasIsoDateShape(value) ? 'is not a real calendar date or time' : 'is not an ISO 8601 date or date-time';
    return { column, reason: `order_date ${quote(value)} ${problem}; ${EXPECTED.order_date}` };
  }
  if (time < EARLIEST_ORDER_MS) {
    return { column, reason: `order_date ${quote(value)} is too far in the past; expected no earlier than ${LIMITS.earliestOrderDate}` };
  }
  const latest = now.getTime() + LIMITS.futureToleranceMs;
  if (time > latest) {
    return {
      column,
      reason: `order_date ${quote(value)} is in the future; expected no later than ${new Date(latest).toISOString()} (1 day after processing)`,
    };
  }
  // Already in the form toISOString writes (2024-03-05T14:30:00.000Z: that layout, it parsed, so
  // its digits are digits, and a year from 1970 on, as checked above): it is its own canonical
  // form, so no Date is built to write it again.
  return isCanonicalIso(value) ? value : new Date(time).toISOString();
}

const EARLIEST_ORDER_MS = Date.parse(LIMITS.earliestOrderDate);

function isProblem(value: unknown): value is Problem {
  return typeof value === 'object' && value !== null && 'reason' in value;
}

/**
 * Validates and enriches one data row. Every failing rule is named (joined by " | "); `column` is
 * the first failing column in contract order. A well-formed order_id is remembered in `seen` even
 * when the row fails, so a later row with the same id is reported as its duplicate.
 */
export function validateRow(cells: RowCells, line: number, ctx: ContractContext, seen: SeenOrderIds): Order | RowError {
  const problems: Problem[] = [];
  const orderId = cells.order_id ?? '';
  const idProblem = checkOrderId(orderId);
  if (idProblem) {
    problems.push(idProblem);
  } else {
    const firstLine = seen.get(orderId);
    if (firstLine !== undefined) {
      problems.push({
        column: 'order_id',
        reason: `duplicate order_id ${quote(orderId)}: first seen on line ${firstLine}; expected each order_id once per file`,
      });
    } else {
      // The processor's OrderIdSet copies the id's bytes: no slice of the record text stays alive.
      seen.set(orderId, line);
    }
  }
  checkEitherText(cells, ['customer_id', 'customer_name'], problems);
  const email = checkEmail(cells.customer_email);
  if (isProblem(email)) problems.push(email);
  checkEitherText(cells, ['product_sku', 'product_name'], problems);
  const quantity = checkQuantity(cells.quantity);
  if (isProblem(quantity)) problems.push(quantity);
  const cents = checkUnitPrice(cells.unit_price);
  if (isProblem(cents)) problems.push(cents);
  const currency = checkCurrency(cells.currency);
  if (isProblem(currency)) problems.push(currency);
  const orderDate = checkOrderDate(cells.order_date, ctx.now);
  if (isProblem(orderDate)) problems.push(orderDate);

  if (problems.length > 0 || isProblem(quantity) || isProblem(cents) || isProblem(currency)) {
    return {
      line,
      order_id: orderId === '' ? null : orderId,
      column: problems[0]?.column ?? null,
      reason: problems.map((p) => p.reason).join(' | '),
    };
  }

  const order: Order = { order_id: orderId } as Order;
  // A name with nothing visible is empty: not stored.
  if (hasVisibleCharacter(cells.customer_id)) order.customer_id = cells.customer_id;
  if (hasVisibleCharacter(cells.customer_name)) order.customer_name = cells.customer_name;
  if (typeof email === 'string') order.customer_email = email;
  if (hasVisibleCharacter(cells.product_sku)) order.product_sku = cells.product_sku;
  if (hasVisibleCharacter(cells.product_name)) order.product_name = cells.product_name;
  order.quantity = quantity;
  order.unit_price = cents / 100;
  order.currency = currency;
  if (typeof orderDate === 'string') order.order_date = orderDate;
  // Integer minor units: 3 × 1999 = 5997 → 59.97, never 59.970000000000006.
  order.total_amount = (quantity * cents) / 100;
  order.source_key = ctx.sourceKey;
  order.source_line = line;
  order.ingestion_id = ctx.ingestionId;
  order.processed_at = ctx.processedAt;
  return order;
}

/** Narrowing helper for callers of validateRow. */
export function isRowError(result: Order | RowError): result is RowError {
  return 'reason' in result;
}
