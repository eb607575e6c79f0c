/**
 * Every setting's default, in one table. The deployment's configuration (modules/config.ts, which
 * documents them in docs/deploy.md — a test keeps that table in step), the processor's reading of
 * its environment (runtime.ts) and the file caps `validate` applies (contract/limits.ts) all read
 * it. It lives with the processor because the Lambda bundle needs it, and modules/ may import
 * functions/ but not the reverse.
 */
export const DEFAULTS = {
  // Read by the processor from its environment (the stack sets every one of them; FANOUT_THRESHOLD_MB's
  // default is derived from the function's memory and timeout: wholeFileThresholdMb below).
  WRITE_CONCURRENCY: 4,
  WRITE_RETRY_DEADLINE_MS: 60_000,
  MAX_FILE_MB: 16_384,
  MAX_FILE_LINES: 100_000_000,
  FANOUT_CHUNK_MB: 64,
  PARTS_MAX_RECEIVES: 3,
  // Read by the deployment's configuration only.
  PIPELINE_STAGE: 'dev',
  AWS_REGION: 'us-east-1',
  LAMBDA_MEMORY_MB: 1024,
  LAMBDA_TIMEOUT_SECONDS: 300,
  LOG_LEVEL: 'INFO',
  INGEST_BATCH_SIZE: 5,
  INGEST_BATCH_WINDOW_SECONDS: 0,
  INGEST_MAX_CONCURRENCY: 5,
  ARCHIVE_GLACIER_IR_DAYS: 30,
  ARCHIVE_DEEP_ARCHIVE_DAYS: 180,
  ARCHIVE_EXPIRATION_DAYS: 2555,
  PROCESSED_IA_DAYS: 30,
  FAILED_EXPIRATION_DAYS: 90,
  NONCURRENT_VERSION_EXPIRATION_DAYS: 30,
  ABORT_INCOMPLETE_MULTIPART_DAYS: 7,
  STAGING_EXPIRATION_DAYS: 7,
  LOG_RETENTION_DAYS: 30,
  REJECT_RATIO_ALARM_THRESHOLD: 0.05,
  QUEUE_AGE_ALARM_SECONDS: 900,
} as const;

export type DefaultedSetting = keyof typeof DEFAULTS;

/**
 * What one invocation processes in a second, and the margin kept, for the default fan-out threshold
 * (docs/performance.md, "The largest unsplit file"; the figures come from `npm run bench`).
 */
export interface WholeFileModel {
  rowsPerSecond: number;
  bytesPerRow: number;
  wholeVcpuMemoryMb: number;
  safetyFactor: number;
}

export const WHOLE_FILE_MODEL: Readonly<WholeFileModel> = {
  /**
   * Rows per second of one invocation with a whole vCPU: both passes, the writes and the outputs,
   * bounded by DynamoDB's latency at WRITE_CONCURRENCY 4 (4 × 25 items per ~10 ms round trip).
   */
  rowsPerSecond: 10_000,
  /** Bytes per row of the benchmark's files (10 columns); files of narrower rows have more rows per MiB. */
  bytesPerRow: 130,
  /** Lambda gives one whole vCPU at 1,769 MB and proportionally less below; the processor uses one. */
  wholeVcpuMemoryMb: 1_769,
  /**
   * The share of the modelled capacity a file may use: covers a new on-demand table (4,000 writes/s,
   * 0.69 of one invocation's rate at 1,024 MB), throttling retries, and a vCPU slower than the
   * benchmark machine's core.
   */
  safetyFactor: 0.5,
};

/**
 * The default FANOUT_THRESHOLD_MB: the largest file, in MiB, one invocation of this memory and
 * timeout reads twice and writes well within its timeout; larger files are processed in parts, so
 * a whole file does not time out on the default settings. At least 1.
 *
 *   MiB/s = rowsPerSecond × bytesPerRow / 1 MiB × min(1, memory / wholeVcpuMemoryMb)
 *   threshold = ⌊MiB/s × timeout × safetyFactor⌋
 */
export function wholeFileThresholdMb(memoryMb: number, timeoutSeconds: number, model: Readonly<WholeFileModel> = WHOLE_FILE_MODEL): number {
  const mibPerSecond = (model.rowsPerSecond * model.bytesPerRow) / 2 ** 20;
  const vcpu = Math.min(1, memoryMb / model.wholeVcpuMemoryMb);
  return Math.max(1, Math.floor(mibPerSecond * vcpu * timeoutSeconds * model.safetyFactor));
}

/**
 * A schema with order lines writes each line with its own conditional PutItem and reads each order
 * it wrote once (docs/performance.md "Re-import of orders with several lines"): `npm run bench`
 * measured 2.5–5.5 ms of CPU per line against moto, where a batch write costs ~80 µs per row. Its
 * files are split at FANOUT_THRESHOLD_MB ÷ this, into parts of FANOUT_CHUNK_MB ÷ this (each at least
 * 1 MiB), so that a whole file or a part still ends well within the timeout at that rate.
 */
export const ORDER_LINES_SPLIT_DIVISOR = 64;
