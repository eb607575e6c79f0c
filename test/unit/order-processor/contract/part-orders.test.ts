/**
 * Orders decided across the parts of a file (contract/part-orders.ts), on hand-written digests;
 * parts.property.test.ts checks the whole against two sequential reads of random files.
 */
import { describe, expect, it } from 'vitest';
import type { SeedEntry } from '../../../../functions/order-processor/contract/part-ids.ts';
import { ordersAcrossParts, PartOrders, type OrderAcrossParts, type PartOrderEntry } from '../../../../functions/order-processor/contract/part-orders.ts';
import { BUILT_IN_SCHEMA } from '../../../../functions/order-processor/contract/schema/built-in.ts';
import type { ContractEvent, Order } from '../../../../functions/order-processor/contract/types.ts';

const order = (id: string, first: number, rejected: number, valid: number): PartOrderEntry => ({ id, first, rejected, valid });
const seed = (part: number, id: string, line: number, partLine: number, demoted = true): SeedEntry => ({ part, id, line, partLine, demoted });

async function* stream<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}

async function decided(digests: PartOrderEntry[][], seeds: SeedEntry[], lines: 'column' | 'by-position'): Promise<OrderAcrossParts[]> {
  const all: OrderAcrossParts[] = [];
  for await (const one of ordersAcrossParts(digests, stream(seeds), lines)) all.push(one);
  return all;
}

describe('ordersAcrossParts', () => {
  it('rejects whole, by position, an order that comes back in a later part, naming its first row there', async () => {
    // Prepare: A on lines 2-4 in part 0 (valid), back on line 40 in part 1; B only in part 1
    const digests = [[order('A', 2, 0, 3)], [order('A', 40, 0, 1), order('B', 41, 0, 2)]];
    // Act
    const orders = await decided(digests, [seed(1, 'A', 4, 40)], 'by-position');
    // Assess
    expect(orders).toEqual([
      { id: 'A', loaded: false, parts: [{ part: 0, id: 'A', badLine: 40, before: 0, demoted: 3 }, { part: 1, id: 'A', badLine: 40, before: 0, demoted: 1 }] },
      { id: 'B', loaded: true, parts: [{ part: 1, id: 'B', badLine: 0, before: 0, demoted: 0 }] },
    ]);
  });

  it('names the first rejected row in file order, and rejects the order in the parts before it too', async () => {
    // Prepare: C valid in parts 0 and 1, a bad line in part 2 and another in part 3
    const digests = [[order('C', 2, 0, 2)], [order('C', 20, 0, 1)], [order('C', 30, 31, 1)], [order('C', 50, 50, 0)]];
    // Act
    const [c] = await decided(digests, [], 'column');
    // Assess
    expect(c?.loaded).toBe(false);
    expect(c?.parts.map((p) => [p.part, p.badLine, p.demoted])).toEqual([[0, 31, 2], [1, 31, 1], [2, 31, 1], [3, 31, 0]]);
  });

  it('with a line column, rejects an order whose line repeats one of an earlier part, and numbers a loaded order on across parts', async () => {
    // Prepare: D line 1 in parts 0 and 1 (the repeat, valid alone, on line 25); E in parts 0 and 2
    const digests = [[order('D', 2, 0, 1), order('E', 3, 0, 2)], [order('D', 25, 0, 1)], [order('E', 60, 0, 3)]];
    // Act
    const orders = await decided(digests, [seed(1, 'D\u00001', 2, 25)], 'column');
    // Assess
    expect(orders.map((o) => [o.id, o.loaded, o.parts.map((p) => [p.part, p.badLine, p.before, p.demoted])])).toEqual([
      ['D', false, [[0, 25, 0, 1], [1, 25, 0, 1]]],
      ['E', true, [[0, 0, 0, 0], [2, 0, 2, 0]]],
    ]);
  });

  it('reads every seed, also past the last order of the digests', async () => {
    // Prepare
    const read: SeedEntry[] = [];
    async function* seeds() {
      for (const s of [seed(1, 'A', 2, 9), seed(1, 'Z', 3, 10)]) {
        read.push(s);
        yield s;
      }
    }
    // Act
    for await (const one of ordersAcrossParts([[order('A', 2, 0, 1)], [order('A', 9, 0, 1)]], seeds(), 'by-position')) void one;
    // Assess
    expect(read.map((s) => s.id)).toEqual(['A', 'Z']);
  });
});

describe('PartOrders', () => {
  it('keeps per order its first line, first rejected line and valid rows, sorted by id, leaving out ids that are not well-formed', () => {
    // Prepare
    const orders = PartOrders.of(BUILT_IN_SCHEMA);
    const valid = (id: string, line: number): ContractEvent => ({ kind: 'valid', line, order: { order_id: id } as Order });
    const rejected = (id: string | null, line: number): ContractEvent => ({ kind: 'rejected', error: { line, order_id: id, column: null, reason: 'x' } });
    // Act
    for (const event of [valid('B', 2), rejected('A', 3), valid('A', 4), rejected('B', 5), rejected('B', 6), rejected('bad id', 7), rejected(null, 8), valid('B', 9)]) {
      orders.observe(event);
    }
    // Assess
    expect(orders.entries()).toEqual([
      { id: 'A', first: 3, rejected: 3, valid: 1 },
      { id: 'B', first: 2, rejected: 5, valid: 2 },
    ]);
  });
});
