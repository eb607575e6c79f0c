/**
 * The processor dies mid-file against moto: a child process runs the real handler and is killed
 * (SIGKILL) after some batches were written and before the file was routed. The redelivery after
 * the claim's lease ends in the same final state as an uninterrupted run: identical items, exact
 * counts, one cleaned CSV, one report, one alert, one outcome. And a re-import of orders with
 * several lines killed mid-write or mid-deletion leaves, once redelivered, exactly the new file's
 * lines (docs/csv-format.md "Re-import is exact").
 */
import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { readOrders } from '../../../functions/order-processor/contract/reader.ts';
import { toItem } from '../../../functions/order-processor/pipeline/write.ts';
import { cleanedHeaderLine, cleanedRowLine, errorReportHeaderLine, errorReportLine } from '../../../functions/order-processor/reports/csv-output.ts';
import {
  deleteVersion,
  expectConservation,
  HEADER,
  keysUnder,
  ledgerItem,
  metricSum,
  objectCreatedBody,
  orders,
  putRaw,
  receiveAlerts,
  run,
  sqsEvent,
  text,
  useProcessorEnvironment,
  ordersOfIngestion,
  orderLines,
  shopCsv,
  SHOP_SCHEMA,
  useBuiltInSchema,
  useSchema,
} from './setup.ts';

useProcessorEnvironment();

const DRIVER = fileURLToPath(new URL('./crash-driver.ts', import.meta.url));

/** 600 orders (24 batches of 25), every 50th rejected: 588 valid, 12 rejected. */
const killedRows = (prefix: string): string[] =>
  Array.from({ length: 600 }, (_, i) => `${prefix}-${i + 1},Customer ${i + 1},Widget ${i % 7},${i % 50 === 49 ? 'none' : (i % 5) + 1},${(i % 9) + 0.5}`);

/** Runs the handler in a child process that kills itself after `batches` confirmed requests of `command` (default: BatchWriteItem). */
function runAndCrash(body: string, batches: number, command = 'BatchWriteItemCommand'): Promise<{ signal: NodeJS.Signals | null; code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', DRIVER], {
      env: { ...process.env, EVENT_BODY: body, CRASH_AFTER_BATCHES: String(batches), CRASH_ON_COMMAND: command, LAMBDA_TIMEOUT_SECONDS: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, stderr }));
  });
}

async function until(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('handler killed mid-file', () => {
  it('ends, after redelivery, in the state of an uninterrupted run: identical items, exact counts, one outcome', async () => {
    // Prepare: 600 orders (24 batches of 25), every 50th rejected
    const rows = killedRows('KL');
    const csv = `${HEADER}\n${rows.join('\n')}\n`;
    const obj = await putRaw('raw-data/killed.csv', csv);
    const body = objectCreatedBody(obj);
    // Act: the first delivery dies after 5 batches
    const crash = await runAndCrash(body, 5);
    // Assess: written in part, nothing routed, reported or alerted; the claim still held
    expect(crash).toMatchObject({ signal: 'SIGKILL' });
    const held = await ledgerItem(obj);
    expect(held).toMatchObject({ status: 'PROCESSING', attempts: 1 });
    expect(held?.lease_expires_at).toBeGreaterThan(Date.now() - 5_000);
    const ids = Array.from({ length: 600 }, (_, i) => `KL-${i + 1}`);
    const early = await orders(ids);
    expect(early).toHaveLength(5 * 25);
    expect(await keysUnder(obj.key)).toEqual([obj.key]);
    for (const prefix of ['archive/', 'processed-data/', 'failed-data/']) expect(await keysUnder(prefix)).not.toContainEqual(expect.stringContaining('killed'));
    expect(await receiveAlerts(0)).toEqual([]);
    // Act: SQS redelivers once the lease has expired
    await until(async () => ((await ledgerItem(obj))?.lease_expires_at ?? 0) < Date.now(), 10_000);
    const response = await run(sqsEvent(body));
    // Assess: one outcome, exact counts
    expect(response.batchItemFailures).toEqual([]);
    const item = await ledgerItem(obj);
    expect(item).toMatchObject({ status: 'PARTIAL', rows: 600, written: 588, rejected: 12, attempts: 2, ingestion_id: held?.ingestion_id, started_at: held?.started_at });
    expectConservation(item);
    expect(await ordersOfIngestion(item?.ingestion_id ?? '')).toBe(item?.written);
    // The state an uninterrupted run produces, from the contract itself
    const ctx = { sourceKey: obj.key, ingestionId: item?.ingestion_id ?? '', processedAt: item?.started_at ?? '', now: new Date() };
    let cleaned = cleanedHeaderLine();
    let report = errorReportHeaderLine();
    const expected = new Map<string, Record<string, unknown>>();
    for await (const event of readOrders(Readable.from([Buffer.from(csv)]), ctx)) {
      if (event.kind === 'valid') {
        expected.set(event.order.order_id, toItem(event.order));
        cleaned += cleanedRowLine(event.order);
      } else if (event.kind === 'rejected') {
        report += errorReportLine(event.error);
      }
    }
    const stored = await orders(ids);
    expect(stored).toHaveLength(588);
    for (const found of stored) expect(found).toEqual(expected.get(String(found.order_id)));
    for (const first of early) expect(first).toEqual(expected.get(String(first.order_id)));
    expect(await text(item?.processed_key ?? '')).toBe(cleaned);
    expect(await text(item?.errors_key ?? '')).toBe(report);
    expect(await text(item?.archive_key ?? '')).toBe(csv);
    expect(await keysUnder(obj.key)).toEqual([]);
    expect(await receiveAlerts()).toHaveLength(1);
    expect(metricSum('FilesPartial')).toBe(1);
    expect(metricSum('RowsWritten')).toBe(588);
  });

  it('counts the killed attempt\'s rows when the version is then permanently deleted: FAILED, at least the rows it noted, never more than the table holds', async () => {
    // Prepare
    const csv = `${HEADER}\n${killedRows('KD').join('\n')}\n`;
    const obj = await putRaw('raw-data/killed-then-deleted.csv', csv);
    const body = objectCreatedBody(obj);
    // Act: the first delivery dies right after DynamoDB answered its 5th batch, before any code of ours saw the answer
    const crash = await runAndCrash(body, 5);
    expect(crash).toMatchObject({ signal: 'SIGKILL' });
    const held = await ledgerItem(obj);
    const noted = held?.parts_loaded?.['0'] ?? 0;
    // Act: the version is deleted (DeleteObject with its VersionId), then SQS redelivers once the lease has expired
    await deleteVersion(obj);
    await until(async () => ((await ledgerItem(obj))?.lease_expires_at ?? 0) < Date.now(), 10_000);
    const response = await run(sqsEvent(body));
    // Assess: the rows the killed attempt noted (it notes confirmations as they come) are counted, a lower bound said so
    expect(response.batchItemFailures).toEqual([]);
    const item = await ledgerItem(obj);
    const inTable = await ordersOfIngestion(item?.ingestion_id ?? '');
    expect(inTable).toBe(5 * 25);
    expect(noted).toBeGreaterThan(0);
    expect(noted).toBeLessThanOrEqual(inTable);
    expect(item).toMatchObject({ status: 'FAILED', rows: 600, written: noted, rejected: 12, unloaded: 588 - noted, attempts: 2, ingestion_id: held?.ingestion_id });
    expectConservation(item);
    expect(item?.reason).toBe(
      `the object version was deleted while it was being processed: an earlier attempt stopped after loading rows into the orders table, and this one could not read the file again; at least ${noted} rows are loaded in the orders table under ingestion_id ${item?.ingestion_id} (query it for the exact rows); at most ${588 - noted} valid rows are not loaded`,
    );
    const alerts = await receiveAlerts();
    expect(alerts.map((a) => a.subject)).toEqual([`[order-pipeline it] FAILED: killed-then-deleted.csv (failed, ${noted} of 600 rows written)`]);
    expect(alerts[0]?.message).toContain(`at least ${noted} rows are loaded in the orders table`);
    expect(metricSum('FilesFailed')).toBe(1);
    expect(metricSum('RowsWritten')).toBe(noted);
  });
});

describe('re-import of orders with several lines, killed mid-file', () => {
  afterEach(useBuiltInSchema);

  it.each([
    // [when, the request that kills it, after how many, orders still holding a dropped line at most]
    ['mid-write', 'PutItemCommand', 30, 40],
    ['mid-deletion', 'DeleteItemCommand', 10, 30],
  ])('leaves exactly the new lines once redelivered after dying %s', async (when, command, requests, staleAtMost) => {
    // Prepare: 40 orders of three lines, re-imported with two (the second line changed, the third dropped), and one new order
    const ids = Array.from({ length: 40 }, (_, i) => `RX-${when}-${i + 1}`);
    const before = shopCsv(ids.map((id) => [id, [['Pen', 1], ['Ink', 1], ['Pad', 1]]] as const));
    const after = shopCsv([...ids.map((id) => [id, [['Pen', 2], ['Pad', 1]]] as const), [`RX-${when}-NEW`, [['Cup', 1]]] as const]);
    // Prepare: the first export loaded whole
    useSchema(SHOP_SCHEMA);
    const first = await putRaw(`raw-data/reimport-${when}-1.csv`, before);
    expect((await run(sqsEvent(objectCreatedBody(first)))).batchItemFailures).toEqual([]);
    expect(await orderLines(`RX-${when}-1`)).toHaveLength(3);
    const second = await putRaw(`raw-data/reimport-${when}-2.csv`, after);
    const body = objectCreatedBody(second);
    // Act: the re-import dies after some of its puts, or some of its deletes
    const crash = await runAndCrash(body, requests, command);
    // Assess: it died where it was meant to, holding its claim, with lines the second file drops still in the table
    expect(crash).toMatchObject({ signal: 'SIGKILL' });
    const held = await ledgerItem(second);
    expect(held).toMatchObject({ status: 'PROCESSING', attempts: 1 });
    const stale = (await Promise.all(ids.map((id) => orderLines(id)))).filter((lines) => lines.length === 3).length;
    expect(stale).toBeGreaterThan(0);
    expect(stale).toBeLessThanOrEqual(staleAtMost);
    // Act: SQS redelivers once the lease has expired
    await until(async () => ((await ledgerItem(second))?.lease_expires_at ?? 0) < Date.now(), 10_000);
    const response = await run(sqsEvent(body));
    // Assess: one exact outcome; every order holds exactly the second file's lines
    expect(response.batchItemFailures).toEqual([]);
    const item = await ledgerItem(second);
    expect(item).toMatchObject({ status: 'PROCESSED', rows: 81, written: 81, rejected: 0, orders_written: 41, orders_rejected: 0, attempts: 2, ingestion_id: held?.ingestion_id });
    expectConservation(item);
    for (const id of ids) {
      const lines = (await orderLines(id)).map((l) => [l.line, l.product_name, l.quantity, l.ingestion_id]);
      expect(lines, id).toEqual([
        [1, 'Pen', 2, item?.ingestion_id],
        [2, 'Pad', 1, item?.ingestion_id],
      ]);
    }
    expect((await orderLines(`RX-${when}-NEW`)).map((l) => l.line)).toEqual([1]);
    expect(await ordersOfIngestion(item?.ingestion_id ?? '')).toBe(81);
  });
});
