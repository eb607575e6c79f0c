/**
 * Orders with several lines (docs/csv-format.md "Orders with several lines"): the `line` every
 * stored order carries, and the line column of `"key": ["order_id", "line_number"]`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_SCHEMA } from '../../../../functions/order-processor/contract/schema/built-in.ts';
import { compileSchemaJson, loadSchemaFile } from '../../../../functions/order-processor/contract/schema/load.ts';
import type { ContractEvent, Order, RowError } from '../../../../functions/order-processor/contract/types.ts';
import { bytes, chunked, MINIMAL_HEADER, readSource } from './reading.ts';

const SAMPLE = new URL('../../../../sample-data/order-lines/', import.meta.url);
const LINES_SCHEMA = loadSchemaFile(fileURLToPath(new URL('order-schema.json', SAMPLE)));

const valid = (events: ContractEvent[]): Order[] => events.flatMap((e) => (e.kind === 'valid' ? [e.order] : []));
const rejected = (events: ContractEvent[]): RowError[] => events.flatMap((e) => (e.kind === 'rejected' ? [e.error] : []));

describe('a file without a line column', () => {
  it('gives every order line 1 and rejects a repeated order_id as a duplicate', async () => {
    // Act
    const { events } = await readSource(chunked(bytes([MINIMAL_HEADER, 'A-1,Ann,Pen,1,1', 'A-2,Bob,Ink,1,1', 'A-1,Ann,Pad,1,1', ''].join('\n'))));
    // Assess
    expect(valid(events).map((o) => [o.order_id, o.line])).toEqual([['A-1', 1], ['A-2', 1]]);
    expect(rejected(events)).toEqual([
      { line: 4, order_id: 'A-1', column: 'order_id', reason: 'duplicate order_id "A-1": first seen on line 2; expected each order_id once per file' },
    ]);
  });
});

describe('a line column', () => {
  it('stores the line column as the order line and lets an order_id repeat with other lines', async () => {
    // Act
    const { events, error } = await readSource(chunked(readFileSync(new URL('orders.csv', SAMPLE)), 7), { schema: LINES_SCHEMA });
    // Assess
    expect(error).toBeUndefined();
    expect(valid(events).map((o) => [o.order_id, o.line, o.line_number])).toEqual([
      ['ORD-L100', 1, 1],
      ['ORD-L100', 2, 2],
      ['ORD-L100', 3, 3],
      ['ORD-L101', 1, 1],
      ['ORD-L102', 2, 2],
      ['ORD-L102', 1, 1],
    ]);
  });

  it('rejects a repeated (order_id, line) naming the first row, and a line out of range', async () => {
    // Act
    const { events } = await readSource(chunked(readFileSync(new URL('orders.csv', SAMPLE))), { schema: LINES_SCHEMA });
    // Assess
    expect(rejected(events)).toEqual([
      {
        line: 8,
        order_id: 'ORD-L101',
        column: 'line_number',
        reason: 'duplicate order line: order_id "ORD-L101" line_number 1 was first seen on line 5; expected each order_id and line_number together once per file',
      },
      { line: 9, order_id: 'ORD-L103', column: 'line_number', reason: 'line_number "0" is out of range; expected a whole number from 1 to 100,000' },
    ]);
  });

  it('remembers a well-formed (order_id, line) of a rejected row: a later row with it is its duplicate', async () => {
    // Prepare: line 2 has a bad quantity; line 3 repeats its (order_id, line)
    const csv = ['order_id,line,customer_name,product_name,quantity,unit_price', 'A-1,1,Ann,Pen,x,1', 'A-1,1,Ann,Pen,1,1', 'A-1,2,Ann,Ink,1,1', ''].join('\n');
    // Act
    const { events } = await readSource(chunked(bytes(csv)), { schema: LINES_SCHEMA });
    // Assess
    expect(rejected(events).map((e) => [e.line, e.column])).toEqual([[2, 'quantity'], [3, 'line_number']]);
    expect(valid(events).map((o) => o.line)).toEqual([2]);
  });

  it('reads the line column under each of its aliases', async () => {
    for (const alias of ['line', 'Line No', 'line_item', 'Item Number', 'position', 'LineNumber']) {
      // Act
      const { events } = await readSource(chunked(bytes(`order_id,${alias},customer_name,product_name,quantity,unit_price\nA-1,4,Ann,Pen,1,1\n`)), { schema: LINES_SCHEMA });
      // Assess
      expect(valid(events).map((o) => o.line), alias).toEqual([4]);
    }
  });
});

describe('an id line column', () => {
  it('numbers each order\'s valid rows 1..n as its lines, keeps the id, and rejects a repeated (order_id, line id)', async () => {
    // Prepare
    const schema = compileSchemaJson({ ...BUILT_IN_SCHEMA.spec, name: 'id-lines', key: ['order_id', 'line_ref'], columns: [...BUILT_IN_SCHEMA.spec.columns, { name: 'line_ref', type: 'id', required: true, maxLength: 16, aliases: ['line_item'] }] }, 'id-lines.json');
    const csv = ['order_id,line_item,customer_name,product_name,quantity,unit_price', 'A-1,X7,Ann,Pen,1,1', 'B-1,Q1,Bob,Cup,1,1', 'A-1,K2,Ann,Ink,1,1', 'A-1,X7,Ann,Pad,1,1', ''].join('\n');
    // Act
    const { events } = await readSource(chunked(bytes(csv)), { schema });
    // Assess
    expect(valid(events).map((o) => [o.order_id, o.line, o.line_ref])).toEqual([['A-1', 1, 'X7'], ['B-1', 1, 'Q1'], ['A-1', 2, 'K2']]);
    expect(rejected(events).map((e) => e.reason)).toEqual([
      'duplicate order line: order_id "A-1" line_ref "X7" was first seen on line 2; expected each order_id and line_ref together once per file',
    ]);
  });
});

describe('lines by position', () => {
  const SHOP = new URL('../../../../sample-data/shop-export/', import.meta.url);
  const SHOP_SCHEMA = loadSchemaFile(fileURLToPath(new URL('order-schema.json', SHOP)));
  const HEADER = 'Order Number,Created at,Billing Name,Email,Currency,Lineitem Name,Lineitem Quantity,Lineitem Price';
  const read = async (rows: string[]) => (await readSource(chunked(bytes([HEADER, ...rows, ''].join('\n'))), { schema: SHOP_SCHEMA })).events;

  it('numbers the adjacent rows of each order 1..n and fills empty order-level cells from the first row', async () => {
    // Act
    const { events, error } = await readSource(chunked(readFileSync(new URL('orders.csv', SHOP)), 5), { schema: SHOP_SCHEMA });
    // Assess
    expect(error).toBeUndefined();
    expect(rejected(events)).toEqual([]);
    expect(valid(events).map((o) => [o.order_id, o.line])).toEqual([
      ['SHOP-1001', 1], ['SHOP-1001', 2], ['SHOP-1001', 3], ['SHOP-1002', 1], ['SHOP-1003', 1], ['SHOP-1003', 2],
      ['SHOP-1004', 1], ['SHOP-1004', 2], ['SHOP-1004', 3], ['SHOP-1004', 4],
    ]);
    const third = valid(events)[2];
    expect(third).toMatchObject({ customer_name: 'Maria Rossi', customer_email: 'maria.rossi@example.com', currency: 'EUR', shipping_country: 'IT', financial_status: 'paid', order_date: '2025-05-02T07:14:00.000Z', product_name: 'Coffee beans, 1 kg' });
  });

  it('accepts an order-level value repeated on later rows', async () => {
    // Act
    const events = await read(['O-1,2025-05-01,Ann,ann@example.com,EUR,Pen,1,1', 'O-1,2025-05-01,Ann,ann@example.com,EUR,Ink,1,1']);
    // Assess
    expect(valid(events).map((o) => o.line)).toEqual([1, 2]);
  });

  it('rejects a different order-level value naming the first row\'s line and value', async () => {
    // Act
    const events = await read(['O-1,2025-05-01,Ann,ann@example.com,EUR,Pen,1,1', 'O-1,,,,USD,Ink,1,1', 'O-1,,,bob@example.com,,Cup,1,1']);
    // Assess
    expect(rejected(events)).toEqual([
      { line: 3, order_id: 'O-1', column: 'currency', reason: 'currency "USD" differs from the order\'s first row (line 2: "EUR"); expected the same value, or an empty cell, on an order\'s later rows' },
      { line: 4, order_id: 'O-1', column: 'customer_email', reason: 'customer_email "bob@example.com" differs from the order\'s first row (line 2: "ann@example.com"); expected the same value, or an empty cell, on an order\'s later rows' },
    ]);
  });

  it('rejects a value on a later row where the first row left the order-level cell empty', async () => {
    // Act
    const events = await read(['O-1,2025-05-01,Ann,,EUR,Pen,1,1', 'O-1,,,ann@example.com,,Ink,1,1']);
    // Assess
    expect(rejected(events).map((e) => e.reason)).toEqual([
      'customer_email "ann@example.com" differs from the order\'s first row (line 2: empty); expected the same value, or an empty cell, on an order\'s later rows',
    ]);
  });

  it('ends the order before a row that comes back: its next row is not adjacent to it either', async () => {
    // Act: O-1, O-2, O-1 again, O-2 again
    const events = await read(['O-1,2025-05-01,Ann,,EUR,Pen,1,1', 'O-2,2025-05-01,Bob,,EUR,Cup,1,1', 'O-1,,,,,Pad,1,1', 'O-2,,,,,Mug,1,1']);
    // Assess
    expect(rejected(events).map((e) => [e.line, e.reason])).toEqual([
      [4, 'order_id "O-1" comes back after its rows ended on line 2; expected the rows of one order next to each other'],
      [5, 'order_id "O-2" comes back after its rows ended on line 3; expected the rows of one order next to each other'],
    ]);
    expect(valid(events).map((o) => [o.order_id, o.line])).toEqual([['O-1', 1], ['O-2', 1]]);
  });

  it('rejects rows of an order that come back after another order, naming where its rows ended', async () => {
    // Act
    const events = await read(['O-1,2025-05-01,Ann,,EUR,Pen,1,1', 'O-1,,,,,Ink,1,1', 'O-2,2025-05-01,Bob,,EUR,Cup,1,1', 'O-1,,,,,Pad,1,1']);
    // Assess
    expect(rejected(events)).toEqual([
      { line: 5, order_id: 'O-1', column: 'order_id', reason: 'order_id "O-1" comes back after its rows ended on line 3; expected the rows of one order next to each other' },
    ]);
  });

  it('leaves the block alone on a row without a well-formed order_id', async () => {
    // Act
    const events = await read(['O-1,2025-05-01,Ann,,EUR,Pen,1,1', ',,,,,Ink,1,1', 'O-1,,,,,Pad,1,1']);
    // Assess
    expect(rejected(events).map((e) => e.line)).toEqual([3]);
    expect(valid(events).map((o) => [o.source_line, o.line])).toEqual([[2, 1], [4, 2]]);
  });
});
