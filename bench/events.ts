/**
 * The SQS event Lambda's event-source mapping would hand the function for one uploaded object:
 * an EventBridge "Object Created" event in the shape moto emits (eTag, version-id, epoch time).
 */
import type { Context, SQSEvent } from 'aws-lambda';

export interface UploadedObject {
  bucket: string;
  key: string;
  etag: string;
  versionId: string | null;
  size: number;
}

export function objectCreatedEvent(obj: UploadedObject): SQSEvent {
  const body = JSON.stringify({
    version: '0',
    id: '17793124-05d4-b198-2fde-7ededc63b103',
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: '123456789012',
    time: Math.floor(Date.now() / 1000),
    region: 'us-east-1',
    resources: [`arn:aws:s3:::${obj.bucket}`],
    detail: {
      version: '0',
      bucket: { name: obj.bucket },
      object: { key: obj.key, size: obj.size, eTag: obj.etag, 'version-id': obj.versionId, sequencer: '617f08299329d189' },
      'request-id': 'N4N7GDK58NMKJ12R',
      requester: '123456789012',
      reason: 'PutObject',
    },
  });
  const now = String(Date.now());
  return {
    Records: [
      {
        messageId: '00000000-0000-4000-8000-000000000001',
        receiptHandle: 'bench-receipt-1',
        body,
        attributes: { ApproximateReceiveCount: '1', SentTimestamp: now, SenderId: 'AIDAEXAMPLE', ApproximateFirstReceiveTimestamp: now },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:order-pipeline-bench-ingest',
        awsRegion: 'us-east-1',
      },
    ],
  };
}

/** A Lambda context with 15 minutes left (Lambda's maximum timeout). */
export function benchContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'order-pipeline-bench-processor',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:order-pipeline-bench-processor',
    memoryLimitInMB: '1024',
    awsRequestId: 'bench-request-1',
    logGroupName: '/aws/lambda/order-pipeline-bench-processor',
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => 900_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
