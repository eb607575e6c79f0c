/**
 * Row rules of the CSV contract (docs/csv-format.md "Columns"): one data row in, an enriched
 * Order or a RowError out. The rules themselves are the schema's (schema/column-rules.ts, one per
 * column type, compiled per header by schema/compile.ts); this module is their entry by column
 * name, for callers that hold a row as named cells rather than a record's fields.
 */
import { BUILT_IN_SCHEMA } from './schema/built-in.ts';
import { looksLikeKey } from './schema/compile.ts';
import type { ContractContext, Order, RowError, SeenOrderIds } from './types.ts';

export { parseIsoDate } from './iso-date.ts';
export { hasVisibleCharacter } from './look-alikes.ts';
export type { SeenOrderIds } from './types.ts';

/** Trimmed cells of one row by column name; a column absent from the file is left out (or undefined). */
export type RowCells = Readonly<Record<string, string | undefined>>;

/** Whether a value would pass the built-in key's id rule (used to name the order of a row broken before the rules ran). */
export function looksLikeOrderId(value: string | undefined): value is string {
  return looksLikeKey(BUILT_IN_SCHEMA, value);
}

/**
 * Validates and enriches one row given by column name, under `ctx.schema` (the built-in schema
 * when absent). Every failing rule is named (joined by " | "); `column` is the first failing
 * column in schema order. A well-formed order_id is remembered in `seen` even when the row
 * fails, so a later row with the same id is reported as its duplicate.
 */
export function validateRow(cells: RowCells, line: number, ctx: ContractContext, seen: SeenOrderIds): Order | RowError {
  const schema = ctx.schema ?? BUILT_IN_SCHEMA;
  const names = Object.keys(cells).filter((name) => cells[name] !== undefined);
  const header = { raw: names, canonical: names.map((n) => (schema.columnNames.includes(n) ? n : null)), unknownColumns: [] };
  return schema.rowValidator(header)(names.map((n) => cells[n] ?? ''), line, ctx, seen);
}

/** Narrowing helper for callers of validateRow. */
export function isRowError(result: Order | RowError): result is RowError {
  return 'reason' in result;
}
