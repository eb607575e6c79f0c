/**
 * The compact duplicate-id set (contract/order-id-set.ts): the same answers as a Map of the same
 * ids, for ids of any characters, through growth of its arena and table.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OrderIdSet } from '../../../../functions/order-processor/contract/order-id-set.ts';

type Op = { kind: 'set'; id: string; line: number } | { kind: 'get'; id: string } | { kind: 'has'; id: string };

/** Ids that collide often (a few characters), with look-alikes, non-ASCII and empty ones. */
const idArb = fc.oneof(
  fc.stringMatching(/^[A-C][0-9]{0,2}$/),
  fc.constantFrom('', 'a', 'A', 'é', 'e\u0301', 'ſ', '日本', '😀', 'A-1 ', 'A-1'),
  fc.string({ unit: 'binary', maxLength: 12 }),
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), id: idArb, line: fc.integer({ min: 1, max: 2 ** 40 }) }),
  fc.record({ kind: fc.constant('get' as const), id: idArb }),
  fc.record({ kind: fc.constant('has' as const), id: idArb }),
);

describe('OrderIdSet', () => {
  it('answers get, has, size and iteration like a Map, whatever the ids and the order of calls', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 200 }), (ops) => {
        // Prepare
        const set = new OrderIdSet();
        const map = new Map<string, number>();
        // Act / Assess
        for (const op of ops) {
          if (op.kind === 'set') {
            set.set(op.id, op.line);
            map.set(op.id, op.line);
          } else if (op.kind === 'get') {
            expect(set.get(op.id)).toBe(map.get(op.id));
          } else {
            expect(set.has(op.id)).toBe(map.has(op.id));
          }
        }
        expect(set.size).toBe(map.size);
        expect([...set]).toEqual([...map]);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps every id exact through many growths of its arena and table', () => {
    // Prepare: ids of one shape, as generated files have, and a few of other lengths
    const ids = Array.from({ length: 20_000 }, (_, i) => (i % 97 === 0 ? `X${i}` : `GEN-7-${String(i).padStart(9, '0')}`));
    const set = new OrderIdSet();
    // Act
    ids.forEach((id, i) => set.set(id, i + 2));
    // Assess
    expect(set.size).toBe(ids.length);
    expect(ids.every((id, i) => set.get(id) === i + 2)).toBe(true);
    expect(set.get('GEN-7-000020000')).toBeUndefined();
    expect(set.has('GEN-7-00000001')).toBe(false);
    expect([...set].at(-1)).toEqual([ids.at(-1), ids.length + 1]);
  });

  it('tells apart strings that UTF-8 would write alike (lone surrogates) and gives them back as they were', () => {
    // Prepare
    const set = new OrderIdSet();
    // Act
    set.set('\uD800', 2);
    set.set('x\uDC00', 3);
    // Assess
    expect(set.get('\uD801')).toBeUndefined();
    expect(set.get('x\uDC01')).toBeUndefined();
    expect([...set]).toEqual([
      ['\uD800', 2],
      ['x\uDC00', 3],
    ]);
  });

  it('answers a set right after a failed get of the same id, and of another id, alike', () => {
    // Prepare
    const set = new OrderIdSet();
    // Act: the duplicate rule's pattern (get, then set the same id), and a set after a get of another id
    const before = set.get('A-1');
    set.set('A-1', 2);
    set.get('B-2');
    set.set('C-3', 4);
    set.set('A-1', 9);
    // Assess
    expect(before).toBeUndefined();
    expect([...set]).toEqual([
      ['A-1', 9],
      ['C-3', 4],
    ]);
    expect(set.has('B-2')).toBe(false);
  });
});
