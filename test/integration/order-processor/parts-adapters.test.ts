/**
 * The adapters a file in parts relies on, against moto: multipart joins and copies (UploadPartCopy),
 * the parts queue sender, and the ledger's conditional part protocol (each part counted once, each
 * step claimed once, a final outcome never overwritten).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Ledger } from '../../../functions/order-processor/adapters/ledger.ts';
import { sqsPartsQueue } from '../../../functions/order-processor/adapters/parts-queue.ts';
import { copyInParts, joinObjects } from '../../../functions/order-processor/adapters/s3-multipart.ts';
import { copyOriginal } from '../../../functions/order-processor/adapters/s3-objects.ts';
import { decodeMessageBody, type PartMessage } from '../../../functions/order-processor/event.ts';
import { fileLedgerKey } from '../../../functions/order-processor/ledger-item.ts';
import { LedgerConflictError } from '../../../functions/order-processor/pipeline/errors.ts';
import { BUCKET, bytes, env, INGESTIONS, putRaw, useProcessorEnvironment } from './setup.ts';

useProcessorEnvironment();

const MiB = 1024 * 1024;
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** An S3 client that counts the commands it sends. */
function countingS3(): { s3: S3Client; sent: string[] } {
  const s3 = new S3Client(env.clientConfig);
  const sent: string[] = [];
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(context.commandName ?? '');
      return next(args);
    },
    { step: 'initialize', name: 'countCommands' },
  );
  return { s3, sent };
}

async function putSlices(sizes: number[]): Promise<{ key: string; size: number; body: Buffer }[]> {
  return Promise.all(
    sizes.map(async (size, i) => {
      const body = Buffer.alloc(size, 0x61 + (i % 26));
      const key = `staging/join-test/slice-${sizes.length}-${i}`;
      await env.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
      return { key, size, body };
    }),
  );
}

describe('joinObjects', () => {
  it('joins slices in order, copying the large ones in S3 and merging the small ones into parts of 5 MiB', async () => {
    // Prepare
    const slices = await putSlices([3 * 1024, 12 * MiB, 1 * MiB, 2 * MiB, 11 * MiB, 100]);
    const { s3, sent } = countingS3();
    // Act
    await joinObjects(s3, BUCKET, 'processed-data/join/joined.csv', 'head\r\n', slices);
    // Assess
    const expected = Buffer.concat([Buffer.from('head\r\n'), ...slices.map((s) => s.body)]);
    const joined = await bytes('processed-data/join/joined.csv');
    expect(joined.length).toBe(expected.length);
    expect(sha256(joined)).toBe(sha256(expected));
    expect(sent.filter((c) => c === 'UploadPartCopyCommand').length).toBeGreaterThanOrEqual(2);
    expect(sent.filter((c) => c === 'UploadPartCommand').length).toBeGreaterThanOrEqual(1);
    expect(sent).toContain('CompleteMultipartUploadCommand');
  });

  it('writes a join smaller than a part with one PutObject', async () => {
    // Prepare
    const slices = await putSlices([10, 20, 30]);
    const { s3, sent } = countingS3();
    // Act
    await joinObjects(s3, BUCKET, 'failed-data/join/small.errors.csv', 'line\r\n', slices);
    // Assess
    expect((await bytes('failed-data/join/small.errors.csv')).toString()).toBe(`line\r\n${'a'.repeat(10)}${'b'.repeat(20)}${'c'.repeat(30)}`);
    expect(sent.filter((c) => c.includes('Multipart') || c.startsWith('UploadPart'))).toEqual([]);
  });
});

describe('copyInParts', () => {
  it('copies an object in parts, byte for byte, keeping its content type and metadata', async () => {
    // Prepare
    const body = Buffer.alloc(16 * MiB);
    for (let i = 0; i < body.length; i += 4096) body[i] = i % 251;
    await env.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'raw-data/copy/big.csv', Body: body, ContentType: 'text/csv', Metadata: { origin: 'test' } }));
    const head = await env.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'raw-data/copy/big.csv' }));
    const { s3, sent } = countingS3();
    // Act
    await copyInParts(s3, { bucket: BUCKET, key: 'raw-data/copy/big.csv', versionId: head.VersionId ?? null, size: body.length }, BUCKET, 'archive/copy/big.csv', 6 * MiB);
    // Assess
    expect(sha256(await bytes('archive/copy/big.csv'))).toBe(sha256(body));
    expect(sent.filter((c) => c === 'UploadPartCopyCommand')).toHaveLength(3);
    const copied = await env.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'archive/copy/big.csv' }));
    expect(copied).toMatchObject({ ContentType: 'text/csv', Metadata: { origin: 'test' } });
  });

  it('is what copyOriginal does above the single-copy limit', async () => {
    // Prepare
    const obj = await putRaw('raw-data/copy/over-limit.csv', 'order_id\nA-1\n');
    const { s3, sent } = countingS3();
    // Act
    await copyOriginal(s3, { ...obj, bucket: BUCKET, eventTime: new Date().toISOString() }, 'archive/copy/over-limit.csv', 4);
    // Assess
    expect((await bytes('archive/copy/over-limit.csv')).toString()).toBe('order_id\nA-1\n');
    expect(sent).toContain('UploadPartCopyCommand');
    expect(sent).not.toContain('CopyObjectCommand');
  });
});

describe('sqsPartsQueue', () => {
  it('sends every part message, ten per SendMessageBatch', async () => {
    // Prepare
    const sqs = new SQSClient(env.clientConfig);
    const batches: number[] = [];
    sqs.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'SendMessageBatchCommand') batches.push((args.input as { Entries: unknown[] }).Entries.length);
        return next(args);
      },
      { step: 'initialize', name: 'countBatches' },
    );
    const messages: PartMessage[] = Array.from({ length: 23 }, (_, part) => ({
      phase: 'scan',
      bucket: BUCKET,
      key: 'raw-data/q.csv',
      versionId: 'v1',
      etag: 'e1',
      size: 5,
      ingestionId: '20261122T040512Z-1a2b3c4d',
      planId: 'plan-1',
      part,
      parts: 23,
    }));
    // Act
    await sqsPartsQueue(sqs, env.partsQueueUrl).send(messages);
    // Assess
    expect(batches).toEqual([10, 10, 3]);
    const received: number[] = [];
    for (let round = 0; round < 20 && received.length < 23; round++) {
      const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: env.partsQueueUrl, MaxNumberOfMessages: 10 }));
      for (const m of out.Messages ?? []) {
        const decoded = decodeMessageBody(m.Body ?? '');
        if (decoded.kind === 'part') received.push(decoded.part.part);
        await sqs.send(new DeleteMessageCommand({ QueueUrl: env.partsQueueUrl, ReceiptHandle: m.ReceiptHandle }));
      }
    }
    expect(received.sort((a, b) => a - b)).toEqual(messages.map((m) => m.part));
  });
});

describe('Ledger parts protocol', () => {
  const ledger = () => new Ledger(DynamoDBDocumentClient.from(new DynamoDBClient(env.clientConfig)), INGESTIONS);
  const ref = (key: string) => ({ bucket: BUCKET, key, versionId: 'v1', etag: 'e1', size: 10, eventTime: new Date().toISOString() });

  /** A claimed file, planned into `parts` parts and in SCAN. */
  async function planned(key: string, parts = 3) {
    const l = ledger();
    const claimed = await l.claimFile(ref(key), { now: new Date(), leaseMs: 60_000 });
    if (claimed.kind !== 'claimed') throw new Error('not claimed');
    const pk = fileLedgerKey(ref(key));
    expect(await l.updatePhase(pk, claimed.attemptId, { phase: null }, { phase: 'PLAN' })).toBe(true);
    expect(await l.updatePhase(pk, claimed.attemptId, { phase: 'PLAN' }, { phase: 'SCAN', parts })).toBe(true);
    return { l, pk, plan: claimed.attemptId };
  }

  it('counts each part once, however often it is marked', async () => {
    // Prepare
    const { l, pk, plan } = await planned('raw-data/ledger/marks.csv');
    // Act
    const first = await l.markPart(pk, plan, 'SCAN', 1);
    const again = await l.markPart(pk, plan, 'SCAN', 1);
    const other = await l.markPart(pk, plan, 'SCAN', 2);
    const stale = await l.markPart(pk, 'another-plan', 'SCAN', 0);
    const wrongPhase = await l.markPart(pk, plan, 'WRITE', 0, 5);
    // Assess
    expect([first.marked, again.marked, other.marked, stale.marked, wrongPhase.marked]).toEqual([true, false, true, false, false]);
    expect([...(other.item?.parts_scanned ?? [])].sort()).toEqual([1, 2]);
    expect(wrongPhase.item?.parts_done).toBe(0);
  });

  it('adds a written part to parts_done and its rows, once', async () => {
    // Prepare
    const { l, pk, plan } = await planned('raw-data/ledger/written.csv', 2);
    await l.updatePhase(pk, plan, { phase: 'SCAN' }, { phase: 'WRITE' });
    // Act
    await l.markPart(pk, plan, 'WRITE', 0, 40);
    await l.markPart(pk, plan, 'WRITE', 0, 40);
    const last = await l.markPart(pk, plan, 'WRITE', 1, 2);
    // Assess
    expect(last.item).toMatchObject({ parts_done: 2, parts_rows_written: 42 });
  });

  it('lets one invocation claim a step, and another take it over only once its lease has expired', async () => {
    // Prepare
    const { l, pk, plan } = await planned('raw-data/ledger/steps.csv');
    const now = new Date();
    // Act
    const claimed = await l.updatePhase(pk, plan, { phase: 'SCAN' }, { phase: 'DECIDE', lease_expires_at: now.getTime() + 60_000 });
    const twice = await l.updatePhase(pk, plan, { phase: 'SCAN' }, { phase: 'DECIDE' });
    const early = await l.updatePhase(pk, plan, { phase: 'DECIDE', leaseExpiredAt: now }, { lead_part: 2 });
    const late = await l.updatePhase(pk, plan, { phase: 'DECIDE', leaseExpiredAt: new Date(now.getTime() + 61_000) }, { lead_part: 2 });
    // Assess
    expect([claimed, twice, early, late]).toEqual([true, false, false, true]);
  });

  it('resends a phase only while its messages are not recorded sent', async () => {
    // Prepare
    const { l, pk, plan } = await planned('raw-data/ledger/sent.csv');
    const later = new Date(Date.now() + 3_600_000);
    // Act
    const unsent = await l.updatePhase(pk, plan, { phase: 'SCAN', leaseExpiredAt: later, unsent: true }, { lease_expires_at: 1 });
    await l.updatePhase(pk, plan, { phase: 'SCAN' }, { sent_phase: 'SCAN' });
    const sent = await l.updatePhase(pk, plan, { phase: 'SCAN', leaseExpiredAt: later, unsent: true }, { lease_expires_at: 2 });
    // Assess
    expect([unsent, sent]).toEqual([true, false]);
  });

  it('records a file in parts final once, and answers a claim of it as in parts while it is not', async () => {
    // Prepare
    const { l, pk, plan } = await planned('raw-data/ledger/final.csv');
    // Act
    const claimInParts = await l.claimFile(ref('raw-data/ledger/final.csv'), { now: new Date(Date.now() + 3_600_000), leaseMs: 1 });
    await l.finish(pk, plan, { status: 'FAILED', reason: 'part 1 failed' });
    const second = l.finish(pk, plan, { status: 'PROCESSED' });
    // Assess
    expect(claimInParts.kind).toBe('in-parts');
    await expect(second).rejects.toThrow(LedgerConflictError);
    expect(await l.get(pk)).toMatchObject({ status: 'FAILED', reason: 'part 1 failed' });
  });

  it('notes the rows a file read whole has sent, never lowering the figure, and only while it is PROCESSING and not in parts', async () => {
    // Prepare
    const l = ledger();
    const claimed = await l.claimFile(ref('raw-data/ledger/whole.csv'), { now: new Date(), leaseMs: 60_000 });
    if (claimed.kind !== 'claimed') throw new Error('not claimed');
    const pk = fileLedgerKey(ref('raw-data/ledger/whole.csv'));
    const planned = { rows: 60, valid: 55, rejected: 5, blank: 0 };
    // Act
    await l.noteWholeLoaded(pk, 25, planned);
    await l.noteWholeLoaded(pk, 50, planned);
    await l.noteWholeLoaded(pk, 25, planned);
    const noted = await l.get(pk);
    await l.finish(pk, claimed.attemptId, { status: 'PARTIAL' });
    await l.noteWholeLoaded(pk, 55, planned);
    // Assess
    expect(noted).toMatchObject({ parts_loaded: { '0': 50 }, planned });
    expect((await l.get(pk))?.parts_loaded).toEqual({ '0': 50 });
  });

  it('adds a late part\'s rows to its FAILED file once, and tells a part noting rows of a file no longer in WRITE', async () => {
    // Prepare: a file in WRITE whose part 0 noted 10 rows, then FAILED with them counted
    const { l, pk, plan } = await planned('raw-data/ledger/late.csv', 2);
    await l.updatePhase(pk, plan, { phase: 'SCAN' }, { phase: 'WRITE', parts_loaded: {} });
    const inWrite = await l.notePartLoaded(pk, plan, 0, 10);
    await l.finish(pk, plan, { status: 'FAILED', written: 10, unloaded: 40, reason: 'r' });
    const values = { written: 30, orders_written: 30, unloaded: 20, reason: 'r2' };
    // Act
    const afterFailure = await l.notePartLoaded(pk, plan, 1, 20);
    const added = await l.amendFailed(pk, plan, { index: 1, before: 0, rows: 20 }, { written: 10 }, values);
    const again = await l.amendFailed(pk, plan, { index: 1, before: 0, rows: 20 }, { written: 10 }, values);
    // Assess
    expect([inWrite, afterFailure, added, again]).toEqual([true, false, true, false]);
    expect(await l.get(pk)).toMatchObject({ status: 'FAILED', written: 30, unloaded: 20, reason: 'r2', parts_loaded: { '0': 10, '1': 20 } });
  });
});

