/**
 * An order is written whole or not at all (contract/whole-orders.ts; docs/csv-format.md "Orders
 * with several lines"): the first read finds the orders with a rejected line, the second rejects
 * their other lines naming the bad one; `validate` reads twice and gives the processor's counts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadSchemaFile } from '../../../../functions/order-processor/contract/schema/load.ts';
import { validateFile } from '../../../../functions/order-processor/contract/summary.ts';
import type { ContractEvent } from '../../../../functions/order-processor/contract/types.ts';
import { OrdersWithRejectedLines, wholeOrderReason } from '../../../../functions/order-processor/contract/whole-orders.ts';
import { bytes, chunked, MINIMAL_HEADER, readSource } from './reading.ts';

const SAMPLES = new URL('../../../../sample-data/', import.meta.url);
const SHOP_SCHEMA = loadSchemaFile(fileURLToPath(new URL('shop-export/order-schema.json', SAMPLES)));
const LINES_SCHEMA = loadSchemaFile(fileURLToPath(new URL('order-lines/order-schema.json', SAMPLES)));
const NOW = new Date('2026-01-15T12:00:00.000Z');
const SHOP_HEADER = 'Order Number,Created at,Billing Name,Email,Currency,Lineitem Name,Lineitem Quantity,Lineitem Price';

function tempFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'whole-orders-')), 'orders.csv');
  writeFileSync(path, text);
  return path;
}

const outline = (events: ContractEvent[]) =>
  events.flatMap((e) => (e.kind === 'valid' ? [`${e.line} valid`] : e.kind === 'rejected' ? [`${e.error.line} ${e.error.reason}`] : []));

describe('the reason', () => {
  it('names the order and its bad line', () => {
    expect(wholeOrderReason('ORD-7', 12)).toBe('order ORD-7 has a rejected line (line 12); an order is loaded only with all its lines');
  });
});

describe('reading with the orders that have a rejected line', () => {
  it('rejects every valid row of those orders, before and after the bad line, and nothing else', async () => {
    // Prepare
    const csv = [SHOP_HEADER, 'O-1,2025-05-01,Ann,,EUR,Pen,1,1', 'O-1,,,,,Ink,0,1', 'O-1,,,,,Cup,1,1', 'O-2,2025-05-01,Bob,,EUR,Mug,1,1', ''].join('\n');
    // Act
    const { events } = await readSource(chunked(bytes(csv)), { schema: SHOP_SCHEMA, rejectedOrders: new Map([['O-1', 3]]) });
    // Assess
    expect(outline(events)).toEqual([
      '2 order O-1 has a rejected line (line 3); an order is loaded only with all its lines',
      '3 quantity "0" is out of range; expected a whole number from 1 to 100,000',
      '4 order O-1 has a rejected line (line 3); an order is loaded only with all its lines',
      '5 valid',
    ]);
  });
});

describe('OrdersWithRejectedLines', () => {
  it('finds each order\'s first rejected line and moves its valid rows from valid to rejected', async () => {
    // Prepare: O-1 bad on lines 3 and 5, O-2 clean, a row without an id
    const csv = [SHOP_HEADER, 'O-1,2025-05-01,Ann,,EUR,Pen,1,1', 'O-1,,,,,Ink,0,1', 'O-1,,,,,Cup,1,1', 'O-1,,,,,Pad,x,1', 'O-2,2025-05-01,Bob,,EUR,Mug,1,1', ',,,,,Mug,1,1', ''].join('\n');
    const orders = new OrdersWithRejectedLines();
    // Act
    const { events } = await readSource(chunked(bytes(csv)), { schema: SHOP_SCHEMA });
    for (const event of events) orders.observe(event);
    // Assess
    expect([...orders.orders]).toEqual([['O-1', 3]]);
    expect(orders.demoted).toBe(2);
    expect(orders.adjust({ rows: 6, valid: 3, rejected: 3, blank: 0 })).toEqual({ rows: 6, valid: 1, rejected: 5, blank: 0 });
    // The file's orders: O-1 and O-2 (the row without an id is no order)
    expect(orders.count).toBe(2);
  });

  it('counts an order whose every row is rejected among the file\'s orders once', async () => {
    // Prepare: O-1 valid, O-2 rejected on both its rows, O-3 valid then bad
    const csv = [SHOP_HEADER, 'O-1,2025-05-01,Ann,,EUR,Pen,1,1', 'O-2,2025-05-01,Bob,,EUR,Ink,0,1', 'O-2,,,,,Cup,x,1', 'O-3,2025-05-01,Cy,,EUR,Pad,1,1', 'O-3,,,,,Mug,0,1', ''].join('\n');
    const orders = new OrdersWithRejectedLines();
    // Act
    const { events } = await readSource(chunked(bytes(csv)), { schema: SHOP_SCHEMA });
    for (const event of events) orders.observe(event);
    // Assess
    expect(orders.count).toBe(3);
    expect(orders.orders.size).toBe(2);
  });
});

describe('validate, reading twice', () => {
  it('rejects an order with one bad line whole, conserving rows, in the processor\'s counts', async () => {
    // Prepare
    const path = tempFile([SHOP_HEADER, 'O-1,2025-05-01,Ann,,EUR,Pen,1,1', 'O-1,,,,,Ink,0,1', 'O-1,,,,,Cup,1,1', 'O-2,2025-05-01,Bob,,EUR,Mug,1,1', ''].join('\n'));
    // Act
    const report = await validateFile(path, { now: NOW, schema: SHOP_SCHEMA });
    // Assess
    expect(report).toMatchObject({ status: 'PARTIAL', rows: 4, valid: 1, rejected: 3, blank: 0, orders: 1, ordersRejected: 1 });
    expect(report.errors.map((e) => [e.line, e.column])).toEqual([[2, 'order_id'], [3, 'quantity'], [4, 'order_id']]);
  });

  it('rejects the whole order of a repeated line of a line-column file', async () => {
    // Act
    const report = await validateFile(fileURLToPath(new URL('order-lines/orders.csv', SAMPLES)), { now: NOW, schema: LINES_SCHEMA });
    // Assess
    expect(report).toMatchObject({ status: 'PARTIAL', rows: 8, valid: 5, rejected: 3 });
    expect(report.errors.map((e) => e.line)).toEqual([5, 8, 9]);
    expect(report.errors[0]?.reason).toBe('order ORD-L101 has a rejected line (line 8); an order is loaded only with all its lines');
  });

  it('rejects a file whose every order has a bad line', async () => {
    // Prepare
    const path = tempFile([SHOP_HEADER, 'O-1,2025-05-01,Ann,,EUR,Pen,1,1', 'O-1,,,,USD,Ink,1,1', ''].join('\n'));
    // Act
    const report = await validateFile(path, { now: NOW, schema: SHOP_SCHEMA });
    // Assess
    expect(report).toMatchObject({ status: 'REJECTED', rows: 2, valid: 0, rejected: 2, reason: 'all 2 data rows were rejected' });
  });

  it('keeps a repeated order_id of a file without order lines a duplicate: the first row stays valid', async () => {
    // Prepare
    const path = tempFile([MINIMAL_HEADER, 'A-1,Ann,Pen,1,1', 'A-1,Ann,Ink,1,1', ''].join('\n'));
    // Act
    const report = await validateFile(path, { now: NOW });
    // Assess
    expect(report).toMatchObject({ status: 'PARTIAL', rows: 2, valid: 1, rejected: 1 });
  });
});
