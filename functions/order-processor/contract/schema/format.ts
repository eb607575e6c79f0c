/**
 * The order schema file's format (docs/csv-format.md "The schema file"; order-schema.schema.json
 * describes the same for editors): what `checkSchema` turns parsed JSON into. Pure data.
 */

export const COLUMN_TYPES = ['id', 'text', 'integer', 'decimal', 'boolean', 'date', 'datetime', 'email', 'currency', 'country', 'enum'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

export const UNKNOWN_COLUMN_POLICIES = ['ignore', 'keep', 'reject'] as const;
export type UnknownColumnPolicy = (typeof UNKNOWN_COLUMN_POLICIES)[number];

interface ColumnBase {
  name: string;
  required: boolean;
  /** Other header spellings, as declared (matched after normalizeHeaderName). */
  aliases: string[];
  description?: string;
  /**
   * `order`: the same for every line of an order (customer, currency, date…): with
   * `lines: "by-position"`, empty on an order's later rows means the first row's value.
   */
  level?: 'order';
}

export interface IdColumn extends ColumnBase {
  type: 'id';
  maxLength: number;
}
export interface TextColumn extends ColumnBase {
  type: 'text';
  maxLength: number;
}
export interface EmailColumn extends ColumnBase {
  type: 'email';
  maxLength: number;
}
export interface IntegerColumn extends ColumnBase {
  type: 'integer';
  min: number;
  max: number;
}
export interface DecimalColumn extends ColumnBase {
  type: 'decimal';
  min: number;
  max: number;
  /** Most digits after the point. */
  scale: number;
}
export interface BooleanColumn extends ColumnBase {
  type: 'boolean';
}
export interface DateColumn extends ColumnBase {
  type: 'date' | 'datetime';
  /** The earliest value accepted, as declared (an ISO 8601 date or date-time). */
  notBefore?: string;
  /** How many days after processing a value may lie. */
  maxDaysAhead?: number;
}
export interface CodeColumn extends ColumnBase {
  type: 'currency' | 'country';
  /** Stored when the cell is empty or the column absent. */
  default?: string;
}
export interface EnumColumn extends ColumnBase {
  type: 'enum';
  values: string[];
}

export type ColumnSpec = IdColumn | TextColumn | EmailColumn | IntegerColumn | DecimalColumn | BooleanColumn | DateColumn | CodeColumn | EnumColumn;

/** A value computed from other columns by a rule of code, named in the file. */
export interface DerivedSpec {
  name: string;
  /** `line-total`: an integer column × a decimal column, exact in the decimal's minor units. */
  rule: 'line-total';
  of: [string, string];
}

export interface SchemaSpec {
  name: string;
  version: number;
  /** The orders table's key column. */
  key: string;
  /**
   * The line column (`"key": ["order_id", name]`): an integer column's value is the order line,
   * the table's sort key; an id column's line is the row's place among its order's valid rows.
   * Absent when the schema has none (every order then has line 1).
   */
  lineColumn?: string;
  /** `by-position`: adjacent rows of one order are its lines 1, 2, 3 … (no line column). */
  lines?: 'by-position';
  unknownColumns: UnknownColumnPolicy;
  columns: ColumnSpec[];
  atLeastOne: string[][];
  derived: DerivedSpec[];
}

/** Attributes every stored order gets besides the schema's columns (docs/csv-format.md "Columns", the table "Derived for every valid row"). */
export const RECORD_ATTRIBUTES = ['source_key', 'source_line', 'ingestion_id', 'processed_at'] as const;
/**
 * The orders table's sort key (docs/csv-format.md "Orders with several lines"): every stored order
 * line has one, a whole number from 1 (1 when the schema has no line column).
 */
export const LINE_ATTRIBUTE = 'line';
/** The schema version every stored order records. */
export const SCHEMA_VERSION_ATTRIBUTE = 'schema_version';
