/**
 * What Lambda hands the processor, built exactly as AWS builds it: the EventBridge "Object
 * Created" event S3 emits for an upload (the SQS message body), the SQS event the event-source
 * mapping makes of received messages, and the invocation's Context. One set of builders for the
 * local runtime, the unit and integration tests and the benchmark. Pure: no AWS calls here.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Context, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';

// The S3 "Object Created" event, as the SQS message body EventBridge delivers.

export interface CreatedObject {
  bucket: string;
  key: string;
  size: number;
  etag: string;
  versionId: string | null;
}

export interface ObjectCreatedOptions {
  /** `moto` (the default): `eTag` and epoch-seconds time, as moto emits; `aws`: `etag` and ISO time. */
  shape?: 'moto' | 'aws';
  time?: string | number;
  /** Merged into `detail.object` (an `undefined` value removes a field). */
  object?: Record<string, unknown>;
  /** Merged into the top level of the event. */
  extra?: Record<string, unknown>;
}

const ACCOUNT = '123456789012';

export function objectCreatedBody(obj: CreatedObject, options: ObjectCreatedOptions = {}): string {
  const shape = options.shape ?? 'moto';
  const object: Record<string, unknown> = {
    key: obj.key,
    size: obj.size,
    [shape === 'moto' ? 'eTag' : 'etag']: obj.etag,
    'version-id': obj.versionId,
    sequencer: '617f08299329d189',
    ...options.object,
  };
  return JSON.stringify({
    version: '0',
    // Constant, as moto's are: nothing may key idempotency on the event id (the ledger keys on bucket, key and version).
    id: '17793124-05d4-b198-2fde-7ededc63b103',
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: ACCOUNT,
    time: options.time ?? (shape === 'moto' ? Math.floor(Date.now() / 1000) : new Date().toISOString()),
    region: 'us-east-1',
    resources: [`arn:aws:s3:::${obj.bucket}`],
    detail: { version: '0', bucket: { name: obj.bucket }, object, 'request-id': 'N4N7GDK58NMKJ12R', requester: ACCOUNT, reason: 'PutObject' },
    ...options.extra,
  });
}

// The SQS event the event-source mapping makes of received messages.

/** The queue the messages were received from. */
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

// The invocation's Context.

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
