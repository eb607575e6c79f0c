import { describe, expect, it } from 'vitest';
import type { Message } from '@aws-sdk/client-sqs';
import { lambdaContext, objectCreatedBody, toSqsEvent, toSqsRecord } from '../../../tooling/lambda-events.ts';

const QUEUE = { arn: 'arn:aws:sqs:us-east-1:123456789012:order-pipeline-local-ingest', region: 'us-east-1' };

function aMessage(overrides: Partial<Message> = {}): Message {
  return {
    MessageId: 'm-1',
    ReceiptHandle: 'rh-1',
    Body: '{"source":"aws.s3"}',
    MD5OfBody: 'abc',
    Attributes: {
      ApproximateReceiveCount: '2',
      SentTimestamp: '1700000000000',
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: '1700000000100',
    },
    ...overrides,
  };
}

describe('toSqsRecord', () => {
  it('shapes a received message exactly as Lambda does', () => {
    // Prepare
    const message = aMessage();

    // Act
    const record = toSqsRecord(message, QUEUE);

    // Assess
    expect(record).toEqual({
      messageId: 'm-1',
      receiptHandle: 'rh-1',
      body: '{"source":"aws.s3"}',
      attributes: {
        ApproximateReceiveCount: '2',
        SentTimestamp: '1700000000000',
        SenderId: 'AIDAEXAMPLE',
        ApproximateFirstReceiveTimestamp: '1700000000100',
      },
      messageAttributes: {},
      md5OfBody: 'abc',
      eventSource: 'aws:sqs',
      eventSourceARN: QUEUE.arn,
      awsRegion: 'us-east-1',
    });
  });

  it('converts message attributes to camelCase with base64 binaries', () => {
    // Prepare
    const message = aMessage({
      MessageAttributes: {
        origin: { DataType: 'String', StringValue: 'test' },
        blob: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2, 3]) },
      },
      MD5OfMessageAttributes: 'def',
    });

    // Act
    const record = toSqsRecord(message, QUEUE);

    // Assess
    expect(record.messageAttributes).toEqual({
      origin: { dataType: 'String', stringValue: 'test', stringListValues: [], binaryListValues: [] },
      blob: { dataType: 'Binary', binaryValue: 'AQID', stringListValues: [], binaryListValues: [] },
    });
    expect(record.md5OfMessageAttributes).toBe('def');
  });

  it('computes md5OfBody when the SDK did not return it', () => {
    // Prepare
    const message = aMessage({ Body: 'hello', MD5OfBody: undefined });

    // Act
    const record = toSqsRecord(message, QUEUE);

    // Assess
    expect(record.md5OfBody).toBe('5d41402abc4b2a76b9719d911017c592');
  });
});

describe('toSqsEvent', () => {
  it('keeps the batch order', () => {
    // Act
    const event = toSqsEvent([aMessage({ MessageId: 'a' }), aMessage({ MessageId: 'b' })], QUEUE);

    // Assess
    expect(event.Records.map((r) => r.messageId)).toEqual(['a', 'b']);
  });
});

describe('lambdaContext', () => {
  it('counts the remaining time down from the function timeout', () => {
    // Prepare
    let now = 1_000_000;
    const context = lambdaContext(
      { functionName: 'fn', functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:fn', memoryMb: 1024, timeoutSeconds: 30 },
      () => now,
    );

    // Act
    now += 10_000;

    // Assess
    expect(context.getRemainingTimeInMillis()).toBe(20_000);
    expect(context.memoryLimitInMB).toBe('1024');
    expect(context.functionVersion).toBe('$LATEST');
    expect(context.logGroupName).toBe('/aws/lambda/fn');
    expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('objectCreatedBody', () => {
  const object = { bucket: 'b', key: 'raw-data/a.csv', size: 10, etag: 'e1', versionId: 'v1' };

  it('builds the event as moto emits it by default: eTag and epoch seconds', () => {
    // Act
    const event = JSON.parse(objectCreatedBody(object, { time: 1700000000 })) as Record<string, unknown> & { detail: { object: Record<string, unknown> } };

    // Assess
    expect(event).toMatchObject({ source: 'aws.s3', 'detail-type': 'Object Created', time: 1700000000, detail: { bucket: { name: 'b' } } });
    expect(event.detail.object).toMatchObject({ key: 'raw-data/a.csv', size: 10, eTag: 'e1', 'version-id': 'v1' });
  });

  it('builds the event as AWS emits it when asked: etag and ISO time', () => {
    // Act
    const event = JSON.parse(objectCreatedBody(object, { shape: 'aws' })) as { time: string; detail: { object: Record<string, unknown> } };

    // Assess
    expect(event.detail.object).toMatchObject({ etag: 'e1' });
    expect(event.detail.object).not.toHaveProperty('eTag');
    expect(Number.isNaN(Date.parse(event.time))).toBe(false);
  });
});
