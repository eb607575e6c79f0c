/**
 * Builds the SQS event and Context exactly as Lambda's event-source mapping hands them to the
 * function, from messages received with the SDK. Pure: no AWS calls here.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Context, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';

/** What the poller knows about the queue it reads. */
export interface QueueInfo {
  arn: string;
  region: string;
}

function toRecordAttributes(message: Message): SQSRecord['attributes'] {
  const a = message.Attributes ?? {};
  const attributes: SQSRecord['attributes'] = {
    ApproximateReceiveCount: a.ApproximateReceiveCount ?? '1',
    SentTimestamp: a.SentTimestamp ?? String(Date.now()),
    SenderId: a.SenderId ?? 'UNKNOWN',
    ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
  };
  // Only present on some queues (FIFO, X-Ray, redriven messages); Lambda passes them when set.
  for (const name of ['AWSTraceHeader', 'SequenceNumber', 'MessageGroupId', 'MessageDeduplicationId', 'DeadLetterQueueSourceArn'] as const) {
    const value = a[name];
    if (value !== undefined) attributes[name] = value;
  }
  return attributes;
}

/** SDK message attributes (PascalCase, Uint8Array binaries) → Lambda's camelCase, base64 binaries. */
export function toRecordMessageAttributes(attributes: Record<string, MessageAttributeValue> | undefined): SQSMessageAttributes {
  const out: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    out[name] = {
      dataType: value.DataType ?? 'String',
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { binaryValue: Buffer.from(value.BinaryValue).toString('base64') } : {}),
      stringListValues: [],
      binaryListValues: [],
    };
  }
  return out;
}

export function toSqsRecord(message: Message, queue: QueueInfo): SQSRecord {
  const body = message.Body ?? '';
  const record: SQSRecord = {
    messageId: message.MessageId ?? randomUUID(),
    receiptHandle: message.ReceiptHandle ?? '',
    body,
    attributes: toRecordAttributes(message),
    messageAttributes: toRecordMessageAttributes(message.MessageAttributes),
    md5OfBody: message.MD5OfBody ?? createHash('md5').update(body, 'utf8').digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: queue.arn,
    awsRegion: queue.region,
  };
  if (message.MD5OfMessageAttributes) record.md5OfMessageAttributes = message.MD5OfMessageAttributes;
  return record;
}

export function toSqsEvent(messages: Message[], queue: QueueInfo): SQSEvent {
  return { Records: messages.map((m) => toSqsRecord(m, queue)) };
}

/** The deployed function's facts the Context is built from (GetFunctionConfiguration). */
export interface FunctionInfo {
  functionName: string;
  functionArn: string;
  version?: string;
  memoryMb?: number;
  timeoutSeconds?: number;
  logGroupName?: string;
}

/** A Lambda Context whose remaining time counts down from the function's timeout. */
export function lambdaContext(fn: FunctionInfo, now: () => number = Date.now): Context {
  const deadline = now() + (fn.timeoutSeconds ?? 60) * 1000;
  const day = new Date(now()).toISOString().slice(0, 10).replaceAll('-', '/');
  const requestId = randomUUID();
  const unsupported = () => {
    throw new Error('callback-style completion is not supported; return a promise');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: fn.functionName,
    functionVersion: fn.version ?? '$LATEST',
    invokedFunctionArn: fn.functionArn,
    memoryLimitInMB: String(fn.memoryMb ?? 128),
    awsRequestId: requestId,
    logGroupName: fn.logGroupName ?? `/aws/lambda/${fn.functionName}`,
    logStreamName: `${day}/[${fn.version ?? '$LATEST'}]${requestId.replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

/** Receipt handles of the messages that succeeded: every record not named in batchItemFailures. */
export function succeededMessages<T extends { MessageId?: string | undefined }>(
  messages: T[],
  failures: { itemIdentifier: string }[] | undefined,
): { succeeded: T[]; failed: T[] } {
  const failedIds = new Set((failures ?? []).map((f) => f.itemIdentifier));
  const succeeded: T[] = [];
  const failed: T[] = [];
  for (const m of messages) (failedIds.has(m.MessageId ?? '') ? failed : succeeded).push(m);
  return { succeeded, failed };
}

/**
 * Backoff before a failed message becomes visible again locally: 1 s, 2 s, 4 s … capped at 30 s.
 * (The deployed visibility timeout is ≥ 6 × the function timeout, minutes; locally that would make
 * a retry, and the walk to the DLQ, needlessly slow.)
 */
export function retryVisibilitySeconds(receiveCount: number): number {
  return Math.min(30, 2 ** Math.max(0, receiveCount - 1));
}
