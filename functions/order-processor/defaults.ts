/**
 * Every setting's default, in one table. The deployment's configuration (modules/config.ts, which
 * documents them in docs/deploy.md — a test keeps that table in step), the processor's reading of
 * its environment (runtime.ts) and the file caps `validate` applies (contract/limits.ts) all read
 * it. It lives with the processor because the Lambda bundle needs it, and modules/ may import
 * functions/ but not the reverse.
 */
export const DEFAULTS = {
  // Read by the processor from its environment (the stack sets every one of them).
  WRITE_CONCURRENCY: 4,
  WRITE_RETRY_DEADLINE_MS: 60_000,
  MAX_FILE_MB: 16_384,
  MAX_FILE_LINES: 100_000_000,
  FANOUT_THRESHOLD_MB: 256,
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
