/**
 * The processor against moto under faults real AWS produces and moto never does, injected with
 * SDK middleware: throttling and UnprocessedItems, a write deadline, S3 unavailable, a failed
 * delete, and the object's byte stream cut in pass 1 and in pass 2. Every fault fails the record
 * (SQS redelivers it); the retry concludes with nothing lost and nothing doubled.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { contentLedgerKey, LEDGER } from '../../../functions/order-processor/index.ts';
import {
  env,
  expectConservation,
  handlerWith,
  HEADER,
  INGESTIONS,
  keysUnder,
  ledgerItem,
  logLines,
  metricSum,
  deleteVersion,
  objectCreatedBody,
  orders,
  ordersOfIngestion,
  putRaw,
  type PutResult,
  receiveAlerts,
  run,
  serviceUnavailable,
  sqsEvent,
  text,
  useProcessorEnvironment,
  validCsv,
} from './setup.ts';

useProcessorEnvironment();

describe('handler under injected faults', () => {
  interface Faults {
    s3Unavailable: boolean;
    ddbCalls: number;
    throttled: number;
    unprocessed: number;
    alwaysThrottle: boolean;
    /** How many DeleteObject calls fail with a 503 before they work again. */
    deleteFailures?: number;
  }

  /** Throttles every third BatchWriteItem (or all of them) and sends only half of every other batch. */
  const dynamoFaults = (faults: Faults) => (client: DynamoDBClient) =>
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'BatchWriteItemCommand') return next(args);
        faults.ddbCalls++;
        if (faults.alwaysThrottle || faults.ddbCalls % 3 === 0) {
          faults.throttled++;
          throw Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
            name: 'ThrottlingException',
            $fault: 'client',
            $metadata: { httpStatusCode: 400 },
          });
        }
        // Send only part of the batch and hand the rest back as UnprocessedItems.
        const input = args.input as { RequestItems: Record<string, unknown[]> };
        const [table, requests] = Object.entries(input.RequestItems)[0] ?? ['', []];
        if (requests.length < 2 || faults.ddbCalls % 2 === 0) return next(args);
        const keep = requests.slice(0, Math.ceil(requests.length / 2));
        const left = requests.slice(keep.length);
        faults.unprocessed += left.length;
        const result = await next({ ...args, input: { ...input, RequestItems: { [table]: keep } } });
        (result.output as { UnprocessedItems?: Record<string, unknown[]> }).UnprocessedItems = { [table]: left };
        return result;
      },
      { step: 'initialize', name: 'injectDynamoFaults' },
    );

  const s3Faults = (faults: Faults) => (client: S3Client) =>
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'DeleteObjectCommand' && (faults.deleteFailures ?? 0) > 0) {
          faults.deleteFailures = (faults.deleteFailures ?? 0) - 1;
          throw serviceUnavailable();
        }
        if (faults.s3Unavailable) throw serviceUnavailable();
        return next(args);
      },
      { step: 'initialize', name: 'injectS3Faults' },
    );

  /** A handler whose clients fail the way real AWS can and moto never does. */
  function faultyHandler(faults: Faults, writeRetryDeadlineMs = 60_000) {
    return handlerWith({
      ddb: dynamoFaults(faults),
      s3: s3Faults(faults),
      config: { writeRetryDeadlineMs },
      writer: { baseDelayMs: 1, maxDelayMs: 20 },
    });
  }

  const noFaults = (): Faults => ({ s3Unavailable: false, ddbCalls: 0, throttled: 0, unprocessed: 0, alwaysThrottle: false });

  it('loses nothing when DynamoDB returns UnprocessedItems and throttles', async () => {
    // Prepare
    const faults = noFaults();
    const n = 500;
    const obj = await putRaw('raw-data/faulty-writes.csv', validCsv('FW', n));
    // Act
    const response = await run(sqsEvent(objectCreatedBody(obj)), faultyHandler(faults));
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(faults.throttled).toBeGreaterThan(0);
    expect(faults.unprocessed).toBeGreaterThan(0);
    const item = await ledgerItem(obj);
    expect(item).toMatchObject({ status: 'PROCESSED', rows: n, written: n, rejected: 0 });
    expectConservation(item);
    const stored = await orders(Array.from({ length: n }, (_, i) => `FW-${i + 1}`));
    expect(stored).toHaveLength(n);
    expect(metricSum('RowsWritten')).toBe(n);
    expect(logLines().some((l) => l.message === 'Retrying DynamoDB batch write')).toBe(true);
  });

  it('fails the record when throttling outlasts the deadline, then succeeds on the retry', async () => {
    // Prepare
    const faults = { ...noFaults(), alwaysThrottle: true };
    const obj = await putRaw('raw-data/throttled.csv', validCsv('TH', 40));
    const event = sqsEvent(objectCreatedBody(obj));
    // Act
    const failed = await run(event, faultyHandler(faults, 200));
    // Assess: the record is retried by SQS, the ledger is not final, nothing was archived
    expect(failed.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]?.messageId }]);
    const pending = await ledgerItem(obj);
    expect(pending?.status).toBe('PROCESSING');
    expect(pending?.last_error).toMatch(/WriteFailedError.*did not complete within 200 ms/);
    expect(await keysUnder('raw-data/throttled.csv')).toEqual(['raw-data/throttled.csv']);
    // Act: SQS redelivers; the throttling is over
    const retried = await run(event, faultyHandler(noFaults()));
    // Assess
    expect(retried.batchItemFailures).toEqual([]);
    const done = await ledgerItem(obj);
    expect(done).toMatchObject({ status: 'PROCESSED', written: 40, attempts: 2, ingestion_id: pending?.ingestion_id });
    expectConservation(done);
    expect(await orders(Array.from({ length: 40 }, (_, i) => `TH-${i + 1}`))).toHaveLength(40);
    expect(await keysUnder('raw-data/throttled.csv')).toEqual([]);
  });

  it('counts a file in the metrics exactly once when removing the original fails after the outcome is recorded', async () => {
    // Prepare
    const faults = { ...noFaults(), deleteFailures: 1 };
    const obj = await putRaw('raw-data/delete-fails.csv', validCsv('DF', 4));
    const event = sqsEvent(objectCreatedBody(obj));
    // Act: the first delivery records PROCESSED, then cannot delete the original
    const failed = await run(event, faultyHandler(faults));
    // Assess
    expect(failed.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]?.messageId }]);
    const recorded = await ledgerItem(obj);
    expect(recorded).toMatchObject({ status: 'PROCESSED', written: 4 });
    expect(await keysUnder('raw-data/delete-fails.csv')).toEqual(['raw-data/delete-fails.csv']);
    // The content claim stays with the finished file: the same bytes uploaded again are a DUPLICATE.
    const claim = await env.doc.send(new GetCommand({ TableName: INGESTIONS, Key: { [LEDGER.hashKey]: contentLedgerKey(recorded?.fingerprint ?? '') }, ConsistentRead: true }));
    expect(claim.Item?.file_pk).toBe(recorded?.pk);
    // Act: SQS redelivers; the retry only removes the original
    const retried = await run(event, faultyHandler(faults));
    // Assess
    expect(retried.batchItemFailures).toEqual([]);
    expect(await keysUnder('raw-data/delete-fails.csv')).toEqual([]);
    expect(metricSum('FilesProcessed')).toBe(1);
    expect(metricSum('RowsReceived')).toBe(4);
    expect(metricSum('RowsWritten')).toBe(4);
  });

  it('reports the record in batchItemFailures when S3 is unavailable, leaving the ledger not final', async () => {
    // Prepare
    const faults = { ...noFaults(), s3Unavailable: true };
    const obj = await putRaw('raw-data/s3-down.csv', validCsv('SD', 3));
    const event = sqsEvent(objectCreatedBody(obj));
    // Act
    const response = await run(event, faultyHandler(faults));
    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]?.messageId }]);
    const item = await ledgerItem(obj);
    expect(item?.status).toBe('PROCESSING');
    expect(item?.last_error).toMatch(/Service Unavailable/);
    expect(logLines().some((l) => l.level === 'ERROR' && String(l.message).startsWith('Infrastructure fault') && l.s3_key === obj.key)).toBe(true);
    expect(await orders(['SD-1'])).toEqual([]);
    expect(await receiveAlerts(0)).toEqual([]);
    // Act: S3 is back and SQS redelivers
    faults.s3Unavailable = false;
    const retried = await run(event, faultyHandler(faults));
    // Assess
    expect(retried.batchItemFailures).toEqual([]);
    expectConservation(await ledgerItem(obj));
    expect((await ledgerItem(obj))?.status).toBe('PROCESSED');
  });
});

describe('handler when the byte stream of the object is cut', () => {
  /** What a connection reset looks like to the reader of a GetObject body. */
  const connectionReset = () => Object.assign(new Error('aborted'), { code: 'ECONNRESET' });

  /** The source's bytes up to `limit`, then the stream fails as a reset connection does. */
  function cutAfter(source: Readable, limit: number): Readable {
    return Readable.from(
      (async function* () {
        let passed = 0;
        for await (const chunk of source as AsyncIterable<Buffer>) {
          if (passed + chunk.length >= limit) {
            yield chunk.subarray(0, limit - passed);
            source.destroy();
            throw connectionReset();
          }
          passed += chunk.length;
          yield chunk;
        }
      })(),
      { objectMode: false },
    );
  }

  /** Cuts the body of the `nth` GetObject (1: pass 1, 2: pass 2) after `limit` bytes. */
  const cutGetObject = (nth: number, limit: number, seen = { gets: 0 }) => (client: S3Client) =>
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if (context.commandName === 'GetObjectCommand' && ++seen.gets === nth) {
          const output = result.output as { Body?: Readable };
          if (output.Body) output.Body = cutAfter(output.Body, limit);
        }
        return result;
      },
      { step: 'initialize', name: 'cutGetObjectBody' },
    );

  /** 300 orders (12 batches), every 50th of which is rejected: about 13 KB. */
  function largePartialCsv(prefix: string): { csv: string; valid: number; rejected: number } {
    const rows = Array.from({ length: 300 }, (_, i) =>
      i % 50 === 49 ? `${prefix}-${i + 1},Customer ${i + 1},Widget,none,1.50` : `${prefix}-${i + 1},Customer ${i + 1},Widget ${i % 7},${(i % 5) + 1},${(i % 9) + 0.5}`,
    );
    return { csv: `${HEADER}\n${rows.join('\n')}\n`, valid: 294, rejected: 6 };
  }

  async function expectConcludedOnce(obj: Awaited<ReturnType<typeof putRaw>>, prefix: string, valid: number, rejected: number) {
    const item = await ledgerItem(obj);
    expect(item).toMatchObject({ status: 'PARTIAL', rows: valid + rejected, written: valid, rejected, attempts: 2 });
    expectConservation(item);
    const stored = await orders(Array.from({ length: valid + rejected }, (_, i) => `${prefix}-${i + 1}`));
    expect(stored).toHaveLength(valid);
    expect(new Set(stored.map((o) => o.ingestion_id))).toEqual(new Set([item?.ingestion_id]));
    expect(new Set(stored.map((o) => o.processed_at))).toEqual(new Set([item?.started_at]));
    const cleaned = (await text(item?.processed_key ?? '')).trimEnd().split('\r\n');
    expect(cleaned).toHaveLength(valid + 1);
    expect(new Set(cleaned.slice(1).map((l) => l.split(',')[0])).size).toBe(valid);
    expect((await text(item?.errors_key ?? '')).trimEnd().split('\r\n')).toHaveLength(rejected + 1);
    expect(await keysUnder(obj.key)).toEqual([]);
    expect(await receiveAlerts()).toHaveLength(1);
    expect(metricSum('FilesPartial')).toBe(1);
    expect(metricSum('RowsWritten')).toBe(valid);
    expect(metricSum('RowsRejected')).toBe(rejected);
    return item;
  }

  it('fails the record when the stream is cut in pass 1, and the retry concludes with nothing doubled', async () => {
    // Prepare
    const { csv, valid, rejected } = largePartialCsv('CP1');
    const obj = await putRaw('raw-data/cut-pass-1.csv', csv);
    const event = sqsEvent(objectCreatedBody(obj));
    // Act
    const failed = await run(event, handlerWith({ s3: cutGetObject(1, 5_000) }));
    // Assess: nothing written, the ledger not final, the original still in raw-data/
    expect(failed.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]?.messageId }]);
    const pending = await ledgerItem(obj);
    expect(pending).toMatchObject({ status: 'PROCESSING', lease_expires_at: 0 });
    expect(pending?.last_error).toMatch(/aborted/);
    expect(await orders(['CP1-1'])).toEqual([]);
    expect(await keysUnder(obj.key)).toEqual([obj.key]);
    expect(await receiveAlerts(0)).toEqual([]);
    // Act: SQS redelivers; the connection holds this time
    const retried = await run(event, handlerWith());
    // Assess
    expect(retried.batchItemFailures).toEqual([]);
    await expectConcludedOnce(obj, 'CP1', valid, rejected);
  });

  it('fails the record when the stream is cut in pass 2 after rows were written, and the retry concludes with nothing doubled', async () => {
    // Prepare
    const { csv, valid, rejected } = largePartialCsv('CP2');
    const obj = await putRaw('raw-data/cut-pass-2.csv', csv);
    const event = sqsEvent(objectCreatedBody(obj));
    // Act
    const failed = await run(event, handlerWith({ s3: cutGetObject(2, 9_000), config: { writeConcurrency: 1 } }));
    // Assess: some rows are in the table, but no cleaned CSV, report, archive copy or alert exists
    expect(failed.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]?.messageId }]);
    const pending = await ledgerItem(obj);
    expect(pending?.status).toBe('PROCESSING');
    const ids = Array.from({ length: valid + rejected }, (_, i) => `CP2-${i + 1}`);
    const early = await orders(ids);
    expect(early.length).toBeGreaterThan(0);
    expect(early.length).toBeLessThan(valid);
    expect(await keysUnder('processed-data/')).not.toContainEqual(expect.stringContaining('cut-pass-2'));
    expect(await keysUnder('failed-data/')).not.toContainEqual(expect.stringContaining('cut-pass-2'));
    expect(await keysUnder('archive/')).not.toContainEqual(expect.stringContaining('cut-pass-2'));
    expect(await receiveAlerts(0)).toEqual([]);
    // Act: SQS redelivers
    const retried = await run(event, handlerWith());
    // Assess: the same items as the first attempt wrote, and all the others
    expect(retried.batchItemFailures).toEqual([]);
    await expectConcludedOnce(obj, 'CP2', valid, rejected);
    const again = new Map((await orders(ids)).map((o) => [o.order_id, o]));
    for (const first of early) expect(again.get(first.order_id)).toEqual(first);
  });
});

describe('a file whose version is permanently deleted while it is processed', () => {
  /** Deletes the object's version just before GetObject call `call` (pass 1 is call 1, pass 2 call 2). */
  const deleteBeforeGet = (obj: PutResult, call: number) => (client: S3Client) => {
    let gets = 0;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'GetObjectCommand' && (args.input as { Key?: string }).Key === obj.key && ++gets === call) await deleteVersion(obj);
        return next(args);
      },
      { step: 'initialize', name: 'deleteBeforeGet' },
    );
  };

  /** Deletes the object's version once the first BatchWriteItem of pass 2 has been answered. */
  const deleteAfterFirstWrite = (obj: PutResult) => (client: DynamoDBClient) => {
    let deleted = false;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if (context.commandName === 'BatchWriteItemCommand' && !deleted) {
          deleted = true;
          await deleteVersion(obj);
        }
        return result;
      },
      { step: 'initialize', name: 'deleteAfterFirstWrite' },
    );
  };

  it('between pass 1 and pass 2: FAILED, nothing written, and the reason says so', async () => {
    // Prepare
    const obj = await putRaw('raw-data/gone-between.csv', validCsv('GB', 60));
    // Act
    const response = await run(sqsEvent(objectCreatedBody(obj)), handlerWith({ s3: deleteBeforeGet(obj, 2) }));
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const item = await ledgerItem(obj);
    expect(item).toMatchObject({ status: 'FAILED', written: 0, unloaded: 0 });
    expect(item?.reason).toMatch(/deleted while it was being processed, after it was read and before any row was written: nothing was loaded/);
    expect(await ordersOfIngestion(item?.ingestion_id ?? '')).toBe(item?.written);
    expect((await receiveAlerts()).map((a) => a.message.includes('nothing was loaded'))).toEqual([true]);
  });

  it('during pass 2: FAILED, every row written counted, the rows that ARE loaded named in the reason and the alert', async () => {
    // Prepare: 60 orders, 3 batches
    const obj = await putRaw('raw-data/gone-during.csv', validCsv('GD', 60));
    // Act
    const response = await run(sqsEvent(objectCreatedBody(obj)), handlerWith({ ddb: deleteAfterFirstWrite(obj), config: { writeConcurrency: 1 } }));
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const item = await ledgerItem(obj);
    expect(item).toMatchObject({ status: 'FAILED', rows: 60, rejected: 0, unloaded: 0, archive_key: null, failed_key: null });
    expect(item?.written).toBe(await ordersOfIngestion(item?.ingestion_id ?? ''));
    expect(item?.written).toBeGreaterThan(0);
    expectConservation(item);
    expect(item?.reason).toContain(`${item?.written} rows are loaded in the orders table under ingestion_id ${item?.ingestion_id}`);
    const alerts = await receiveAlerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.message).toContain(`${item?.written} rows are loaded in the orders table`);
  });
});
