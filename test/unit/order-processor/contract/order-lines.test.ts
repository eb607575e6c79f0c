/**
 * Orders with several lines (docs/csv-format.md "Orders with several lines"): the `line` every
 * stored order carries, and the line column of `"key": ["order_id", "line_number"]`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadSchemaFile } from '../../../../functions/order-processor/contract/schema/load.ts';
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
