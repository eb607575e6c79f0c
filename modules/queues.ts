/**
 * The shape every work queue of the stack shares (the ingest queue in ingestion.ts, the parts queue
 * in parts.ts): a queue that feeds the processor, redriven to its own dead-letter queue, encrypted,
 * and guarded by a TLS-only queue policy.
 */
import type { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document/index.js';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue/index.js';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy/index.js';
import type { Construct } from 'constructs';
import { denyInsecureTransport, policyDocument } from './policy.ts';

/** Receives after which a message is parked in its DLQ (a poison message must not loop forever). */
export const MAX_RECEIVE_COUNT = 3;
/** Work queues keep a message 4 days (the SQS default): long enough to outlast a paused delivery over a weekend. */
export const MESSAGE_RETENTION_SECONDS = 4 * 24 * 3600;
/** DLQs keep a message 14 days (the SQS maximum), so an operator can inspect it and act after a fix. */
export const DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600;
/**
 * A message stays invisible this many function timeouts after a receive, so a message still being
 * worked on is not handed to a second invocation (AWS recommends at least 6× for SQS → Lambda).
 */
export const VISIBILITY_TIMEOUTS_PER_FUNCTION_TIMEOUT = 6;

export interface RedrivenQueue {
  readonly queue: SqsQueue;
  readonly deadLetterQueue: SqsQueue;
}

/**
 * Queue `name` and its DLQ `name-dlq`, created in `scope` with the ids `queue` and
 * `dead-letter-queue`: SQS-managed encryption, redrive after MAX_RECEIVE_COUNT receives, and a
 * visibility of 6× the function timeout.
 */
export function redrivenQueue(scope: Construct, name: string, functionTimeoutSeconds: number): RedrivenQueue {
  const deadLetterQueue = new SqsQueue(scope, 'dead-letter-queue', {
    name: `${name}-dlq`,
    messageRetentionSeconds: DEAD_LETTER_RETENTION_SECONDS,
    sqsManagedSseEnabled: true,
  });
  const queue = new SqsQueue(scope, 'queue', {
    name,
    visibilityTimeoutSeconds: VISIBILITY_TIMEOUTS_PER_FUNCTION_TIMEOUT * functionTimeoutSeconds,
    messageRetentionSeconds: MESSAGE_RETENTION_SECONDS,
    // Long polling: fewer empty receives while the queue is idle.
    receiveWaitTimeSeconds: 20,
    sqsManagedSseEnabled: true,
    redrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetterQueue.arn, maxReceiveCount: MAX_RECEIVE_COUNT }),
  });
  return { queue, deadLetterQueue };
}

/**
 * The queue policy of `queue` (resource `<id>-policy`, document `<id>-policy-document`):
 * `statements` plus the TLS-only Deny every queue carries. Returns the document, so a construct
 * can grow its statements later (`putStatement`).
 */
export function queuePolicy(
  scope: Construct,
  id: string,
  queue: Pick<SqsQueue, 'arn' | 'url'>,
  statements: DataAwsIamPolicyDocumentStatement[],
): DataAwsIamPolicyDocument {
  const document = policyDocument(scope, `${id}-policy-document`, withTlsOnly(queue, statements));
  new SqsQueuePolicy(scope, `${id}-policy`, { queueUrl: queue.url, policy: document.json });
  return document;
}

/** `statements` followed by the Deny of any request to `queue` made over plain HTTP. */
export function withTlsOnly(queue: Pick<SqsQueue, 'arn'>, statements: DataAwsIamPolicyDocumentStatement[]): DataAwsIamPolicyDocumentStatement[] {
  return [...statements, denyInsecureTransport(['sqs:*'], [queue.arn])];
}
