/**
 * Per-container wiring for the handler: configuration from the environment, SDK clients, the
 * processing steps' ports over them. Everything is built on first use (not at import) so a local
 * poller can import the handler and then set process.env.
 */
import type { Context } from 'aws-lambda';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isAbsolute, resolve } from 'node:path';
import { InvalidLimitError, limitsFromEnv, type ContractLimits } from './contract/limits.ts';
import { DEFAULTS, ORDER_LINES_SPLIT_DIVISOR, wholeFileThresholdMb } from './defaults.ts';
import { BUILT_IN_SCHEMA } from './contract/schema/built-in.ts';
import type { CompiledSchema } from './contract/schema/compile.ts';
import { loadSchemaFile, SchemaFileError } from './contract/schema/load.ts';
import { snsAlertPublisher } from './adapters/alert-publisher.ts';
import { DynamoBatchWriter, orderBatchSender, orderItemKey, type WriterOptions } from './adapters/dynamo-writer.ts';
import { dynamoOrderLines, orderLineSender } from './adapters/order-lines.ts';
import { Ledger } from './adapters/ledger.ts';
import { sqsPartsQueue } from './adapters/parts-queue.ts';
import { s3ObjectStore } from './adapters/s3-objects.ts';
import { createBatchHandler, type SqsHandler } from './batch.ts';
import { readOrders } from './contract/reader.ts';
import { hasOrderLines } from './contract/whole-orders.ts';
import { observability, type Observability } from './observability.ts';
import { handlePart } from './pipeline/parts/handle-part.ts';
import type { PartsSettings, ProcessorPorts, ReadOrders } from './pipeline/ports.ts';
import { processFile } from './pipeline/process-file.ts';
import { ENV, ORDERS_KEY } from './resource-names.ts';

/** A required variable is missing or invalid: a deployment fault, so the record fails (and is retried). */
export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigurationError(`environment variable ${name} is not set`);
  return value;
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new ConfigurationError(`environment variable ${name}=${JSON.stringify(raw)} must be a positive integer`);
  }
  return value;
}

/** Default claim lease when the Lambda context cannot tell the remaining time (15 min = Lambda's max). */
export const DEFAULT_LEASE_MS = 15 * 60 * 1000;

/**
 * Added to the invocation's remaining time to make the claim's lease. Lambda stops the invocation
 * at its deadline, so the margin only covers clock differences between the hosts that write and
 * compare the lease (kept within milliseconds by Amazon Time Sync).
 */
export const LEASE_MARGIN_MS = 2_000;

/** Splitting large files into parts (docs/architecture.md, "Large files in parts"). */
export interface PartsConfig {
  queueUrl: string;
  /** FANOUT_THRESHOLD_MB: files (object size) of at least this many MiB are processed in parts. */
  thresholdMb: number;
  /** FANOUT_CHUNK_MB: about this many MiB per part. */
  chunkMb: number;
  /** PARTS_MAX_RECEIVES: the parts queue's maxReceiveCount. */
  maxReceives: number;
}

export const PARTS_DEFAULTS = {
  thresholdMb: wholeFileThresholdMb(DEFAULTS.LAMBDA_MEMORY_MB, DEFAULTS.LAMBDA_TIMEOUT_SECONDS),
  chunkMb: DEFAULTS.FANOUT_CHUNK_MB,
  maxReceives: DEFAULTS.PARTS_MAX_RECEIVES,
} as const;

export interface ProcessorConfig {
  dataBucket?: string;
  ordersTable: string;
  ingestionsTable: string;
  alertsTopicArn: string;
  writeConcurrency: number;
  writeRetryDeadlineMs: number;
  stage?: string;
  /** The file caps (MAX_FILE_MB, MAX_FILE_LINES), the same `validate` applies; the contract's defaults when absent. */
  limits?: ContractLimits;
  parts: PartsConfig;
  /** The order schema (ORDER_SCHEMA_FILE); the built-in one when absent. */
  schema?: CompiledSchema;
}

function limits(env: NodeJS.ProcessEnv): ContractLimits {
  try {
    return limitsFromEnv(env);
  } catch (error) {
    if (error instanceof InvalidLimitError) throw new ConfigurationError(error.message);
    throw error;
  }
}

/** The parts queue (the stack always creates it) and the part sizes. */
function partsConfig(env: NodeJS.ProcessEnv): PartsConfig {
  return {
    queueUrl: required(env, ENV.partsQueueUrl),
    thresholdMb: positiveInt(env, ENV.fanoutThresholdMb, PARTS_DEFAULTS.thresholdMb),
    chunkMb: positiveInt(env, ENV.fanoutChunkMb, PARTS_DEFAULTS.chunkMb),
    maxReceives: positiveInt(env, ENV.partsMaxReceives, PARTS_DEFAULTS.maxReceives),
  };
}

/**
 * The order schema of ORDER_SCHEMA_FILE, resolved against the task root (Lambda's
 * LAMBDA_TASK_ROOT: the bundle's directory, where synth writes the file); the built-in schema when
 * unset. A broken or missing file is a deployment fault: every record fails (and is retried, then
 * dead-lettered), so no file is ever checked against rules nobody declared.
 */
export function schemaFromEnv(env: NodeJS.ProcessEnv): CompiledSchema {
  const file = env[ENV.orderSchemaFile]?.trim();
  if (!file) return BUILT_IN_SCHEMA;
  const path = isAbsolute(file) ? file : resolve(env.LAMBDA_TASK_ROOT ?? process.cwd(), file);
  try {
    return loadSchemaFile(path);
  } catch (error) {
    if (error instanceof SchemaFileError) throw new ConfigurationError(`${ENV.orderSchemaFile}: ${error.message}`);
    throw error;
  }
}

/** Reads the processor's environment contract (resource-names.ts ENV). */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ProcessorConfig {
  const dataBucket = env[ENV.dataBucket]?.trim();
  const stage = env[ENV.stage]?.trim();
  return {
    ordersTable: required(env, ENV.ordersTable),
    ingestionsTable: required(env, ENV.ingestionsTable),
    alertsTopicArn: required(env, ENV.alertsTopicArn),
    writeConcurrency: positiveInt(env, ENV.writeConcurrency, DEFAULTS.WRITE_CONCURRENCY),
    writeRetryDeadlineMs: positiveInt(env, ENV.writeRetryDeadlineMs, DEFAULTS.WRITE_RETRY_DEADLINE_MS),
    limits: limits(env),
    schema: schemaFromEnv(env),
    ...(dataBucket ? { dataBucket } : {}),
    parts: partsConfig(env),
    ...(stage ? { stage } : {}),
  };
}

export interface AwsClients {
  s3: S3Client;
  doc: DynamoDBDocumentClient;
  sns: SNSClient;
  /** For the parts queue. */
  sqs: SQSClient;
}

/**
 * The DynamoDB client the processor writes orders (and its ledger) with. The SDK's logger
 * middleware is removed: on every request it evaluates `inputFilterSensitiveLog(args.input)`,
 * walking all 25 items of a BatchWriteItem, to hand the result to the client's logger, which
 * discards it (none is configured: the default is a no-op logger); `npm run bench` prices that
 * per item written (docs/performance.md). Nothing else reads what it logs; the writer logs its own
 * retries and failures reach it as errors.
 */
export function dynamoClient(config: DynamoDBClientConfig = {}): DynamoDBClient {
  const client = new DynamoDBClient(config);
  client.middlewareStack.remove('loggerMiddleware');
  return client;
}

/**
 * Region, credentials and endpoint come from the standard SDK environment (AWS_ENDPOINT_URL
 * included). The emulator needs path-style S3 addressing; real AWS uses virtual-hosted style.
 */
export function clientsFromEnv(env: NodeJS.ProcessEnv = process.env): AwsClients {
  const s3 = new S3Client({ forcePathStyle: Boolean(env.AWS_ENDPOINT_URL || env.AWS_ENDPOINT_URL_S3) });
  const doc = DynamoDBDocumentClient.from(dynamoClient(), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return { s3, doc, sns: new SNSClient({}), sqs: new SQSClient({}) };
}

/** What the handler is built from: SDK clients, configuration, the contract reader, test hooks. */
export interface RecordDeps extends AwsClients {
  config: ProcessorConfig;
  readOrders: ReadOrders;
  now?: () => Date;
  /** Test hooks for the writer (sleep, clock, backoff). */
  writer?: Partial<Omit<WriterOptions, 'keyOf'>>;
}

/** Lease = the time this invocation may still run, plus a margin; then a retry may take over. */
export function leaseFor(context: Pick<Context, 'getRemainingTimeInMillis'> | undefined): number {
  const remaining = context?.getRemainingTimeInMillis?.();
  return typeof remaining === 'number' && remaining > 0 ? remaining + LEASE_MARGIN_MS : DEFAULT_LEASE_MS;
}

/** Time kept back on a message's last receive (a file's or a part's) to record that its file failed before Lambda stops the invocation. */
export const LAST_RECEIVE_MARGIN_MS = 10_000;

/** When work on its last receive must give up (no deadline when the context cannot tell the time left). */
export function lastReceiveDeadline(context: Pick<Context, 'getRemainingTimeInMillis'> | undefined): { deadlineMs?: number } {
  const remaining = context?.getRemainingTimeInMillis?.();
  return typeof remaining === 'number' && remaining > 0 ? { deadlineMs: Math.max(0, remaining - LAST_RECEIVE_MARGIN_MS) } : {};
}

/** The steps' ports over the SDK clients (adapters/). */
export function processorPorts(deps: RecordDeps, leaseMs: number, { logger, metrics }: Observability): ProcessorPorts {
  const { config } = deps;
  const schema = config.schema ?? BUILT_IN_SCHEMA;
  return {
    objects: s3ObjectStore(deps.s3),
    ledger: new Ledger(deps.doc, config.ingestionsTable, schema.identity),
    openOrderWriter: (options = {}) =>
      // With order lines, each line a conditional put: a newer file's line is never replaced (adapters/order-lines.ts).
      new DynamoBatchWriter(hasOrderLines(schema) ? orderLineSender(deps.doc, config.ordersTable) : orderBatchSender(deps.doc, config.ordersTable, ORDERS_KEY), {
        ...options,
        keyOf: (item) => orderItemKey(item, ORDERS_KEY),
        concurrency: config.writeConcurrency,
        retryDeadlineMs: config.writeRetryDeadlineMs,
        onRetry: (info) => logger.warn('Retrying DynamoDB batch write', info),
        ...deps.writer,
      }),
    orderLines: dynamoOrderLines(deps.doc, config.ordersTable),
    alerts: snsAlertPublisher(deps.sns, config.alertsTopicArn),
    readOrders: deps.readOrders,
    log: logger,
    metrics,
    now: deps.now ?? (() => new Date()),
    leaseMs,
    ...(config.stage ? { stage: config.stage } : {}),
    contract: { ...(config.limits ? { limits: config.limits } : {}), schema },
    parts: partsSettings(deps, config.parts, schema),
  };
}

const MiB = 1024 * 1024;

function partsSettings(deps: RecordDeps, parts: PartsConfig, schema: CompiledSchema): PartsSettings {
  return { queue: sqsPartsQueue(deps.sqs, parts.queueUrl), ...splitSizes(parts, schema), maxReceives: parts.maxReceives };
}

/**
 * Where files are split and how large their parts are: FANOUT_THRESHOLD_MB and FANOUT_CHUNK_MB, each
 * divided by ORDER_LINES_SPLIT_DIVISOR (at least 1 MiB) under a schema with order lines, whose rows
 * cost 10–70 times the CPU to write (defaults.ts).
 */
export function splitSizes(parts: Pick<PartsConfig, 'thresholdMb' | 'chunkMb'>, schema: Pick<CompiledSchema, 'lines'>): Pick<PartsSettings, 'thresholdBytes' | 'chunkBytes'> {
  const divisor = hasOrderLines(schema) ? ORDER_LINES_SPLIT_DIVISOR : 1;
  const bytes = (mb: number) => Math.max(MiB, Math.floor((mb * MiB) / divisor));
  return { thresholdBytes: bytes(parts.thresholdMb), chunkBytes: bytes(parts.chunkMb) };
}

/** The dependencies of the deployed function: SDK clients and configuration from the environment, the contract's reader. */
export function depsFromEnv(env: NodeJS.ProcessEnv = process.env): RecordDeps {
  return { ...clientsFromEnv(env), config: configFromEnv(env), readOrders };
}

/**
 * The Lambda handler over a dependency provider (called on every record; the provider caches):
 * the one place the handler is wired. handler.ts provides depsFromEnv; tests provide clients with
 * injected faults.
 */
export function createSqsHandler(provideDeps: () => RecordDeps): SqsHandler {
  return createBatchHandler(() => {
    const deps = provideDeps();
    const ports = (context: Context | undefined) => processorPorts(deps, leaseFor(context), observability());
    return {
      ...(deps.config.dataBucket ? { dataBucket: deps.config.dataBucket } : {}),
      handleFile: (ref, context, receiveCount) => processFile(ref, ports(context), { receiveCount, ...lastReceiveDeadline(context) }),
      handlePart: (message, context, receiveCount) => handlePart(message, receiveCount, ports(context), lastReceiveDeadline(context)),
    };
  });
}
