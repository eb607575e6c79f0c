/**
 * The shapes the CSV contract (docs/csv-format.md) produces. Pure data: no AWS here.
 * Attribute names are snake_case exactly as stored in the orders table.
 */
import type { ContractLimits } from './limits.ts';

/** A validated, enriched order row, as written to DynamoDB and to the cleaned CSV. */
export interface Order {
  order_id: string;
  customer_id?: string;
  customer_name?: string;
  customer_email?: string;
  product_sku?: string;
  product_name?: string;
  quantity: number;
  unit_price: number;
  currency: string;
  order_date?: string;
  total_amount: number;
  source_key: string;
  source_line: number;
  ingestion_id: string;
  processed_at: string;
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
  ) {
    super(reason);
    this.name = 'FileRejectedError';
  }
}
