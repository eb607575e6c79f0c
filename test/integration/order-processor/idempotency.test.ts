/**
 * The processor against moto, on duplicates and idempotency: redeliveries, the same content under
 * another key, concurrent deliveries, claims held or expired, and the ledger's by-day index.
 */
import { fingerprintOf } from '../../../functions/order-processor/pipeline/fingerprint.ts';
import { describe, expect, it } from 'vitest';
import { PutCommand, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { fileLedgerKey, LEDGER } from '../../../functions/order-processor/index.ts';
import {
  BUCKET,
  clearOutput,
  env,
  expectConservation,
  INGESTIONS,
  keysUnder,
  ledgerItem,
  logLines,
  metricSum,
  objectCreatedBody,
  orders,
  putRaw,
  receiveAlerts,
  run,
  sqsEvent,
  text,
  useProcessorEnvironment,
  validCsv,
} from './setup.ts';

useProcessorEnvironment();

describe('handler on duplicates and redeliveries', () => {
  it('does not process a redelivered event twice', async () => {
    // Prepare
    const obj = await putRaw('raw-data/redelivered.csv', validCsv('RD', 5));
    const body = objectCreatedBody(obj);
    await run(sqsEvent(body));
    const first = await ledgerItem(obj);
    const archived = await keysUnder('archive/');
    await receiveAlerts(0);
    clearOutput();
    // Act
    const response = await run(sqsEvent(body));
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const second = await ledgerItem(obj);
    expect(second).toEqual(first);
    expect(second?.attempts).toBe(1);
    expectConservation(second);
    expect(await keysUnder('archive/')).toEqual(archived);
    expect(metricSum('FilesProcessed')).toBe(0);
    expect(logLines().some((l) => l.message === 'File already handled: redelivery ignored' && l.s3_key === obj.key)).toBe(true);
  });

  it('marks the same content under another key as DUPLICATE and writes nothing', async () => {
    // Prepare
    const content = validCsv('DUP', 4);
    const original = await putRaw('raw-data/dup-original.csv', content);
    await run(sqsEvent(objectCreatedBody(original)));
    await receiveAlerts(0);
    const copy = await putRaw('raw-data/later/dup-copy.csv', content);
    // Act
    const response = await run(sqsEvent(objectCreatedBody(copy)));
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const item = await ledgerItem(copy);
    const first = await ledgerItem(original);
    expect(item).toMatchObject({ status: 'DUPLICATE', written: 0, rows: 4, fingerprint: first?.fingerprint, duplicate_of: first?.pk });
    expectConservation(item);
    expect(item?.failed_key).toMatch(/^failed-data\/\d{4}\/\d{2}\/\d{2}\/later\/dup-copy\..+\.csv$/);
    expect(await text(item?.failed_key ?? '')).toBe(content);
    expect(await text(item?.errors_key ?? '')).toMatch(/^line,order_id,column,reason\r\n1,,,"same content \(sha256 [0-9a-f]{12}…\) as s3:\/\//);
    expect((await orders(['DUP-1'])).map((o) => o.source_key)).toEqual([original.key]);
    expect(await keysUnder('raw-data/later/')).toEqual([]);
    const alerts = await receiveAlerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.subject).toContain('DUPLICATE: dup-copy.csv');
    expect(alerts[0]?.message).toContain(`s3://${BUCKET}/${original.key}`);
    expect(metricSum('FilesDuplicate')).toBe(1);
  });

  it('processes re-uploaded content whose earlier holder timed out and can no longer finish', async () => {
    // Prepare: a file that claimed its content, then died mid-way (lease expired, message in the DLQ)
    const content = validCsv('STALE', 3);
    const stuck = await putRaw('raw-data/stale-original.csv', content);
    const stuckPk = fileLedgerKey({ bucket: BUCKET, key: stuck.key, versionId: stuck.versionId, etag: stuck.etag });
    await env.doc.send(new PutCommand({ TableName: INGESTIONS, Item: { [LEDGER.hashKey]: stuckPk, status: 'PROCESSING', lease_expires_at: Date.now() - 1000, ingestion_id: 'stuck', bucket: BUCKET, key: stuck.key } }));
    const sha = fingerprintOf(Buffer.from(content));
    await env.doc.send(new PutCommand({ TableName: INGESTIONS, Item: { [LEDGER.hashKey]: `content#${sha}`, file_pk: stuckPk, ingestion_id: 'stuck', bucket: BUCKET, key: stuck.key } }));
    const again = await putRaw('raw-data/stale-reupload.csv', content);
    // Act
    const response = await run(sqsEvent(objectCreatedBody(again)));
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const item = await ledgerItem(again);
    expect(item).toMatchObject({ status: 'PROCESSED', written: 3, rows: 3 });
    expectConservation(item);
    expect((await orders(['STALE-1'])).map((o) => o.source_key)).toEqual([again.key]);
    const claim = await env.doc.send(new GetCommand({ TableName: INGESTIONS, Key: { [LEDGER.hashKey]: `content#${sha}` } }));
    expect(claim.Item?.file_pk).toBe(item?.pk);
    await receiveAlerts();
  });

  it('lets exactly one of two concurrent deliveries of the same object process it', async () => {
    // Prepare
    const obj = await putRaw('raw-data/concurrent.csv', validCsv('CC', 30));
    const body = objectCreatedBody(obj);
    // Act
    const [a, b] = await Promise.all([run(sqsEvent(body)), run(sqsEvent(body))]);
    // Assess: the loser is either told to retry (busy) or, if it came second, skipped
    const failures = [...(a?.batchItemFailures ?? []), ...(b?.batchItemFailures ?? [])];
    expect(failures.length).toBeLessThanOrEqual(1);
    const item = await ledgerItem(obj);
    expect(item).toMatchObject({ status: 'PROCESSED', attempts: 1, written: 30 });
    expectConservation(item);
    expect(await orders(Array.from({ length: 30 }, (_, i) => `CC-${i + 1}`))).toHaveLength(30);
    expect(metricSum('FilesProcessed')).toBe(1);
    expect(metricSum('RowsWritten')).toBe(30);
  });

  it('fails the record while another attempt holds a live claim, and takes over an expired one', async () => {
    // Prepare: a claim by an attempt that is still running
    const obj = await putRaw('raw-data/claimed.csv', validCsv('CLM', 2));
    const pk = fileLedgerKey({ bucket: BUCKET, ...obj });
    const claim = {
      pk,
      status: 'PROCESSING',
      ingestion_id: '20260101T000000Z-deadbeef',
      attempt_id: 'other',
      attempts: 1,
      started_at: '2026-01-01T00:00:00.000Z',
      ingest_day: '2026-01-01',
      lease_expires_at: Date.now() + 600_000,
    };
    await env.doc.send(new PutCommand({ TableName: INGESTIONS, Item: claim }));
    const event = sqsEvent(objectCreatedBody(obj));
    // Act
    const busy = await run(event);
    // Assess
    expect(busy.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]?.messageId }]);
    expect((await ledgerItem(obj))?.status).toBe('PROCESSING');
    expect(logLines().some((l) => l.level === 'WARN' && String(l.message).startsWith('File is busy'))).toBe(true);
    // Prepare: that attempt died; its lease expired
    await env.doc.send(new PutCommand({ TableName: INGESTIONS, Item: { ...claim, lease_expires_at: Date.now() - 1 } }));
    // Act
    const taken = await run(event);
    // Assess: processed under the original ingestion id and day, so its destination keys are stable
    expect(taken.batchItemFailures).toEqual([]);
    const item = await ledgerItem(obj);
    expect(item).toMatchObject({ status: 'PROCESSED', attempts: 2, written: 2, ingestion_id: claim.ingestion_id, ingest_day: '2026-01-01' });
    expect(item?.archive_key).toBe('archive/2026/01/01/claimed.20260101T000000Z-deadbeef.csv');
    expectConservation(item);
  });

  it('lists handled files by day through the by-day index', async () => {
    // Prepare
    const obj = await putRaw('raw-data/by-day.csv', validCsv('BD', 1));
    await run(sqsEvent(objectCreatedBody(obj)));
    const item = await ledgerItem(obj);
    // Act
    const out = await env.doc.send(
      new QueryCommand({
        TableName: INGESTIONS,
        IndexName: LEDGER.byDayIndex,
        KeyConditionExpression: '#d = :d',
        ExpressionAttributeNames: { '#d': LEDGER.byDayHashKey },
        ExpressionAttributeValues: { ':d': item?.ingest_day },
      }),
    );
    // Assess: file items only (content claims carry no ingest_day)
    const pks = (out.Items ?? []).map((i) => String(i.pk));
    expect(pks).toContain(item?.pk);
    expect(pks.every((pk) => pk.startsWith('file#'))).toBe(true);
  });
});
