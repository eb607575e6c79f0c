/**
 * The processor against moto, on duplicates and idempotency: redeliveries, the same content under
 * another key, concurrent deliveries, claims held or expired, and the ledger's by-day index; and
 * two files carrying the same orders with several lines at the same time: each order ends with
 * exactly the lines of the newer file (docs/csv-format.md "Re-import is exact").
 */
import { fingerprintOf } from '../../../functions/order-processor/pipeline/fingerprint.ts';
import { describe, expect, it } from 'vitest';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { compareRanks } from '../../../functions/order-processor/adapters/order-lines.ts';
import { loadSchemaFile } from '../../../functions/order-processor/contract/schema/load.ts';
import type { LedgerItem } from '../../../functions/order-processor/index.ts';
import { PutCommand, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { fileLedgerKey, LEDGER } from '../../../functions/order-processor/index.ts';
import {
  BUCKET,
  clearOutput,
  env,
  expectConservation,
  handlerWith,
  INGESTIONS,
  keysUnder,
  ledgerItem,
  logLines,
  metricSum,
  objectCreatedBody,
  orderLines,
  orders,
  putRaw,
  receiveAlerts,
  run,
  shopCsv,
  type ShopOrders,
  SHOP_SCHEMA,
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

/** Runs `before` ahead of each DynamoDB request the handler sends of the named commands. */
function beforeRequests(commands: readonly string[], before: () => Promise<void>): (client: DynamoDBClient) => void {
  return (client) =>
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (commands.includes(String(context.commandName))) await before();
        return next(args);
      },
      { step: 'initialize', name: 'beforeRequests' },
    );
}

/** Each order's lines in the table as [line, product, ingestion id]. */
async function linesOf(ids: readonly string[]): Promise<Record<string, unknown[][]>> {
  const out: Record<string, unknown[][]> = {};
  for (const id of ids) out[id] = (await orderLines(id)).map((l) => [l.line, l.product_name, l.ingestion_id]);
  return out;
}

/** What an order holds once `file` (a shop-style export's orders) is its newest: its lines under `ingestionId`. */
function expectedLines(file: ShopOrders, ingestionId: string): Record<string, unknown[][]> {
  return Object.fromEntries(file.map(([id, lines]) => [id, lines.map(([product], i) => [i + 1, product, ingestionId])]));
}

/** The newer of two files by the rule of docs/csv-format.md "Re-import is exact": started later, then the greater ingestion id. */
const newer = (a: LedgerItem, b: LedgerItem): LedgerItem =>
  compareRanks({ processed_at: a.started_at, ingestion_id: a.ingestion_id }, { processed_at: b.started_at, ingestion_id: b.ingestion_id }) > 0 ? a : b;

describe('two files carrying the same orders with several lines at the same time', () => {
  const schema = loadSchemaFile(SHOP_SCHEMA);
  /** Two exports of the same orders that differ in every order: v2 drops a line of some, adds one to others. */
  const exportsOf = (prefix: string, n: number): { ids: string[]; v1: ShopOrders; v2: ShopOrders } => {
    const ids = Array.from({ length: n }, (_, i) => `${prefix}-${i + 1}`);
    const v1: ShopOrders = ids.map((id, i) => [id, i % 2 ? [['Pen', 1], ['Ink', 1]] : [['Pen', 1], ['Ink', 1], ['Pad', 1]]]);
    const v2: ShopOrders = ids.map((id, i) => [id, i % 2 ? [['Cup', 2], ['Mug', 1], ['Jar', 1]] : [['Cup', 2], ['Mug', 1]]]);
    return { ids, v1, v2 };
  };

  it('keeps the newer file\'s lines when the older file\'s writes land after the newer file concluded', async () => {
    // Prepare: the older file holds its line writes until the newer one is done
    const { ids, v1, v2 } = exportsOf('CL', 6);
    let release = (): void => undefined;
    const gate = new Promise<void>((r) => (release = r));
    let holding = (): void => undefined;
    const held = new Promise<void>((r) => (holding = r));
    const older = handlerWith({ config: { schema }, ddb: beforeRequests(['PutItemCommand'], () => (holding(), gate)) });
    const newerHandler = handlerWith({ config: { schema } });
    const first = await putRaw('raw-data/concurrent-lines-v1.csv', shopCsv(v1));
    const second = await putRaw('raw-data/concurrent-lines-v2.csv', shopCsv(v2));
    // Act: v1 claims and reaches its first line write; v2 is claimed after it, written and concluded; then v1's writes land
    const running = run(sqsEvent(objectCreatedBody(first)), older);
    await held;
    await new Promise((r) => setTimeout(r, 5));
    expect((await run(sqsEvent(objectCreatedBody(second)), newerHandler)).batchItemFailures).toEqual([]);
    release();
    expect((await running).batchItemFailures).toEqual([]);
    // Assess: both files loaded every row (conservation); each order holds exactly v2's lines
    const [a, b] = [await ledgerItem(first), await ledgerItem(second)];
    expect(a).toMatchObject({ status: 'PROCESSED', rows: 15, written: 15, orders_written: 6 });
    expect(b).toMatchObject({ status: 'PROCESSED', rows: 15, written: 15, orders_written: 6 });
    expectConservation(a);
    expectConservation(b);
    expect(newer(a as LedgerItem, b as LedgerItem)).toBe(b);
    expect(await linesOf(ids)).toEqual(expectedLines(v2, b?.ingestion_id ?? ''));
    // v2 found nothing to remove; v1 then found every order held by v2 and removed the third lines it had added (orders, Query requests, deletes, superseded).
    const pruned = logLines().filter((l) => l.message === 'Removed the order lines this file no longer has');
    expect(pruned.map((l) => [l.orders, l.reads, l.deleted, l.superseded])).toEqual([
      [6, 6, 0, 0],
      [6, 6, 3, 6],
    ]);
  });

  it('leaves each order with exactly one file\'s lines, the newer one\'s, however the two files\' requests interleave', async () => {
    // Prepare: every put, query and delete of both files waits a pseudo-random 0-7 ms, so their requests interleave
    let seed = 17;
    const jitter = async (): Promise<void> => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      await new Promise((r) => setTimeout(r, seed % 8));
    };
    const jittered = () => handlerWith({ config: { schema, writeConcurrency: 2 }, ddb: beforeRequests(['PutItemCommand', 'QueryCommand', 'DeleteItemCommand'], jitter) });
    for (const round of [1, 2, 3]) {
      const { ids, v1, v2 } = exportsOf(`CR${round}`, 30);
      const first = await putRaw(`raw-data/racing-${round}-v1.csv`, shopCsv(v1));
      const second = await putRaw(`raw-data/racing-${round}-v2.csv`, shopCsv(v2));
      // Act
      const responses = await Promise.all([run(sqsEvent(objectCreatedBody(first)), jittered()), run(sqsEvent(objectCreatedBody(second)), jittered())]);
      // Assess
      expect(responses.flatMap((r) => r.batchItemFailures)).toEqual([]);
      const [a, b] = [(await ledgerItem(first)) as LedgerItem, (await ledgerItem(second)) as LedgerItem];
      expect([a.status, a.written, b.status, b.written]).toEqual(['PROCESSED', 75, 'PROCESSED', 75]);
      const winner = newer(a, b);
      expect(await linesOf(ids), `round ${round}`).toEqual(expectedLines(winner === a ? v1 : v2, winner.ingestion_id));
    }
  });
});
