/**
 * The two CSVs the processor writes (docs/csv-format.md): the cleaned file (canonical + derived
 * columns, valid rows only) and the `…errors.csv` report (`line,order_id,column,reason`).
 */
import { BUILT_IN_SCHEMA } from '../contract/schema/built-in.ts';
import type { CompiledSchema } from '../contract/schema/compile.ts';
import type { Order, RowError } from '../contract/types.ts';

/**
 * Column order of a cleaned CSV: the schema's columns (docs/csv-format.md), then the derived
 * ones and the record's own (the schema's `storedColumns`).
 */
export function cleanedColumnsFor(schema: Pick<CompiledSchema, 'storedColumns'> | undefined): readonly string[] {
  return (schema ?? BUILT_IN_SCHEMA).storedColumns;
}

/** The cleaned CSV's columns under the built-in schema (order-schema.json). */
export const CLEANED_COLUMNS = cleanedColumnsFor(BUILT_IN_SCHEMA);

export const ERROR_REPORT_COLUMNS = ['line', 'order_id', 'column', 'reason'] as const;

/** RFC 4180 quoting: quote when the cell holds a comma, quote, CR or LF (or leading/trailing space). */
export function quoteCsvCell(value: string): string {
  return SPECIAL.test(value) || edgeSpace(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

const SPECIAL = /[",\r\n]/;

/** Leading or trailing whitespace (\s); a printable ASCII character at each end rules it out without a regex. */
function edgeSpace(value: string): boolean {
  if (value.length === 0) return false;
  const first = value.charCodeAt(0);
  const last = value.charCodeAt(value.length - 1);
  if (first > 0x20 && first < 0x7f && last > 0x20 && last < 0x7f) return false;
  return /^\s|\s$/.test(value);
}

/**
 * Spreadsheet formula-injection guard (OWASP "CSV Injection"): a cell starting with
 * = + - @ TAB CR or LF, also behind leading whitespace (some spreadsheets skip it), is prefixed
 * with an apostrophe so spreadsheets show it as text.
 */
export function neutralizeFormula(value: string): string {
  // Most cells start with a letter or digit: then nothing can precede a formula sign.
  if (value.length === 0 || isAlphanumeric(value.charCodeAt(0))) return value;
  return /^\s*[=+\-@]|^[\t\r\n]/.test(value) ? `'${value}` : value;
}

const isAlphanumeric = (code: number): boolean =>
  (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);

const toCell = (value: unknown): string => (value === undefined || value === null ? '' : String(value));

export function csvLine(cells: readonly string[]): string {
  return `${cells.map(quoteCsvCell).join(',')}\r\n`;
}

export const cleanedHeaderLine = (columns: readonly string[] = CLEANED_COLUMNS): string => csvLine(columns);

/**
 * One cleaned-CSV line. People open these files in spreadsheets too, so text cells are
 * neutralised like the report's; number cells are never touched.
 * DynamoDB keeps the exact values.
 */
export function cleanedRowLine(order: Order, columns: readonly string[] = CLEANED_COLUMNS): string {
  // One string built cell by cell (no array per row: this runs once per valid row).
  let line = '';
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i] as string;
    const value = order[column];
    if (i > 0) line += ',';
    // Only free text can smuggle a formula; numbers (and the ISO dates) stay as they are. The
    // order_id stays exact too: the table key must read back the same from the cleaned CSV, and
    // its characters (A-Z a-z 0-9 . _ : -) cannot form a function call, a DDE command or a link:
    // a leading "-" shows at worst as a negative number or a cell reference. A number's text
    // never needs quotes.
    if (typeof value === 'string') line += quoteCsvCell(column === 'order_id' ? value : neutralizeFormula(value));
    else if (value !== undefined && value !== null) line += String(value);
  }
  return `${line}\r\n`;
}

export const errorReportHeaderLine = (): string => csvLine(ERROR_REPORT_COLUMNS);

/** One report line; every cell is neutralised because the report is meant to be opened by people. */
export function errorReportLine(error: RowError): string {
  return csvLine([error.line, error.order_id, error.column, error.reason].map((v) => neutralizeFormula(toCell(v))));
}
