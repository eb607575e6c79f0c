/**
 * The two CSVs the processor writes (docs/csv-format.md, "Output files"): the cleaned file
 * (canonical + derived columns, valid rows only, values exactly as stored) and the `…errors.csv`
 * report (`line,order_id,column,reason`, neutralised for spreadsheets). Quoting is fast-csv's
 * (`@fast-csv/format`); the formula guard is ours.
 *
 * Both are written a line at a time (a part's rows become a byte slice that is joined under one
 * header later), so each line goes through fast-csv's field formatter rather than its stream,
 * which puts the row delimiter before a row instead of after it.
 */
import { FormatterOptions } from '@fast-csv/format';
import { FieldFormatter } from '@fast-csv/format/build/src/formatter/index.js';
import { csvCellText } from '../contract/cleaned-record.ts';
import { BUILT_IN_SCHEMA } from '../contract/schema/built-in.ts';
import type { CompiledSchema } from '../contract/schema/compile.ts';
import type { HeaderInfo, Order, RowError } from '../contract/types.ts';

/**
 * Column order of a cleaned CSV (docs/csv-format.md "Output files"): the schema's columns (the key
 * followed by `line`), the unknown columns a `keep` schema keeps (in file order, under their
 * attribute names: the file's header decides them), then the derived ones and the record's own.
 */
export function cleanedColumnsFor(schema: Pick<CompiledSchema, 'cleanedColumns'> | undefined, header?: HeaderInfo): readonly string[] {
  return (schema ?? BUILT_IN_SCHEMA).cleanedColumns(header);
}

/** The cleaned CSV's columns under the built-in schema (order-schema.json). */
export const CLEANED_COLUMNS = cleanedColumnsFor(BUILT_IN_SCHEMA);

export const ERROR_REPORT_COLUMNS = ['line', 'order_id', 'column', 'reason'] as const;

const ROW_END = '\r\n';

/**
 * RFC 4180 quoting by fast-csv: a cell holding a comma, a quote, CR or LF is quoted, quotes
 * doubled. (It also drops NUL characters: no valid value and none of our reasons holds one.)
 */
const fields = new FieldFormatter(new FormatterOptions({ rowDelimiter: ROW_END }));
const csvCell = (value: string): string => fields.format(value, 0, false);

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

function csvLine(cells: readonly string[]): string {
  return `${cells.map(csvCell).join(',')}${ROW_END}`;
}

export const cleanedHeaderLine = (columns: readonly string[] = CLEANED_COLUMNS): string => csvLine(columns);

/**
 * One cleaned-CSV line: every value exactly as the orders table holds it, so that the contract
 * reads the cleaned file back to the same orders (docs/csv-format.md, "Output files"). No formula
 * guard here: its leading `'` would change the value, push a value at a length limit over it and
 * make an e-mail implausible. The cleaned file is data for programs; the errors report is the
 * file meant for people, and it is neutralised.
 */
export function cleanedRowLine(order: Order, columns: readonly string[] = CLEANED_COLUMNS): string {
  // One string built cell by cell (no array per row: this runs once per valid row).
  let line = '';
  for (let i = 0; i < columns.length; i++) {
    const value = order[columns[i] as string];
    if (i > 0) line += ',';
    // A number's (or a boolean's) text never needs quotes.
    if (typeof value === 'string') line += csvCell(value);
    else if (value !== undefined && value !== null) line += String(value);
  }
  return `${line}${ROW_END}`;
}

export const errorReportHeaderLine = (): string => csvLine(ERROR_REPORT_COLUMNS);

/** One report line; every cell is neutralised because the report is meant to be opened by people. */
export function errorReportLine(error: RowError): string {
  return csvLine([error.line, error.order_id, error.column, error.reason].map((v) => neutralizeFormula(csvCellText(v))));
}
