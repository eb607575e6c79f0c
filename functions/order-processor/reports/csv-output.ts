/**
 * The two CSVs the processor writes (docs/csv-format.md): the cleaned file (canonical + derived
 * columns, valid rows only) and the `…errors.csv` report (`line,order_id,column,reason`).
 */
import { CANONICAL_COLUMNS } from '../contract/headers.ts';
import type { Order, RowError } from '../contract/types.ts';

/** Column order of the cleaned CSV: the canonical columns (docs/csv-format.md), then the derived ones. */
export const CLEANED_COLUMNS = [
  ...CANONICAL_COLUMNS,
  'total_amount',
  'source_key',
  'source_line',
  'ingestion_id',
  'processed_at',
] as const satisfies readonly (keyof Order)[];

export const ERROR_REPORT_COLUMNS = ['line', 'order_id', 'column', 'reason'] as const;

/** RFC 4180 quoting: quote when the cell holds a comma, quote, CR or LF (or leading/trailing space). */
export function quoteCsvCell(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * Spreadsheet formula-injection guard (OWASP "CSV Injection"): a cell starting with
 * = + - @ TAB CR or LF, also behind leading whitespace (some spreadsheets skip it), is prefixed
 * with an apostrophe so spreadsheets show it as text.
 */
export function neutralizeFormula(value: string): string {
  return /^\s*[=+\-@]|^[\t\r\n]/.test(value) ? `'${value}` : value;
}

const toCell = (value: unknown): string => (value === undefined || value === null ? '' : String(value));

export function csvLine(cells: readonly string[]): string {
  return `${cells.map(quoteCsvCell).join(',')}\r\n`;
}

export const cleanedHeaderLine = (): string => csvLine(CLEANED_COLUMNS);

/**
 * One cleaned-CSV line. People open these files in spreadsheets too, so text cells are
 * neutralised like the report's; number cells are never touched.
 * DynamoDB keeps the exact values.
 */
export function cleanedRowLine(order: Order): string {
  return csvLine(
    CLEANED_COLUMNS.map((column) => {
      const value = order[column];
      // Only free text can smuggle a formula; numbers (and the ISO dates) stay as they are. The
      // order_id stays exact too: the table key must read back the same from the cleaned CSV, and
      // its characters (A-Z a-z 0-9 . _ : -) cannot form a function call, a DDE command or a link:
      // a leading "-" shows at worst as a negative number or a cell reference.
      return typeof value === 'string' && column !== 'order_id' ? neutralizeFormula(value) : toCell(value);
    }),
  );
}

export const errorReportHeaderLine = (): string => csvLine(ERROR_REPORT_COLUMNS);

/** One report line; every cell is neutralised because the report is meant to be opened by people. */
export function errorReportLine(error: RowError): string {
  return csvLine([error.line, error.order_id, error.column, error.reason].map((v) => neutralizeFormula(toCell(v))));
}
