/**
 * The names the infrastructure and the function share (no values: those are configuration):
 * environment variables, bucket prefixes, metric names, the ledger table's layout.
 */
import { LINE_ATTRIBUTE } from './contract/schema/format.ts';

/**
 * The processor's environment contract: the infrastructure (modules/processor.ts) sets these,
 * the handler reads them, and the local poller copies them from the deployed function. Their
 * defaults are in defaults.ts.
 */
export const ENV = {
  ordersTable: 'ORDERS_TABLE',
  ingestionsTable: 'INGESTIONS_TABLE',
  dataBucket: 'DATA_BUCKET',
  alertsTopicArn: 'ALERTS_TOPIC_ARN',
  /** Max BatchWriteItem requests in flight per file. */
  writeConcurrency: 'WRITE_CONCURRENCY',
  /** How long to keep retrying throttled/unprocessed writes before failing the record (ms). */
  writeRetryDeadlineMs: 'WRITE_RETRY_DEADLINE_MS',
  stage: 'STAGE',
  /** Whole-file cap on decompressed bytes, in MiB (the CSV contract's limits; `validate` reads it too). */
  maxFileMb: 'MAX_FILE_MB',
  /** Whole-file cap on physical lines (the CSV contract's limits; `validate` reads it too). */
  maxFileLines: 'MAX_FILE_LINES',
  /** URL of the parts queue (docs/architecture.md, "Large files in parts"); required. */
  partsQueueUrl: 'PARTS_QUEUE_URL',
  /** A file (its object size) of at least this many MiB is processed in parts (integer ≥ 1). */
  fanoutThresholdMb: 'FANOUT_THRESHOLD_MB',
  /** The size of a part, about, in MiB (integer ≥ 1). */
  fanoutChunkMb: 'FANOUT_CHUNK_MB',
  /** The parts queue's maxReceiveCount: a part failing on this receive fails its file. */
  partsMaxReceives: 'PARTS_MAX_RECEIVES',
  /**
   * The order schema file the function checks files against (docs/csv-format.md "The schema
   * file"), relative to the task root (the bundle's directory, where synth puts it); unset: the
   * built-in order-schema.json.
   */
  orderSchemaFile: 'ORDER_SCHEMA_FILE',
} as const;

/** The order schema's file name in the function's code (synth writes it there; ORDER_SCHEMA_FILE names it). */
export const BUNDLED_SCHEMA_FILE = 'order-schema.json';

/**
 * The prefixes of the data bucket (docs/architecture.md, "Storage"): the four a file passes
 * through, and staging/ for the intermediate objects of a file processed in parts
 * (`staging/<ingestionId>/…`: plan, part results, slices; deleted when the file concludes, and
 * expired by lifecycle if it never does).
 */
export const PREFIX = {
  raw: 'raw-data/',
  processed: 'processed-data/',
  archive: 'archive/',
  failed: 'failed-data/',
  staging: 'staging/',
} as const;

/** Powertools names: the metrics namespace and the service dimension / log field. */
export const METRICS_NAMESPACE = 'OrderPipeline';
export const SERVICE_NAME = 'order-processor';

/** Metric names emitted by the processor; the dashboard and alarms reference exactly these. */
export const METRIC = {
  filesProcessed: 'FilesProcessed',
  filesPartial: 'FilesPartial',
  filesFailed: 'FilesFailed',
  filesDuplicate: 'FilesDuplicate',
  rowsReceived: 'RowsReceived',
  rowsWritten: 'RowsWritten',
  /** Orders written: an order of several lines counts once (RowsWritten counts its lines). */
  ordersWritten: 'OrdersWritten',
  rowsRejected: 'RowsRejected',
  /** Orders rejected: with order lines, an order with a rejected line is rejected whole (RowsRejected counts its lines). */
  ordersRejected: 'OrdersRejected',
  bytesProcessed: 'BytesProcessed',
  fileProcessingTime: 'FileProcessingTime',
  /** An alert could not be published after retries; the file's outcome is recorded regardless. */
  alertsFailed: 'AlertsFailed',
} as const;

/** Ingestion ledger statuses (docs/architecture.md, "Tables"). */
export type IngestionStatus = 'PROCESSING' | 'PROCESSED' | 'PARTIAL' | 'FAILED' | 'DUPLICATE';

/**
 * Ledger table layout, shared by the table construct, the ledger adapter and the CLI.
 * - hash key `pk` (S): `file#<bucket>/<key>#<versionId or etag>` for a file item,
 *   `content#<sha256>` for the content claim used to detect duplicate files.
 * - GSI `by-day` (sparse, file items only): hash `ingest_day` (YYYY-MM-DD), range `started_at` (ISO).
 */
export const LEDGER = {
  hashKey: 'pk',
  byDayIndex: 'by-day',
  byDayHashKey: 'ingest_day',
  byDayRangeKey: 'started_at',
} as const;

/** Orders table hash key. */
export const ORDERS_HASH_KEY = 'order_id';
/** Orders table sort key (a number): one item per order line (docs/csv-format.md "Orders with several lines"). */
export const ORDERS_RANGE_KEY = LINE_ATTRIBUTE;
/** The orders table's key, as the DynamoDB writer takes it. */
export const ORDERS_KEY = { hash: ORDERS_HASH_KEY, range: ORDERS_RANGE_KEY } as const;
