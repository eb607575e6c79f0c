/**
 * The SQS event Lambda's event-source mapping would hand the function for one uploaded object:
 * an EventBridge "Object Created" event in the shape moto emits (eTag, version-id, epoch time),
 * wrapped by the same builders the local poller uses (cli/lib/sqs-event.ts).
 */
import type { Context, SQSEvent } from 'aws-lambda';
import { lambdaContext, toSqsEvent } from '../cli/lib/sqs-event.ts';

export interface UploadedObject {
  bucket: string;
  key: string;
  etag: string;
  versionId: string | null;
  size: number;
}

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

function objectCreatedBody(obj: UploadedObject): string {
  return JSON.stringify({
    version: '0',
    id: '17793124-05d4-b198-2fde-7ededc63b103',
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: ACCOUNT,
    time: Math.floor(Date.now() / 1000),
    region: REGION,
    resources: [`arn:aws:s3:::${obj.bucket}`],
    detail: {
      version: '0',
      bucket: { name: obj.bucket },
      object: { key: obj.key, size: obj.size, eTag: obj.etag, 'version-id': obj.versionId, sequencer: '617f08299329d189' },
      'request-id': 'N4N7GDK58NMKJ12R',
      requester: ACCOUNT,
      reason: 'PutObject',
    },
  });
}

export function objectCreatedEvent(obj: UploadedObject): SQSEvent {
  const now = String(Date.now());
  return toSqsEvent(
    [
      {
        MessageId: '00000000-0000-4000-8000-000000000001',
        ReceiptHandle: 'bench-receipt-1',
        Body: objectCreatedBody(obj),
        Attributes: { ApproximateReceiveCount: '1', SentTimestamp: now, ApproximateFirstReceiveTimestamp: now },
      },
    ],
    { arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:order-pipeline-bench-ingest`, region: REGION },
  );
}

/** A Lambda context counting down from 15 minutes (Lambda's maximum timeout), 1024 MB. */
export function benchContext(): Context {
  const functionName = 'order-pipeline-bench-processor';
  return lambdaContext({
    functionName,
    functionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${functionName}`,
    memoryMb: 1024,
    timeoutSeconds: 900,
  });
}
