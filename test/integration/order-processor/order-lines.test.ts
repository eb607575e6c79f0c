/**
 * Orders with several lines through the real handler against moto (docs/csv-format.md "Orders
 * with several lines"), each file also through `validate --schema … --json`, with the same counts
 * and reasons: the shop-style sample (lines by position, order-level fields on first rows only),
 * a file with a line column, an order split by another order, one bad line, a conflicting
 * order-level value; and re-import: a file that drops a line of an order leaves exactly its lines.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { LedgerItem } from '../../../functions/order-processor/index.ts';
import { expectConservation, ledgerItem, logLines, objectCreatedBody, orderLines, putRaw, run, SHOP_HEADER, SHOP_SCHEMA, sqsEvent, useBuiltInSchema, useProcessorEnvironment, useSchema } from './setup.ts';

useProcessorEnvironment();

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const LINES_SCHEMA = join(ROOT, 'sample-data/order-lines/order-schema.json');

interface Report {
  status: string;
  rows: number;
  valid: number;
  rejected: number;
  orders: number;
  orders_rejected: number;
  errors: { line: number; order_id: string | null; column: string | null; reason: string }[];
}

/** `order-pipeline validate --schema … --json` over one file. */
function validateJson(file: string, schema: string): Promise<Report> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(ROOT, 'bin/order-pipeline.js'), 'validate', file, '--schema', schema, '--json'], { cwd: ROOT }, (_error, stdout) => {
      resolve((JSON.parse(stdout) as Report[])[0] as Report);
    });
  });
}

/** One file through validate and through the handler; both outcomes. */
async function throughBoth(key: string, csv: string | Buffer, schema: string): Promise<{ report: Report; item: LedgerItem | undefined }> {
  useSchema(schema);
  const local = join(mkdtempSync(join(tmpdir(), 'order-lines-')), 'orders.csv');
  writeFileSync(local, csv);
  const report = await validateJson(local, schema);
  const obj = await putRaw(key, csv);
  const response = await run(sqsEvent(objectCreatedBody(obj)));
  expect(response.batchItemFailures).toEqual([]);
  return { report, item: await ledgerItem(obj) };
}

/** The handler's outcome equals validate's: counts and every reason. */
function expectSameOutcome(report: Report, item: LedgerItem | undefined): void {
  const status = { VALID: 'PROCESSED', PARTIAL: 'PARTIAL', REJECTED: 'FAILED' }[report.status];
  expect(item).toMatchObject({ status, rows: report.rows, written: report.valid, rejected: report.rejected });
  expect(item?.first_errors ?? []).toEqual(report.errors.slice(0, 10));
  expect(item?.orders_written).toBe(report.orders);
  expect(item?.orders_rejected).toBe(report.orders_rejected);
  expectConservation(item);
}

const lineNumbers = (items: Record<string, unknown>[]) => items.map((i) => i.line);

afterEach(useBuiltInSchema);

describe('orders with several lines, through the handler and validate alike', () => {
  it('loads the shop-style sample: lines by position, order-level fields taken from each first row', async () => {
    // Act
    const { report, item } = await throughBoth('raw-data/lines/shop-export.csv', readFileSync(join(ROOT, 'sample-data/shop-export/orders.csv')), SHOP_SCHEMA);
    // Assess
    expect(report).toMatchObject({ status: 'VALID', rows: 10, valid: 10, rejected: 0, orders: 4, orders_rejected: 0 });
    expectSameOutcome(report, item);
    const order = await orderLines('SHOP-1001');
    expect(lineNumbers(order)).toEqual([1, 2, 3]);
    expect(order[2]).toMatchObject({ customer_name: 'Maria Rossi', currency: 'EUR', shipping_country: 'IT', product_name: 'Coffee beans, 1 kg', source_line: 4 });
    expect(lineNumbers(await orderLines('SHOP-1004'))).toEqual([1, 2, 3, 4]);
  });

  it('loads a file with a line column, rejecting the whole order of a repeated line', async () => {
    // Act
    const { report, item } = await throughBoth('raw-data/lines/order-lines.csv', readFileSync(join(ROOT, 'sample-data/order-lines/orders.csv')), LINES_SCHEMA);
    // Assess
    expect(report).toMatchObject({ status: 'PARTIAL', rows: 8, valid: 5, rejected: 3, orders: 2, orders_rejected: 2 });
    expectSameOutcome(report, item);
    expect(lineNumbers(await orderLines('ORD-L102'))).toEqual([1, 2]);
    expect(await orderLines('ORD-L101')).toEqual([]);
  });

  it('rejects an order split by another order, an order with one bad line and a conflicting order-level value, each whole', async () => {
    // Prepare
    const csv = [
      'Order Number,Created at,Billing Name,Email,Currency,Lineitem Name,Lineitem Quantity,Lineitem Price',
      'SPLIT-1,2025-05-01,Ann,,EUR,Pen,1,1',
      'OTHER-1,2025-05-01,Bob,,EUR,Ink,1,1',
      'SPLIT-1,,,,,Pad,1,1',
      'BAD-1,2025-05-01,Cy,,EUR,Cup,1,1',
      'BAD-1,,,,,Mug,0,1',
      'BAD-1,,,,,Jar,1,1',
      'CONFLICT-1,2025-05-01,Di,di@example.com,EUR,Pen,1,1',
      'CONFLICT-1,,,,GBP,Ink,1,1',
      'OK-1,2025-05-01,Ed,,USD,Pen,1,1',
      'OK-1,,,,,Ink,2,1',
      '',
    ].join('\n');
    // Act
    const { report, item } = await throughBoth('raw-data/lines/mixed.csv', csv, SHOP_SCHEMA);
    // Assess
    expect(report).toMatchObject({ status: 'PARTIAL', rows: 10, valid: 3, rejected: 7, orders: 2, orders_rejected: 3 });
    expect(report.errors.map((e) => [e.line, e.order_id, e.reason])).toEqual([
      [2, 'SPLIT-1', 'order SPLIT-1 has a rejected line (line 4); an order is loaded only with all its lines'],
      [4, 'SPLIT-1', 'order_id "SPLIT-1" comes back after its rows ended on line 2; expected the rows of one order next to each other'],
      [5, 'BAD-1', 'order BAD-1 has a rejected line (line 6); an order is loaded only with all its lines'],
      [6, 'BAD-1', 'quantity "0" is out of range; expected a whole number from 1 to 100,000'],
      [7, 'BAD-1', 'order BAD-1 has a rejected line (line 6); an order is loaded only with all its lines'],
      [8, 'CONFLICT-1', 'order CONFLICT-1 has a rejected line (line 9); an order is loaded only with all its lines'],
      [9, 'CONFLICT-1', 'currency "GBP" differs from the order\'s first row (line 8: "EUR"); expected the same value, or an empty cell, on an order\'s later rows'],
    ]);
    expectSameOutcome(report, item);
    for (const id of ['SPLIT-1', 'BAD-1', 'CONFLICT-1']) expect(await orderLines(id), id).toEqual([]);
    expect(lineNumbers(await orderLines('OK-1'))).toEqual([1, 2]);
    expect(lineNumbers(await orderLines('OTHER-1'))).toEqual([1]);
  });
});

describe('re-import', () => {
  it('leaves exactly the new lines of an order that lost a line, also when the file is delivered again', async () => {
    // Prepare: the first export has three lines of RE-1, the second (another file) two
    const header = SHOP_HEADER;
    useSchema(SHOP_SCHEMA);
    const first = await putRaw('raw-data/lines/reimport-1.csv', [header, 'RE-1,2025-05-01,Ann,,EUR,Pen,1,1', 'RE-1,,,,,Ink,1,1', 'RE-1,,,,,Pad,1,1', 'RE-2,2025-05-01,Bob,,EUR,Cup,1,1', ''].join('\n'));
    await run(sqsEvent(objectCreatedBody(first)));
    expect(lineNumbers(await orderLines('RE-1'))).toEqual([1, 2, 3]);
    const second = await putRaw('raw-data/lines/reimport-2.csv', [header, 'RE-1,2025-05-01,Ann,,EUR,Pen,2,1', 'RE-1,,,,,Pad,1,1', ''].join('\n'));

    // Act
    const response = await run(sqsEvent(objectCreatedBody(second)));
    const redelivered = await run(sqsEvent(objectCreatedBody(second)));

    // Assess
    expect([...response.batchItemFailures, ...redelivered.batchItemFailures]).toEqual([]);
    const item = await ledgerItem(second);
    expect(item).toMatchObject({ status: 'PROCESSED', rows: 2, written: 2 });
    const lines = await orderLines('RE-1');
    expect(lines.map((l) => [l.line, l.product_name, l.quantity, l.ingestion_id])).toEqual([
      [1, 'Pen', 2, item?.ingestion_id],
      [2, 'Pad', 1, item?.ingestion_id],
    ]);
    // An order the second file does not carry is left as it was.
    expect(lineNumbers(await orderLines('RE-2'))).toEqual([1]);
    // What it cost (docs/performance.md "Re-import of orders with several lines"): per file, orders, Query requests, deletes.
    const pruned = logLines().filter((l) => l.message === 'Removed the order lines this file no longer has').map((l) => [l.orders, l.reads, l.deleted]);
    expect(pruned).toEqual([[2, 2, 0], [1, 1, 1]]);
  });
});
