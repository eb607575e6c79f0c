/**
 * The processor against moto, on keys and routing: special characters, URL-encoded keys, the
 * classic notification shape, object versions, unversioned buckets, messages that need no work,
 * and keys long enough that destination names must be shortened.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { destinationKeys, fileLedgerKey, routedOriginal, type LedgerItem } from '../../../functions/order-processor/index.ts';
import {
  BUCKET,
  env,
  expectConservation,
  handlerWith,
  HEADER,
  INGESTIONS,
  keysUnder,
  ledgerItem,
  logLines,
  objectCreatedBody,
  orders,
  putRaw,
  receiveAlerts,
  run,
  sqsEvent,
  text,
  useProcessorEnvironment,
  validCsv,
  type PutResult,
} from './setup.ts';

useProcessorEnvironment();

describe('handler on keys', () => {
  it.each([
    ['raw-data/with space/my orders.csv', 'KS'],
    ['raw-data/a+b=c&d.csv', 'KP'],
    ['raw-data/100% real.csv', 'KC'],
    ['raw-data/été/注文 ü.csv', 'KU'],
    // A bare CR, a bidi override, a zero-width space, escape sequences (an LF too is in the unit
    // tests: moto answers a key with an LF with an HTML error page)
    ['raw-data/in\rvoice\u202e\u200b\u001b[2J\u0007.csv', 'KH'],
  ])('handles the special-character key %j end to end', async (key, prefix) => {
    // Prepare
    const obj = await putRaw(key, validCsv(prefix, 3));
    // Act
    const response = await run(sqsEvent(objectCreatedBody(obj)));
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const item = await ledgerItem(obj);
    expect(item).toMatchObject({ status: 'PROCESSED', written: 3, key });
    expectConservation(item);
    const name = key.slice('raw-data/'.length).replace(/\.csv$/, '');
    expect(item?.archive_key?.endsWith(`${name}.${item?.ingestion_id}.csv`)).toBe(true);
    expect(await text(item?.archive_key ?? '')).toBe(validCsv(prefix, 3));
    expect((await orders([`${prefix}-1`]))[0]).toMatchObject({ source_key: key });
    expect(await keysUnder(key)).toEqual([]);
  });

  it('accepts the classic S3 notification shape with a URL-encoded key', async () => {
    // Prepare
    const obj = await putRaw('raw-data/classic shape+1.csv', validCsv('CL', 2));
    const body = JSON.stringify({
      Records: [
        {
          eventSource: 'aws:s3',
          eventName: 'ObjectCreated:Put',
          eventTime: new Date().toISOString(),
          s3: { bucket: { name: BUCKET }, object: { key: 'raw-data/classic+shape%2B1.csv', size: obj.size, eTag: obj.etag, versionId: obj.versionId } },
        },
      ],
    });
    // Act
    const response = await run(sqsEvent(body));
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(await ledgerItem(obj)).toMatchObject({ status: 'PROCESSED', written: 2 });
    expectConservation(await ledgerItem(obj));
  });

  it('finds the object when an EventBridge event carries the key URL-encoded (classic-notification style)', async () => {
    // Prepare: EventBridge keys are only *believed* not to be encoded (AWS documents no encoding); be safe either way
    const obj = await putRaw('raw-data/encoded key+1 ü.csv', validCsv('ENC', 2));
    const body = objectCreatedBody({ ...obj, key: 'raw-data/encoded+key%2B1+%C3%BC.csv' }, 'aws');
    // Act
    const response = await run(sqsEvent(body));
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const item = await ledgerItem(obj);
    expect(item).toMatchObject({ status: 'PROCESSED', written: 2, key: obj.key });
    expect((await orders(['ENC-1']))[0]).toMatchObject({ source_key: obj.key });
    expect(await keysUnder('raw-data/encoded')).toEqual([]);
    await receiveAlerts(0);
  });

  it('processes the version named in the event and leaves a newer upload of the same key in raw-data/', async () => {
    // Prepare
    const v1 = await putRaw('raw-data/versioned.csv', validCsv('VA', 2));
    const v2 = await putRaw('raw-data/versioned.csv', validCsv('VB', 3));
    // Act
    await run(sqsEvent(objectCreatedBody(v1)));
    // Assess: v1's rows, v1's bytes archived; v2 untouched
    const first = await ledgerItem(v1);
    expect(first).toMatchObject({ status: 'PROCESSED', written: 2, version_id: v1.versionId });
    expect(await text(first?.archive_key ?? '')).toBe(validCsv('VA', 2));
    expect(await orders(['VB-1'])).toEqual([]);
    expect(await text('raw-data/versioned.csv')).toBe(validCsv('VB', 3));
    // Act: v2's own event
    await run(sqsEvent(objectCreatedBody(v2)));
    // Assess
    expect(await ledgerItem(v2)).toMatchObject({ status: 'PROCESSED', written: 3 });
    expectConservation(await ledgerItem(v2));
    expectConservation(first);
    expect(await keysUnder('raw-data/versioned.csv')).toEqual([]);
  });
});

describe('handler on messages that need no file processed', () => {
  it('ignores keys outside raw-data/ and fails unusable messages (they reach the DLQ)', async () => {
    // Prepare
    const outside = await putRaw('archive/elsewhere.csv', validCsv('OUT', 1));
    const event = sqsEvent(objectCreatedBody(outside), 'this is not json');
    // Act
    const response = await run(event);
    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: event.Records[1]?.messageId }]);
    expect(await ledgerItem(outside)).toBeUndefined();
    const why = logLines().find((l) => typeof l.message === 'string' && l.message.startsWith('Unusable message'));
    expect(why).toMatchObject({ level: 'ERROR', reason: 'message body is not JSON (starts with "this is not json")', body_start: 'this is not json' });
  });

  it('ignores a folder placeholder quietly: no ledger item, no alert, no failure', async () => {
    // Prepare: what the S3 console's "Create folder" writes
    const obj = await putRaw('raw-data/new-folder/', Buffer.alloc(0));
    // Act
    const response = await run(sqsEvent(objectCreatedBody(obj)));
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(await ledgerItem(obj)).toBeUndefined();
    expect(await receiveAlerts(0)).toEqual([]);
    const logs = logLines();
    expect(logs.some((l) => l.message === 'Ignoring a folder placeholder' && l.level === 'INFO')).toBe(true);
    expect(logs.some((l) => l.level === 'WARN' || l.level === 'ERROR')).toBe(false);
  });

  it('acknowledges an S3 TestEvent without sending it to the DLQ', async () => {
    // Prepare
    const body = JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Time: new Date().toISOString(), Bucket: BUCKET, RequestId: 'R', HostId: 'H' });
    // Act
    const response = await run(sqsEvent(body));
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(logLines().some((l) => l.message === 'Message needs no processing' && l.reason === 'S3 test event')).toBe(true);
  });
});

describe('handler on an unversioned bucket', () => {
  const PLAIN = 'order-pipeline-it-plain';

  async function putPlain(key: string, body: string): Promise<PutResult> {
    const out = await env.s3.send(new PutObjectCommand({ Bucket: PLAIN, Key: key, Body: body }));
    return { key, etag: (out.ETag ?? '').replace(/"/g, ''), versionId: null, size: Buffer.byteLength(body) };
  }

  const plainBody = (obj: PutResult): string => objectCreatedBody(obj, 'moto', PLAIN);

  async function plainLedgerItem(obj: PutResult): Promise<LedgerItem | undefined> {
    const out = await env.doc.send(new GetCommand({ TableName: INGESTIONS, Key: { pk: fileLedgerKey({ bucket: PLAIN, ...obj }) }, ConsistentRead: true }));
    return out.Item as LedgerItem | undefined;
  }

  beforeAll(async () => {
    await env.s3.send(new CreateBucketCommand({ Bucket: PLAIN }));
  });

  it('pins reads to the etag: an object overwritten before processing is not read as the new bytes', async () => {
    // Prepare
    const v1 = await putPlain('raw-data/overwritten.csv', validCsv('OV1', 2));
    const v2 = await putPlain('raw-data/overwritten.csv', validCsv('OV2', 3));
    const h = handlerWith({ config: { dataBucket: undefined, writeConcurrency: 2 } });
    // Act
    const first = await run(sqsEvent(plainBody(v1)), h);
    // Assess: v1's event finds v1 gone; nothing from v2 is attributed to it
    expect(first.batchItemFailures).toEqual([]);
    const gone = await plainLedgerItem(v1);
    expect(gone).toMatchObject({ status: 'FAILED', rows: 0, written: 0 });
    expect(gone?.reason).toMatch(/no longer exists/);
    expect(await orders(['OV2-1', 'OV1-1'])).toEqual([]);
    await receiveAlerts(0);
    // Act: v2's own event
    const second = await run(sqsEvent(plainBody(v2)), h);
    // Assess
    expect(second.batchItemFailures).toEqual([]);
    const done = await plainLedgerItem(v2);
    expect(done).toMatchObject({ status: 'PROCESSED', rows: 3, written: 3, version_id: null });
    expectConservation(done);
    expect(await orders(['OV2-1', 'OV2-2', 'OV2-3'])).toHaveLength(3);
    const listed = await env.s3.send(new ListObjectsV2Command({ Bucket: PLAIN }));
    expect((listed.Contents ?? []).map((o) => o.Key)).toEqual([done?.archive_key, done?.processed_key].sort());
  });
});

describe('handler on long keys', () => {
  /** moto does not enforce S3's 1,024-byte key limit; this middleware answers as S3 does. */
  function enforceKeyLimit(client: S3Client): void {
    client.middlewareStack.add(
      (next) => async (args) => {
        const key = (args.input as { Key?: string }).Key;
        if (key !== undefined && Buffer.byteLength(key) > 1024) {
          throw Object.assign(new Error('Your key is too long'), { name: 'KeyTooLongError', $fault: 'client', $metadata: { httpStatusCode: 400 } });
        }
        return next(args);
      },
      { step: 'initialize', name: 'enforceKeyLimit' },
    );
  }

  it('concludes a file whose 1,000-byte key makes destination names too long, shortening them', async () => {
    // Prepare: sub-folders and a name of 3-byte characters, 1,000 bytes in all; two rows, one rejected
    const folder = `raw-data/${'exports-2026/'.repeat(20)}`;
    const name = '注'.repeat(Math.floor((1000 - Buffer.byteLength(folder) - 4) / 3));
    const key = `${folder}${name}${'x'.repeat(1000 - Buffer.byteLength(folder + name) - 4)}.csv`;
    const obj = await putRaw(key, `${HEADER}\nLK-1,Ann,Pen,1,1\nLK-2,Bob,Ink,zero,1\n`);
    const h = handlerWith({ s3: enforceKeyLimit });
    // Act
    const response = await run(sqsEvent(objectCreatedBody(obj)), h);
    // Assess
    expect(Buffer.byteLength(key)).toBe(1000);
    expect(response.batchItemFailures).toEqual([]);
    const item = await ledgerItem(obj);
    expect(item).toMatchObject({ status: 'PARTIAL', rows: 2, written: 1, rejected: 1, key });
    expectConservation(item);
    for (const routed of [item?.archive_key, item?.processed_key, item?.errors_key]) {
      expect(Buffer.byteLength(routed ?? '')).toBeLessThanOrEqual(1024);
      expect(await keysUnder(routed ?? 'missing')).toEqual([routed]);
    }
    expect(item?.archive_key).toMatch(/~[0-9a-f]{8}\.\d{8}T\d{6}Z-[0-9a-f]+\.csv$/);
    expect(await text(item?.archive_key ?? '')).toBe(`${HEADER}\nLK-1,Ann,Pen,1,1\nLK-2,Bob,Ink,zero,1\n`);
    expect((await orders(['LK-1']))[0]).toMatchObject({ source_key: key });
    expect(await keysUnder(folder)).toEqual([]);
    // `order-pipeline replay` maps the shortened name to a raw-data/ key that routes to the same names.
    const original = routedOriginal(item?.archive_key ?? '');
    const day = new Date(item?.started_at ?? '');
    expect(destinationKeys(original?.rawKey ?? '', item?.ingestion_id ?? '', day).archive).toBe(item?.archive_key);
    const alerts = await receiveAlerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.message).toContain(`"s3://${BUCKET}/${key}"`);
  });

  it('refuses a key over 1,024 bytes as S3 does (the check the case above relies on)', async () => {
    // Prepare
    const client = new S3Client(env.clientConfig);
    enforceKeyLimit(client);
    // Act
    const putting = client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `raw-data/${'k'.repeat(1012)}.csv`, Body: 'x' }));
    // Assess
    await expect(putting).rejects.toMatchObject({ name: 'KeyTooLongError' });
  });
});
