import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createBatchHandler, type FileHandling } from '../../../functions/order-processor/batch.ts';
import { partMessageBody, type ObjectRef, type PartMessage } from '../../../functions/order-processor/event.ts';
import { resetObservability } from '../../../functions/order-processor/observability.ts';
import { FileBusyError } from '../../../functions/order-processor/pipeline/errors.ts';
import { lambdaContext, objectCreatedBody, toSqsEvent } from '../../../tooling/lambda-events.ts';

const BUCKET = 'bkt';
const QUEUE = { arn: 'arn:aws:sqs:us-east-1:123456789012:ingest', region: 'us-east-1' };
const context: Context = lambdaContext({ functionName: 'processor', functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:processor' });

const created = (key: string, bucket = BUCKET, size = 10) => objectCreatedBody({ bucket, key, size, etag: 'e', versionId: 'v' });
const event = (...bodies: string[]) => toSqsEvent(bodies.map((Body, i) => ({ MessageId: `m-${i + 1}`, Body })), QUEUE);
const part = (index: number): PartMessage => ({ phase: 'scan', bucket: BUCKET, key: 'raw-data/big.csv', versionId: 'v', etag: 'e', size: 9, ingestionId: 'i-1', planId: 'p-1', part: index, parts: 4 });

/** A file handler that records the files it is given and fails the ones named in `failures`. */
function handling(failures: Record<string, Error> = {}): FileHandling & { files: ObjectRef[] } {
  const files: ObjectRef[] = [];
  return {
    files,
    dataBucket: BUCKET,
    async handleFile(ref) {
      files.push(ref);
      const failure = failures[ref.key];
      if (failure) throw failure;
    },
    async handlePart() {
      throw new Error('no part expected');
    },
  };
}

let output: string[] = [];
const logged = () =>
  output
    .flatMap((chunk) => chunk.split('\n'))
    .filter((l) => l.startsWith('{') && l.includes('"level"'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

beforeEach(() => {
  output = [];
  resetObservability();
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      output.push(String(chunk));
      return true;
    });
  }
});

afterEach(() => {
  vi.restoreAllMocks();
  resetObservability();
});

describe('createBatchHandler', () => {
  it('reports only the records that failed, so SQS redelivers them alone', async () => {
    // Prepare
    const files = handling({ 'raw-data/b.csv': new Error('DynamoDB is down') });
    const batch = event(created('raw-data/a.csv'), created('raw-data/b.csv'), 'not json', created('raw-data/c.csv'));
    // Act
    const response = await createBatchHandler(() => files)(batch, context);
    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-2' }, { itemIdentifier: 'm-3' }]);
    expect(files.files.map((f) => f.key)).toEqual(['raw-data/a.csv', 'raw-data/b.csv', 'raw-data/c.csv']);
    const fault = logged().find((l) => String(l.message).startsWith('Infrastructure fault'));
    expect(fault).toMatchObject({ level: 'ERROR', error: 'Error: DynamoDB is down', s3_key: 'raw-data/b.csv', message_id: 'm-2' });
  });

  it('fails a malformed message and says why, so it reaches the DLQ', async () => {
    // Prepare
    const files = handling();
    const body = JSON.stringify({ source: 'aws.s3', 'detail-type': 'Object Created', detail: { bucket: { name: BUCKET }, object: { size: 1 } } });
    // Act
    const response = await createBatchHandler(() => files)(event(body), context);
    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
    expect(files.files).toEqual([]);
    expect(logged().find((l) => l.level === 'ERROR')).toMatchObject({
      message: 'Unusable message: failing it so it moves to the DLQ after the maximum receives',
      reason: 'detail.object.key is missing or not a string',
      body_start: body.slice(0, 200),
    });
  });

  it.each([
    ['an S3 test event', JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: BUCKET }), 'Message needs no processing'],
    ['an Object Deleted event', objectCreatedBody({ bucket: BUCKET, key: 'raw-data/a.csv', size: 0, etag: 'e', versionId: 'v' }, { extra: { 'detail-type': 'Object Deleted' } }), 'Message needs no processing'],
    ['a folder placeholder', created('raw-data/folder/', BUCKET, 0), 'Ignoring a folder placeholder'],
    ['an object outside raw-data/', created('archive/a.csv'), 'Ignoring an object outside raw-data/'],
    ['an object of another bucket', created('raw-data/a.csv', 'someone-else'), 'Ignoring an object from another bucket'],
  ])('acknowledges %s without handling a file', async (_what, body, message) => {
    // Prepare
    const files = handling();
    // Act
    const response = await createBatchHandler(() => files)(event(body), context);
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(files.files).toEqual([]);
    expect(logged().some((l) => l.message === message)).toBe(true);
  });

  it.each([['raw-data/folder/'], ['raw-data/']])('hands a non-empty object named %j to the file handler: only an empty one is a folder placeholder', async (key) => {
    // Prepare
    const files = handling();
    // Act
    const response = await createBatchHandler(() => files)(event(created(key)), context);
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(files.files.map((f) => f.key)).toEqual([key]);
    expect(logged().some((l) => l.message === 'Ignoring a folder placeholder')).toBe(false);
  });

  it('fails a busy file with a warning, not an error', async () => {
    // Prepare
    const files = handling({ 'raw-data/a.csv': new FileBusyError('held by another attempt') });
    // Act
    const response = await createBatchHandler(() => files)(event(created('raw-data/a.csv')), context);
    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
    expect(logged().filter((l) => l.level === 'ERROR')).toEqual([]);
    expect(logged().find((l) => l.level === 'WARN')).toMatchObject({ message: 'File is busy; the record fails and SQS will redeliver it', error: 'FileBusyError: held by another attempt' });
  });

  it('hands on every created object of a classic notification, with the key URL-decoded', async () => {
    // Prepare
    const files = handling();
    const record = (key: string) => ({ eventName: 'ObjectCreated:Put', eventTime: '2026-11-22T04:00:00Z', s3: { bucket: { name: BUCKET }, object: { key, size: 1, eTag: 'e' } } });
    const body = JSON.stringify({ Records: [record('raw-data/a+b.csv'), record('raw-data/c%2Bd.csv')] });
    // Act
    const response = await createBatchHandler(() => files)(event(body), context);
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(files.files.map((f) => f.key)).toEqual(['raw-data/a b.csv', 'raw-data/c+d.csv']);
  });

  it('fails every record when its dependencies cannot be built (a deployment fault)', async () => {
    // Prepare
    const provide = () => {
      throw new Error('environment variable ORDERS_TABLE is not set');
    };
    // Act
    const response = await createBatchHandler(provide)(event(created('raw-data/a.csv'), created('raw-data/b.csv')), context);
    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }, { itemIdentifier: 'm-2' }]);
  });

  it('hands a part message on with its receive count, and fails it alone when it fails', async () => {
    // Prepare
    const parts: [number, number][] = [];
    const files: FileHandling = {
      handleFile: async () => undefined,
      async handlePart(message, _context, receives) {
        parts.push([message.part, receives]);
        if (message.part === 2) throw new Error('S3 is down');
      },
    };
    const batch = toSqsEvent(
      [1, 2].map((i) => ({ MessageId: `p-${i}`, Body: partMessageBody(part(i)), Attributes: { ApproximateReceiveCount: String(i + 1) } })),
      QUEUE,
    );
    // Act
    const response = await createBatchHandler(() => files)(batch, context);
    // Assess
    expect(parts).toEqual([[1, 2], [2, 3]]);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'p-2' }]);
    expect(logged().find((l) => l.level === 'ERROR')).toMatchObject({ part: 2, parts: 4, part_phase: 'scan', s3_key: 'raw-data/big.csv' });
  });
});
