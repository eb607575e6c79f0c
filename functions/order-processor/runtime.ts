/**
 * Per-container wiring for the handler: configuration from the environment, SDK clients, and the
 * per-record logic. Everything is built on first use (not at import) so a local poller can import
 * the handler and then set process.env.
 */
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { decodeMessageBody, isLandingKey, MalformedEventError } from './event.ts';
import { observability } from './observability.ts';
import { FileBusyError, processFile, type ProcessorConfig, type ProcessorDeps } from './pipeline/process-file.ts';
import { ENV, PREFIX } from './settings.ts';

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

/** Reads the processor's environment contract (settings.ts ENV). */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): Omit<ProcessorConfig, 'leaseMs'> {
  const dataBucket = env[ENV.dataBucket]?.trim();
  const stage = env[ENV.stage]?.trim();
  return {
    ordersTable: required(env, ENV.ordersTable),
    ingestionsTable: required(env, ENV.ingestionsTable),
    alertsTopicArn: required(env, ENV.alertsTopicArn),
    writeConcurrency: positiveInt(env, ENV.writeConcurrency, 4),
    writeRetryDeadlineMs: positiveInt(env, ENV.writeRetryDeadlineMs, 60_000),
    ...(dataBucket ? { dataBucket } : {}),
    ...(stage ? { stage } : {}),
  };
}

export interface AwsClients {
  s3: S3Client;
  doc: DynamoDBDocumentClient;
  sns: SNSClient;
}

/**
 * Region, credentials and endpoint come from the standard SDK environment (AWS_ENDPOINT_URL
 * included). The emulator needs path-style S3 addressing; real AWS uses virtual-hosted style.
 */
export function clientsFromEnv(env: NodeJS.ProcessEnv = process.env): AwsClients {
  const s3 = new S3Client({ forcePathStyle: Boolean(env.AWS_ENDPOINT_URL || env.AWS_ENDPOINT_URL_S3) });
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return { s3, doc, sns: new SNSClient({}) };
}

export type RecordDeps = Omit<ProcessorDeps, 'config' | 'logger' | 'metrics'> & {
  config: Omit<ProcessorConfig, 'leaseMs'>;
};

/** Lease = the time this invocation may still run, plus a margin; then a retry may take over. */
function leaseFor(context: Context | undefined): number {
  const remaining = context?.getRemainingTimeInMillis?.();
  return typeof remaining === 'number' && remaining > 0 ? remaining + 30_000 : DEFAULT_LEASE_MS;
}

/**
 * Handles one SQS record. Throws only for infrastructure faults (and for messages that can never
 * be handled, so they reach the DLQ where someone looks); bad CSV data is an outcome, not an error.
 */
export async function handleRecord(record: SQSRecord, context: Context | undefined, deps: RecordDeps): Promise<void> {
  const { logger, metrics } = observability();
  logger.resetKeys();
  logger.appendKeys({
    message_id: record.messageId,
    receive_count: Number(record.attributes?.ApproximateReceiveCount ?? 0),
  });
  let decoded;
  try {
    decoded = decodeMessageBody(record.body);
  } catch (error) {
    if (error instanceof MalformedEventError) {
      logger.error('Unusable message: failing it so it moves to the DLQ after the maximum receives', {
        reason: error.message,
        body_start: record.body.slice(0, 200),
      });
    }
    throw error;
  }
  if (decoded.kind === 'ignored') {
    logger.info('Message needs no processing', { reason: decoded.reason });
    return;
  }
  for (const ref of decoded.objects) {
    logger.appendKeys({ s3_key: ref.key, bucket: ref.bucket, version_id: ref.versionId });
    logger.setCorrelationId(`s3://${ref.bucket}/${ref.key}`);
    if (ref.key.endsWith('/')) {
      // The S3 console's "Create folder" writes an empty object named like this: not a file.
      logger.info('Ignoring a folder placeholder', { size: ref.size });
      continue;
    }
    if (!isLandingKey(ref.key)) {
      logger.warn(`Ignoring an object outside ${PREFIX.raw}`, { size: ref.size });
      continue;
    }
    if (deps.config.dataBucket && ref.bucket !== deps.config.dataBucket) {
      logger.warn('Ignoring an object from another bucket', { expected_bucket: deps.config.dataBucket });
      continue;
    }
    try {
      await processFile(ref, { ...deps, config: { ...deps.config, leaseMs: leaseFor(context) }, logger, metrics });
    } catch (error) {
      const detail = { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
      if (error instanceof FileBusyError) logger.warn('File is busy; the record fails and SQS will redeliver it', detail);
      else logger.error('Infrastructure fault; the record fails and SQS will redeliver it (DLQ after the maximum receives)', detail);
      throw error;
    }
  }
}

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/**
 * The Lambda handler over a dependency provider (called on every invocation; the provider caches).
 * handler.ts wires the real clients; tests wire clients with injected faults.
 */
export function createSqsHandler(provideDeps: () => RecordDeps): SqsHandler {
  return async (event, context) => {
    // A processor per invocation: it holds per-batch state, and a local poller may invoke
    // the handler concurrently in one process.
    const processor = new BatchProcessor(EventType.SQS);
    const { logger, metrics } = observability();
    // Function name, request id and cold start on every log line.
    logger.addContext(context);
    const recordHandler = (record: SQSRecord) => handleRecord(record, context, provideDeps());
    try {
      // throwOnFullBatchFailure: false — each failed record is reported in batchItemFailures and
      // redelivered by SQS on its own (DLQ after maxReceiveCount); throwing would instead count as
      // a function error for a batch whose records were each already accounted for.
      // processInParallel: false — one file at a time keeps memory and DynamoDB concurrency
      // bounded per invocation and the log keys unambiguous.
      return await processPartialResponse(event, recordHandler, processor, {
        context,
        throwOnFullBatchFailure: false,
        processInParallel: false,
      });
    } finally {
      // Per invocation, not at module scope (DESIGN §9).
      metrics.publishStoredMetrics();
    }
  };
}
