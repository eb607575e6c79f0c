/**
 * One SQS batch of S3 event messages (ingest queue) or part messages (parts queue): decode each
 * message, skip what needs no work, hand each file or part on, and report the records that failed
 * (Powertools partial batch responses), so one bad file does not redeliver its batch-mates.
 */
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { decodeMessageBody, isFolderPlaceholder, isLandingKey, MalformedEventError, type ObjectRef, type PartMessage } from './event.ts';
import { observability } from './observability.ts';
import { describeError, FileBusyError } from './pipeline/errors.ts';
import { PREFIX } from './resource-names.ts';

/** What the batch handler does with each file (runtime.ts wires processFile; unit tests a function). */
export interface FileHandling {
  /** When set, objects of other buckets are ignored. */
  dataBucket?: string;
  /** Throws for infrastructure faults only: the record then fails and SQS redelivers it. */
  handleFile(ref: ObjectRef, context: Context | undefined, receiveCount: number): Promise<unknown>;
  /** One part of a large file; `receiveCount` is the message's ApproximateReceiveCount. Throws like handleFile. */
  handlePart(message: PartMessage, context: Context | undefined, receiveCount: number): Promise<unknown>;
}

/**
 * Handles one SQS record. Throws only for infrastructure faults (and for messages that can never
 * be handled, so they reach the DLQ where someone looks); bad CSV data is an outcome, not an error.
 */
export async function handleRecord(record: SQSRecord, context: Context | undefined, handling: FileHandling): Promise<void> {
  const { logger } = observability();
  const receiveCount = Number(record.attributes?.ApproximateReceiveCount ?? 0);
  logger.resetKeys();
  logger.appendKeys({ message_id: record.messageId, receive_count: receiveCount });
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
  if (decoded.kind === 'part') {
    await handlePartRecord(decoded.part, context, receiveCount, handling);
    return;
  }
  for (const ref of decoded.objects) {
    logger.appendKeys({ s3_key: ref.key, bucket: ref.bucket, version_id: ref.versionId });
    logger.setCorrelationId(`s3://${ref.bucket}/${ref.key}`);
    if (isFolderPlaceholder(ref)) {
      logger.info('Ignoring a folder placeholder', { size: ref.size });
      continue;
    }
    if (!isLandingKey(ref.key)) {
      logger.warn(`Ignoring an object outside ${PREFIX.raw}`, { size: ref.size });
      continue;
    }
    if (handling.dataBucket && ref.bucket !== handling.dataBucket) {
      logger.warn('Ignoring an object from another bucket', { expected_bucket: handling.dataBucket });
      continue;
    }
    await logFailure(() => handling.handleFile(ref, context, receiveCount));
  }
}

/** Logs why a record fails (a busy file is expected now and then; anything else is a fault), then rethrows. */
async function logFailure(work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (error) {
    const { logger } = observability();
    const detail = { error: describeError(error) };
    if (error instanceof FileBusyError) logger.warn('File is busy; the record fails and SQS will redeliver it', detail);
    else logger.error('Infrastructure fault; the record fails and SQS will redeliver it (DLQ after the maximum receives)', detail);
    throw error;
  }
}

async function handlePartRecord(part: PartMessage, context: Context | undefined, receiveCount: number, handling: FileHandling): Promise<void> {
  const { logger } = observability();
  logger.appendKeys({ s3_key: part.key, bucket: part.bucket, version_id: part.versionId, ingestion_id: part.ingestionId, part: part.part, parts: part.parts, part_phase: part.phase });
  logger.setCorrelationId(`s3://${part.bucket}/${part.key}`);
  await logFailure(() => handling.handlePart(part, context, receiveCount));
}

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/** The Lambda handler over a provider of file handling (called for every record; the provider caches). */
export function createBatchHandler(provide: () => FileHandling): SqsHandler {
  return async (event, context) => {
    // A processor per invocation: it holds per-batch state, and a local poller may invoke
    // the handler concurrently in one process.
    const processor = new BatchProcessor(EventType.SQS);
    const { logger, metrics } = observability();
    // Function name, request id and cold start on every log line.
    logger.addContext(context);
    const recordHandler = (record: SQSRecord) => handleRecord(record, context, provide());
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
      // Per invocation, not at module scope: metrics buffered at module scope would be lost or
      // mixed between invocations (and a local poller runs several in one process).
      metrics.publishStoredMetrics();
    }
  };
}
