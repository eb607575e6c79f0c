/**
 * The SQS event Lambda's event-source mapping would hand the function for one uploaded object:
 * an EventBridge "Object Created" event in the shape moto emits (eTag, version-id, epoch time),
 * wrapped by the same builders the local poller uses (tooling/lambda-events.ts).
 */
import type { Context, SQSEvent } from 'aws-lambda';
import { lambdaContext, objectCreatedBody, toSqsEvent, type CreatedObject } from '../tooling/lambda-events.ts';

export type UploadedObject = CreatedObject;

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

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
