/**
 * Deployment configuration (docs/deploy.md#configuration): read from environment variables and
 * validated in full before anything is synthesized. `loadConfig` is pure: it takes the environment
 * as a parameter and either returns a typed configuration or throws one `ConfigError` listing every
 * problem as `VARIABLE="value": expected …`, so an operator fixes all of them in one go.
 */
import { DEFAULTS, wholeFileThresholdMb, type DefaultedSetting } from '../functions/order-processor/defaults.ts';
import { type Env, Reader } from './config-reader.ts';

export interface LifecycleDays {
  /** archive/ → S3 Glacier Instant Retrieval. */
  archiveToGlacierIr: number;
  /** archive/ → S3 Glacier Deep Archive. */
  archiveToDeepArchive: number;
  /** archive/ objects are deleted. */
  archiveExpiration: number;
  /** processed-data/ → S3 Standard-IA. */
  processedToInfrequentAccess: number;
  /** failed-data/ objects are deleted. */
  failedExpiration: number;
  /** Superseded object versions are deleted (all prefixes). */
  noncurrentVersionExpiration: number;
  /** Parts of multipart uploads that never completed are removed. */
  abortIncompleteMultipartUpload: number;
  /** staging/ objects (a large file's intermediate data) left behind by a file that never concluded are deleted. */
  stagingExpiration: number;
}

export interface RemoteStateConfig {
  bucket: string;
  key: string;
  region: string;
  lockTable?: string;
}

export interface PipelineConfig {
  stage: string;
  region: string;
  alertEmails: string[];
  lambdaMemoryMb: number;
  lambdaTimeoutSeconds: number;
  logLevel: LogLevel;
  writeConcurrency: number;
  writeRetryDeadlineMs: number;
  ingestBatchSize: number;
  ingestBatchWindowSeconds: number;
  ingestMaxConcurrency: number;
  /** Whole-file cap on decompressed bytes, in MiB (the processor's `MAX_FILE_MB`). */
  maxFileMb: number;
  /** Whole-file cap on physical lines (the processor's `MAX_FILE_LINES`). */
  maxFileLines: number;
  /** Files of at least this many MiB (compressed size for gzip) are processed in parts (the processor's `FANOUT_THRESHOLD_MB`). */
  fanoutThresholdMb: number;
  /** Nominal size of a part in MiB (the processor's `FANOUT_CHUNK_MB`). */
  fanoutChunkMb: number;
  lifecycle: LifecycleDays;
  logRetentionDays: number;
  rejectRatioAlarmThreshold: number;
  queueAgeAlarmSeconds: number;
  deletionProtection: boolean;
  remoteState?: RemoteStateConfig;
}

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** Retention periods CloudWatch Logs accepts (PutRetentionPolicy). */
export const LOG_RETENTION_VALUES = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const LOG_LEVELS: readonly LogLevel[] = ['DEBUG', 'INFO', 'WARN', 'ERROR'];

/** S3's limit on the parts of one multipart upload (the parts' slices are joined with one). */
const MAX_JOINED_PARTS = 10_000;

/** One documented variable: its name, default (as the operator would type it) and meaning. */
export interface ConfigVariable {
  name: string;
  default: string;
  description: string;
}

/** A variable whose default is the table's (functions/order-processor/defaults.ts). */
const tabled = (name: DefaultedSetting, description: string): ConfigVariable => ({ name, default: String(DEFAULTS[name]), description });

/** Every variable `loadConfig` reads; docs/deploy.md mirrors this list (a test keeps them in step). */
export const CONFIG_VARIABLES: readonly ConfigVariable[] = [
  tabled('PIPELINE_STAGE', 'Stage name used in every resource name: 1–12 chars, lower-case letters, digits and single hyphens, starting with a letter.'),
  { name: 'AWS_REGION', default: `\`AWS_DEFAULT_REGION\`, else \`${DEFAULTS.AWS_REGION}\``, description: 'Region to deploy into (e.g. `eu-west-1`). A profile\'s configured region is not consulted: set it here.' },
  { name: 'ALERT_EMAILS', default: '(none)', description: 'Comma-separated e-mail addresses subscribed to the alerts topic.' },
  tabled('LAMBDA_MEMORY_MB', 'Processor memory, integer 128–10240 (CPU scales with it).'),
  tabled('LAMBDA_TIMEOUT_SECONDS', 'Processor timeout, integer 1–900. The visibility timeout of the ingest and parts queues is 6× this.'),
  tabled('LOG_LEVEL', 'Processor log level: DEBUG, INFO, WARN or ERROR.'),
  tabled('WRITE_CONCURRENCY', 'BatchWriteItem requests in flight per file, integer 1–64.'),
  tabled('WRITE_RETRY_DEADLINE_MS', 'How long the processor retries throttled writes before failing the message (ms), less than the timeout.'),
  tabled('INGEST_BATCH_SIZE', 'Files (SQS messages) per invocation, integer 1–10000; above 10 needs `INGEST_BATCH_WINDOW_SECONDS` ≥ 1.'),
  tabled('INGEST_BATCH_WINDOW_SECONDS', 'Maximum batching window of the event-source mapping, integer 0–300.'),
  tabled('INGEST_MAX_CONCURRENCY', 'Maximum concurrent invocations fed by each queue, integer 2–1000 (protects DynamoDB). It bounds the ingest queue (files) and the parts queue (parts of large files) separately, so the processor may run up to twice this many at once.'),
  tabled('MAX_FILE_MB', 'Largest file the processor reads, in MiB once decompressed, integer 1–1048576; a larger file is refused with a file-level reason (bounds time on gzip bombs).'),
  tabled('MAX_FILE_LINES', 'Most physical lines a file may have (header and blank lines included), integer 1–10000000000; a longer file is refused with a file-level reason.'),
  {
    name: 'FANOUT_THRESHOLD_MB',
    default: `derived from \`LAMBDA_MEMORY_MB\` and \`LAMBDA_TIMEOUT_SECONDS\` (docs/performance.md): \`${wholeFileThresholdMb(DEFAULTS.LAMBDA_MEMORY_MB, DEFAULTS.LAMBDA_TIMEOUT_SECONDS)}\` at their defaults`,
    description: 'Files of at least this many MiB (a `.gz` whose compressed size or inflated content reaches it) are split into parts processed by parallel invocations, integer 1–1048576; a threshold above `MAX_FILE_MB` means no file is split. Unset, it is half of what one invocation is modelled to read twice and write within `LAMBDA_TIMEOUT_SECONDS` at `LAMBDA_MEMORY_MB`, so a file processed whole finishes well within the timeout.',
  },
  { name: 'FANOUT_CHUNK_MB', default: `\`${DEFAULTS.FANOUT_CHUNK_MB}\` (\`MAX_FILE_MB\` / 10,000 if higher), or \`FANOUT_THRESHOLD_MB\` if lower`, description: 'Nominal size of a part in MiB, integer 1–5120 and at most `FANOUT_THRESHOLD_MB`; from 5 MiB up, at least `MAX_FILE_MB` / 10,000 (S3 joins at most 10,000 parts into one object). The parts\' cleaned slices are joined with UploadPartCopy, which copies at most 5 GiB (5120 MiB) at a time. Each part must be scanned and written within `LAMBDA_TIMEOUT_SECONDS`, which in practice bounds it far lower (docs/performance.md).' },
  { name: 'ORDER_SCHEMA', default: '`order-schema.json` (the built-in contract)', description: 'The order schema file: columns, aliases, rules (docs/csv-format.md "The schema file"). Synth checks it (a broken one stops synth, naming the place in the file) and puts it beside the function\'s code; `validate` and `local up` read it too.' },
  tabled('ARCHIVE_GLACIER_IR_DAYS', 'Days until `archive/` objects move to Glacier Instant Retrieval.'),
  tabled('ARCHIVE_DEEP_ARCHIVE_DAYS', 'Days until `archive/` objects move to Glacier Deep Archive; at least 90 more than the Glacier IR days.'),
  tabled('ARCHIVE_EXPIRATION_DAYS', 'Days until `archive/` objects are deleted; at least 180 more than the Deep Archive days.'),
  tabled('PROCESSED_IA_DAYS', 'Days until `processed-data/` objects move to Standard-IA, at least 30.'),
  tabled('FAILED_EXPIRATION_DAYS', 'Days until `failed-data/` objects are deleted.'),
  tabled('NONCURRENT_VERSION_EXPIRATION_DAYS', 'Days until superseded object versions are deleted.'),
  tabled('ABORT_INCOMPLETE_MULTIPART_DAYS', 'Days until parts of unfinished multipart uploads are removed.'),
  tabled('STAGING_EXPIRATION_DAYS', 'Days until `staging/` objects (a large file\'s intermediate data, normally deleted when the file concludes) are deleted, at least 4 (the days a queue keeps a part message). Unfinished multipart uploads and deleted versions under `staging/` are removed after 1 day.'),
  tabled('LOG_RETENTION_DAYS', `Processor log retention; one of CloudWatch's values: ${LOG_RETENTION_VALUES.join(', ')}.`),
  tabled('REJECT_RATIO_ALARM_THRESHOLD', 'Alarm when rejected rows / received rows over 5 minutes exceeds this fraction (0 < x ≤ 1).'),
  tabled('QUEUE_AGE_ALARM_SECONDS', 'Alarm when the oldest message of the ingest queue, or of the parts queue, is older than this, integer 60–1209600.'),
  { name: 'DELETION_PROTECTION', default: '`true` for stage `prod`, else `false`', description: 'Protect the tables from deletion and keep the bucket on destroy (`true`/`false`). When `false`, `destroy` also empties the bucket.' },
  { name: 'TF_STATE_BUCKET', default: '(local state)', description: 'S3 bucket for remote Terraform state; unset = state file in the stack directory.' },
  { name: 'TF_STATE_KEY', default: '`order-pipeline/<stage>/terraform.tfstate`', description: 'Object key of the state file (only with `TF_STATE_BUCKET`).' },
  { name: 'TF_STATE_REGION', default: 'the deployment region', description: 'Region of the state bucket (only with `TF_STATE_BUCKET`).' },
  { name: 'TF_STATE_LOCK_TABLE', default: '(none)', description: 'DynamoDB table (hash key `LockID`) for state locking (only with `TF_STATE_BUCKET`).' },
];

/** All configuration problems at once; `problems` are `VARIABLE="value": expected …` lines. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  - ${problems.join('\n  - ')}`);
  }
}

const STAGE_PATTERN = /^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){0,11}$/;
const REGION_PATTERN = /^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
// Deliberately plain: one @, no spaces, a dotted domain with a 2+ letter TLD. SNS validates the rest.
const EMAIL_PATTERN = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}$/;
const BUCKET_PATTERN = /^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const TABLE_PATTERN = /^[A-Za-z0-9_.-]{3,255}$/;

/** Reads and validates the whole configuration; throws ConfigError listing every problem. */
export function loadConfig(env: Env): PipelineConfig {
  const r = new Reader(env);

  const stage = r.matching(
    'PIPELINE_STAGE',
    DEFAULTS.PIPELINE_STAGE,
    STAGE_PATTERN,
    '1–12 lower-case letters, digits or single hyphens, starting with a letter and not ending with a hyphen (e.g. "dev", "prod-eu")',
  );
  const region = r.matching(
    'AWS_REGION',
    r.raw('AWS_DEFAULT_REGION') ?? DEFAULTS.AWS_REGION,
    REGION_PATTERN,
    'an AWS region code such as "us-east-1" or "eu-west-1"',
  );

  const alertEmails: string[] = [];
  const emailsRaw = r.raw('ALERT_EMAILS');
  if (emailsRaw !== undefined) {
    for (const part of emailsRaw.split(',').map((s) => s.trim())) {
      if (part === '') continue;
      if (!EMAIL_PATTERN.test(part)) {
        r.fail('ALERT_EMAILS', part, 'a comma-separated list of e-mail addresses such as "ops@example.com"');
      } else if (!alertEmails.some((e) => e.toLowerCase() === part.toLowerCase())) {
        alertEmails.push(part);
      }
    }
  }

  const lambdaMemoryMb = r.integer('LAMBDA_MEMORY_MB', DEFAULTS.LAMBDA_MEMORY_MB, 128, 10240, ' (MB)');
  const lambdaTimeoutSeconds = r.integer('LAMBDA_TIMEOUT_SECONDS', DEFAULTS.LAMBDA_TIMEOUT_SECONDS, 1, 900, ' (seconds)');
  const logLevel = r.oneOf<LogLevel>('LOG_LEVEL', DEFAULTS.LOG_LEVEL, LOG_LEVELS, (s) => s.toUpperCase() as LogLevel);
  const writeConcurrency = r.integer('WRITE_CONCURRENCY', DEFAULTS.WRITE_CONCURRENCY, 1, 64);
  const writeRetryDeadlineMs = r.integer('WRITE_RETRY_DEADLINE_MS', DEFAULTS.WRITE_RETRY_DEADLINE_MS, 1000, 900_000, ' (ms)');
  if (writeRetryDeadlineMs >= lambdaTimeoutSeconds * 1000 && r.raw('WRITE_RETRY_DEADLINE_MS') !== undefined) {
    r.fail('WRITE_RETRY_DEADLINE_MS', String(writeRetryDeadlineMs), `less than the function timeout (${lambdaTimeoutSeconds * 1000} ms)`);
  }
  const ingestBatchSize = r.integer('INGEST_BATCH_SIZE', DEFAULTS.INGEST_BATCH_SIZE, 1, 10_000);
  const ingestBatchWindowSeconds = r.integer('INGEST_BATCH_WINDOW_SECONDS', DEFAULTS.INGEST_BATCH_WINDOW_SECONDS, 0, 300, ' (seconds)');
  if (ingestBatchSize > 10 && ingestBatchWindowSeconds < 1) {
    r.fail('INGEST_BATCH_SIZE', String(ingestBatchSize), 'at most 10 unless INGEST_BATCH_WINDOW_SECONDS is at least 1 (an AWS rule for SQS batches)');
  }
  const ingestMaxConcurrency = r.integer('INGEST_MAX_CONCURRENCY', DEFAULTS.INGEST_MAX_CONCURRENCY, 2, 1000, ' (the range AWS allows for SQS maximum concurrency)');
  // The same ranges as the processor's own reading of these variables (limitsFromEnv in
  // functions/order-processor/contract/limits.ts): a value accepted here never fails there.
  const maxFileMb = r.integer('MAX_FILE_MB', DEFAULTS.MAX_FILE_MB, 1, 1_048_576, ' (MiB of decompressed data)');
  const maxFileLines = r.integer('MAX_FILE_LINES', DEFAULTS.MAX_FILE_LINES, 1, 10_000_000_000, ' (physical lines per file)');
  // Unset, the largest file one invocation of this memory and timeout handles with a margin
  // (wholeFileThresholdMb): whole files must not time out on the defaults, larger ones go in parts.
  const fanoutThresholdMb = r.integer('FANOUT_THRESHOLD_MB', wholeFileThresholdMb(lambdaMemoryMb, lambdaTimeoutSeconds), 1, 1_048_576, ' (MiB)');
  // 5 GiB is the most one UploadPartCopy copies, and the parts' cleaned slices are joined with it.
  // Unset, the chunk follows a lower threshold down (so setting the threshold alone is enough) and
  // a very high MAX_FILE_MB up (so a file at the cap stays within the parts S3 joins, below).
  const defaultChunkMb = Math.min(fanoutThresholdMb, Math.max(DEFAULTS.FANOUT_CHUNK_MB, Math.ceil(maxFileMb / MAX_JOINED_PARTS)));
  const fanoutChunkMb = r.integer('FANOUT_CHUNK_MB', defaultChunkMb, 1, 5120, ' (MiB; S3 copies at most 5 GiB per UploadPartCopy)');
  // A part larger than the threshold would send the files between the two sizes through the parts
  // queue as one part: slower than processing them whole, for nothing (most likely swapped values).
  if (fanoutChunkMb > fanoutThresholdMb) {
    r.fail('FANOUT_CHUNK_MB', String(fanoutChunkMb), `at most FANOUT_THRESHOLD_MB (${fanoutThresholdMb}), or a file just above the threshold would be one part`);
  }
  // A part's cleaned slice of 5 MiB or more becomes at least one part of the joined cleaned CSV,
  // and a multipart upload has at most 10,000 parts (smaller slices are merged, so they never count).
  const partsAtTheCap = Math.ceil(maxFileMb / fanoutChunkMb);
  if (fanoutChunkMb >= 5 && partsAtTheCap > MAX_JOINED_PARTS) {
    r.fail('FANOUT_CHUNK_MB', String(fanoutChunkMb), `at least MAX_FILE_MB / ${MAX_JOINED_PARTS.toLocaleString('en-US')} (${Math.ceil(maxFileMb / MAX_JOINED_PARTS)}): a file at MAX_FILE_MB (${maxFileMb}) would be ${partsAtTheCap.toLocaleString('en-US')} parts, and S3 joins at most ${MAX_JOINED_PARTS.toLocaleString('en-US')} into one object`);
  }

  const day = 1;
  const maxDays = 36_500;
  const archiveToGlacierIr = r.integer('ARCHIVE_GLACIER_IR_DAYS', DEFAULTS.ARCHIVE_GLACIER_IR_DAYS, 0, maxDays, ' (days)');
  const archiveToDeepArchive = r.integer('ARCHIVE_DEEP_ARCHIVE_DAYS', DEFAULTS.ARCHIVE_DEEP_ARCHIVE_DAYS, day, maxDays, ' (days)');
  const archiveExpiration = r.integer('ARCHIVE_EXPIRATION_DAYS', DEFAULTS.ARCHIVE_EXPIRATION_DAYS, day, maxDays, ' (days)');
  // Glacier IR bills a 90-day minimum and Deep Archive 180 days: transitions/expiry sooner than
  // that are rejected here because they would cost more than they save.
  if (archiveToDeepArchive < archiveToGlacierIr + 90) {
    r.fail('ARCHIVE_DEEP_ARCHIVE_DAYS', String(archiveToDeepArchive), `at least ARCHIVE_GLACIER_IR_DAYS + 90 (${archiveToGlacierIr + 90}): Glacier Instant Retrieval bills 90 days minimum`);
  }
  if (archiveExpiration < archiveToDeepArchive + 180) {
    r.fail('ARCHIVE_EXPIRATION_DAYS', String(archiveExpiration), `at least ARCHIVE_DEEP_ARCHIVE_DAYS + 180 (${archiveToDeepArchive + 180}): Deep Archive bills 180 days minimum`);
  }
  const processedToInfrequentAccess = r.integer('PROCESSED_IA_DAYS', DEFAULTS.PROCESSED_IA_DAYS, 30, maxDays, ' (days; S3 requires at least 30 before Standard-IA)');
  const failedExpiration = r.integer('FAILED_EXPIRATION_DAYS', DEFAULTS.FAILED_EXPIRATION_DAYS, day, maxDays, ' (days)');
  const noncurrentVersionExpiration = r.integer('NONCURRENT_VERSION_EXPIRATION_DAYS', DEFAULTS.NONCURRENT_VERSION_EXPIRATION_DAYS, day, maxDays, ' (days)');
  const abortIncompleteMultipartUpload = r.integer('ABORT_INCOMPLETE_MULTIPART_DAYS', DEFAULTS.ABORT_INCOMPLETE_MULTIPART_DAYS, day, maxDays, ' (days)');
  // Staged data must outlive every part message that refers to it: a queue keeps a message 4 days
  // (modules/queues.ts), e.g. while delivery is paused.
  const stagingExpiration = r.integer('STAGING_EXPIRATION_DAYS', DEFAULTS.STAGING_EXPIRATION_DAYS, 4, maxDays, ' (days; at least the 4 days a queue keeps a part message)');

  const logRetentionDays = r.oneOf<number>('LOG_RETENTION_DAYS', DEFAULTS.LOG_RETENTION_DAYS, LOG_RETENTION_VALUES, (s) =>
    /^\d+$/.test(s) ? Number(s) : Number.NaN,
  );

  let rejectRatioAlarmThreshold: number = DEFAULTS.REJECT_RATIO_ALARM_THRESHOLD;
  const ratioRaw = r.raw('REJECT_RATIO_ALARM_THRESHOLD');
  if (ratioRaw !== undefined) {
    const parsed = /^(?:\d+(?:\.\d*)?|\.\d+)$/.test(ratioRaw) ? Number(ratioRaw) : Number.NaN;
    if (!(parsed > 0 && parsed <= 1)) {
      r.fail('REJECT_RATIO_ALARM_THRESHOLD', ratioRaw, 'a fraction greater than 0 and at most 1 (e.g. 0.05 for 5 %)');
    } else {
      rejectRatioAlarmThreshold = parsed;
    }
  }
  const queueAgeAlarmSeconds = r.integer('QUEUE_AGE_ALARM_SECONDS', DEFAULTS.QUEUE_AGE_ALARM_SECONDS, 60, 1_209_600, ' (seconds)');
  const deletionProtection = r.boolean('DELETION_PROTECTION', stage === 'prod');

  let remoteState: RemoteStateConfig | undefined;
  const stateBucket = r.raw('TF_STATE_BUCKET');
  if (stateBucket !== undefined) {
    if (!BUCKET_PATTERN.test(stateBucket)) r.fail('TF_STATE_BUCKET', stateBucket, 'an S3 bucket name (3–63 lower-case letters, digits, dots, hyphens)');
    const key = r.matching('TF_STATE_KEY', `order-pipeline/${stage}/terraform.tfstate`, /^[^/].{0,1023}$/, 'an object key not starting with "/"');
    const stateRegion = r.matching('TF_STATE_REGION', region, REGION_PATTERN, 'an AWS region code such as "us-east-1"');
    const lockTable = r.raw('TF_STATE_LOCK_TABLE');
    if (lockTable !== undefined && !TABLE_PATTERN.test(lockTable)) {
      r.fail('TF_STATE_LOCK_TABLE', lockTable, 'a DynamoDB table name (3–255 letters, digits, "_", "-", ".")');
    }
    remoteState = { bucket: stateBucket, key, region: stateRegion, ...(lockTable ? { lockTable } : {}) };
  } else {
    for (const name of ['TF_STATE_KEY', 'TF_STATE_REGION', 'TF_STATE_LOCK_TABLE']) {
      const value = r.raw(name);
      if (value !== undefined) r.fail(name, value, 'to be set only together with TF_STATE_BUCKET');
    }
  }

  if (r.problems.length > 0) throw new ConfigError(r.problems);

  return {
    stage,
    region,
    alertEmails,
    lambdaMemoryMb,
    lambdaTimeoutSeconds,
    logLevel,
    writeConcurrency,
    writeRetryDeadlineMs,
    ingestBatchSize,
    ingestBatchWindowSeconds,
    ingestMaxConcurrency,
    maxFileMb,
    maxFileLines,
    fanoutThresholdMb,
    fanoutChunkMb,
    lifecycle: {
      archiveToGlacierIr,
      archiveToDeepArchive,
      archiveExpiration,
      processedToInfrequentAccess,
      failedExpiration,
      noncurrentVersionExpiration,
      abortIncompleteMultipartUpload,
      stagingExpiration,
    },
    logRetentionDays,
    rejectRatioAlarmThreshold,
    queueAgeAlarmSeconds,
    deletionProtection,
    ...(remoteState ? { remoteState } : {}),
  };
}

/** `order-pipeline-<stage>`: the prefix of every resource name and the CDKTF stack's name. */
export function namePrefix(stage: string): string {
  return `order-pipeline-${stage}`;
}
