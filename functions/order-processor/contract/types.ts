/**
 * The shapes the CSV contract (docs/csv-format.md) produces. Pure data: no AWS here.
 * Attribute names are snake_case exactly as stored in the orders table.
 */
import type { ContractLimits } from './limits.ts';
import type { OrderIdLines } from './order-id-set.ts';
import type { CompiledSchema } from './schema/compile.ts';

/**
 * order_id → the line it was first seen on, for the duplicate rule. One per file: an OrderIdSet
 * (order-id-set.ts) in the processor; any Map of the same shape works too.
 */
export type SeenOrderIds = OrderIdLines;

/** A value a stored order holds: DynamoDB S, N or BOOL (schema/column-rules.ts). */
export type OrderValue = string | number | boolean;

/**
 * A validated, enriched order row, as written to DynamoDB and to the cleaned CSV: one attribute
 * per schema column that has a value (canonical names), the derived values, and the record's own
 * attributes. Built by the schema's compiled row validator (schema/compile.ts) from the schema's
 * column list, so no column can be forgotten; what each holds is the schema's, hence the index
 * signature.
 */
export interface Order {
  /** The table key: the order (partition key)… */
  order_id: string;
  /** …and its line (sort key), from 1; 1 when the schema has no line column. */
  line: number;
  /** S3 key (or local path) the row came from. */
  source_key: string;
  source_line: number;
  ingestion_id: string;
  processed_at: string;
  /** The version of the schema that checked the row. */
  schema_version: number;
  [attribute: string]: OrderValue | undefined;
}

/** Why one data row was rejected. `line` is the 1-based physical line the record starts on (header = 1). */
export interface RowError {
  line: number;
  order_id: string | null;
  column: string | null;
  reason: string;
}

/** Context the contract needs to enrich rows. */
export interface ContractContext {
  /** S3 key (or local path) the rows came from; stored as `source_key`. */
  sourceKey: string;
  ingestionId: string;
  /** ISO 8601 timestamp stored as `processed_at`. */
  processedAt: string;
  /** "Now" for the order_date-not-in-the-future rule. */
  now: Date;
  /** Treat the input as gzip (`.csv.gz`); defaults to sniffing the gzip magic bytes. */
  gzip?: boolean;
  /** File caps (MAX_FILE_MB, MAX_FILE_LINES: see limits.ts `limitsFromEnv`); DEFAULT_LIMITS when absent. */
  limits?: ContractLimits;
  /**
   * Read only one part of a planned file (contract/parts.ts: build it with `partReading`): the
   * input holds bytes [part.start.offset, part.end) of the decompressed file (never gunzipped).
   */
  part?: PartReading;
  /** The order schema the rows are checked against (schema/load.ts); the built-in one (order-schema.json) when absent. */
  schema?: CompiledSchema;
  /** Order ids seen before this input (id → first line), e.g. in earlier parts; the reader adds the ids it sees first. */
  seen?: SeenOrderIds;
  /**
   * The orders with a rejected line found by a first read of the same file (whole-orders.ts):
   * order_id → the line of its first rejected row. Their valid rows are rejected, naming it.
   */
  rejectedOrders?: ReadonlyMap<string, number>;
  /**
   * With an `id` line column, read in parts: order_id → its valid rows in earlier parts, so that
   * its rows here are numbered on from there (contract/part-orders.ts).
   */
  linesBefore?: ReadonlyMap<string, number>;
}

/** Where a part starts in the (decompressed) file: a byte offset and the physical line starting there. */
export interface PartStart {
  offset: number;
  line: number;
}

/** The first line of the next part (it reads as a record of its own): its number and its length without its line break. */
export interface NextSyncLine {
  line: number;
  length: number;
}

/**
 * What the reader needs to read one part exactly as a sequential read reads those bytes. Part 0
 * (`first`) reads its BOM, blank lines and header like a whole file; the others start counting
 * lines and bytes at `start` under the given header. No part gives the end-of-file verdicts
 * ("empty", "no data rows"): those are decided across parts (contract/parts.ts).
 */
export interface PartReading {
  start: PartStart;
  /** Where the part ends (exclusive): the next part's start, or the file's size. */
  end: number;
  /** The next part's first line, or null for the file's last part (whose end is the file's end). */
  next: NextSyncLine | null;
  header: HeaderInfo;
  headerLine: number;
  first: boolean;
}

export interface HeaderInfo {
  /** Header cells as found, trimmed (BOM removed). */
  raw: string[];
  /** Canonical column per header position, or null for an unknown column. */
  canonical: (string | null)[];
  /** Header cells that map to no known column (ignored, named in the report). */
  unknownColumns: string[];
}

/**
 * Where a record lies in the decompressed file: physical lines `line`..`lastLine` and bytes
 * [start, end), its last line break included (a BOM counts as the file's first 3 bytes).
 */
export interface RecordSpan {
  line: number;
  lastLine: number;
  start: number;
  end: number;
}

/**
 * What reading a file yields, in file order: `header` first, then one event per record (blank
 * lines before the header follow the header, numbered but without a span). `span` is set by the
 * reader on every other event; it is optional so that callers may build events by hand.
 */
export type ContractEvent =
  | { kind: 'header'; header: HeaderInfo; span?: RecordSpan }
  | { kind: 'valid'; line: number; order: Order; span?: RecordSpan }
  | { kind: 'rejected'; error: RowError; span?: RecordSpan }
  | { kind: 'blank'; line: number; span?: RecordSpan };

/** Totals for one file. Invariant: rows === valid + rejected; blank lines are counted apart. */
export interface FileCounts {
  rows: number;
  valid: number;
  rejected: number;
  blank: number;
}

/**
 * The whole file is unusable (missing required column, empty, undecodable bytes, not CSV).
 * Thrown by the reader; nothing from such a file may be written.
 */
export class FileRejectedError extends Error {
  constructor(
    readonly reason: string,
    readonly line?: number,
    /** Absolute byte offset of the problem in the decompressed file (the earliest one across parts is the file's). */
    readonly offset?: number,
  ) {
    super(reason);
    this.name = 'FileRejectedError';
  }
}
