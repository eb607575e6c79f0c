/**
 * The duplicate rule across parts (contract/part-ids.ts): per-part digests of first-seen ids,
 * merged into the seeds each part is read again with.
 */
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FirstSeenDigest,
  firstRejection,
  mergeDigests,
  type DigestEntry,
  type SeedEntry,
} from '../../../../functions/order-processor/contract/parts.ts';
import type { SeenOrderIds } from '../../../../functions/order-processor/contract/rules.ts';
import { FileRejectedError } from '../../../../functions/order-processor/contract/types.ts';
import { readOrders } from '../../../../functions/order-processor/contract/reader.ts';
import { loadSchemaFile } from '../../../../functions/order-processor/contract/schema/load.ts';
import { chunked, makeContext, MINIMAL_HEADER } from './reading.ts';

/** What one part is read with, and how its scan counts change (valid − demoted, rejected + demoted). */
interface PartSeeds {
  seeds: SeenOrderIds;
  demoted: number;
}

/**
 * The reference mergeDigests is checked against: the seeds of every part from digests held in
 * memory, in part order (any order of entries).
 */
function crossPartSeeds(digests: readonly (readonly DigestEntry[])[]): PartSeeds[] {
  const first = new Map<string, number>();
  return digests.map((digest) => {
    const part: PartSeeds = { seeds: new Map(), demoted: 0 };
    for (const { id, valid } of digest) {
      const earlier = first.get(id);
      if (earlier === undefined) continue;
      part.seeds.set(id, earlier);
      if (valid) part.demoted++;
    }
    // Registered after the part: ids first seen in the same part are not seeds of it.
    for (const { id, line } of digest) if (!first.has(id)) first.set(id, line);
    return part;
  });
}

const entry = (id: string, line: number, valid = true): DigestEntry => ({ id, line, valid });

async function collect(seeds: AsyncIterable<SeedEntry>): Promise<SeedEntry[]> {
  const all: SeedEntry[] = [];
  for await (const seed of seeds) all.push(seed);
  return all;
}

async function* slowly<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) {
    await new Promise((resolve) => setImmediate(resolve));
    yield item;
  }
}

describe('FirstSeenDigest', () => {
  it('lists the ids first seen in a part, sorted, with whether their first row was valid', async () => {
    // Prepare: B-1 first on a rejected row (bad quantity), A-7 valid then repeated, C-2 valid, a row with a malformed id
    const csv = [MINIMAL_HEADER, 'B-1,Ann,Pen,x,1', 'A-7,Ann,Pen,1,1', 'B-1,Bob,Ink,1,1', 'A-7,Cy,Pad,1,1', 'C-2,Di,Cup,1,1', 'bad id,Ed,Mug,1,1'].join('\n');
    const digest = new FirstSeenDigest();

    // Act
    for await (const event of readOrders(chunked(Buffer.from(csv), 9), makeContext({ seen: digest.seen }))) digest.observe(event);

    // Assess
    expect(digest.entries()).toEqual([entry('A-7', 3), entry('B-1', 2, false), entry('C-2', 6)]);
  });

  it('lists (order_id, line) entries of a file with a line column, with whether their first row was valid', async () => {
    // Prepare: A-1 line 1 first on a rejected row, then valid; A-1 line 2 valid; read a byte at a time, so events come in batches
    const schema = loadSchemaFile(fileURLToPath(new URL('../../../../sample-data/order-lines/order-schema.json', import.meta.url)));
    const csv = ['order_id,line,customer_name,product_name,quantity,unit_price', 'A-1,1,Ann,Pen,x,1', 'A-1,2,Ann,Ink,1,1', 'A-1,1,Ann,Pen,1,1', 'B-1,1,Bob,Cup,1,1', ''].join('\n');
    const digest = new FirstSeenDigest();

    // Act
    for await (const event of readOrders(chunked(Buffer.from(csv), 64 * 1024), makeContext({ seen: digest.seen, schema }))) digest.observe(event);

    // Assess
    expect(digest.entries()).toEqual([entry('A-1\u00001', 2, false), entry('A-1\u00002', 3), entry('B-1\u00001', 5)]);
  });
});

describe('crossPartSeeds', () => {
  it('seeds each part with the ids first seen in earlier parts and counts its valid first rows that become duplicates', () => {
    // Prepare
    const digests = [
      [entry('A', 2), entry('B', 3, false)],
      [entry('A', 10), entry('B', 11), entry('C', 12, false)],
      [entry('C', 20), entry('D', 21), entry('A', 22, false)],
    ];

    // Act
    const seeds = crossPartSeeds(digests);

    // Assess
    expect(seeds).toEqual([
      { seeds: new Map(), demoted: 0 },
      { seeds: new Map([['A', 2], ['B', 3]]), demoted: 2 },
      { seeds: new Map([['C', 12], ['A', 2]]), demoted: 1 },
    ]);
  });
});

describe('mergeDigests', () => {
  it('yields the seeds of every part in id order from sorted async digests', async () => {
    // Prepare
    const digests = [
      slowly([entry('A', 2), entry('B', 3, false)]),
      slowly([entry('A', 10), entry('B', 11), entry('C', 12, false)]),
      slowly([entry('A', 22, false), entry('C', 20), entry('D', 21)]),
    ];

    // Act
    const seeds = await collect(mergeDigests(digests));

    // Assess
    expect(seeds).toEqual([
      { part: 1, id: 'A', line: 2, partLine: 10, demoted: true },
      { part: 2, id: 'A', line: 2, partLine: 22, demoted: false },
      { part: 1, id: 'B', line: 3, partLine: 11, demoted: true },
      { part: 2, id: 'C', line: 12, partLine: 20, demoted: true },
    ]);
  });

  it('agrees with crossPartSeeds on random digests of up to 12 parts', async () => {
    const digestArb = fc.uniqueArray(fc.tuple(fc.stringMatching(/^[A-C][0-9]{0,2}$/), fc.boolean()), { selector: ([id]) => id, maxLength: 30 });
    await fc.assert(
      fc.asyncProperty(fc.array(digestArb, { maxLength: 12 }), async (raw) => {
        // Prepare: sorted digests, lines increasing with the part
        const digests = raw.map((part, p) =>
          part.map(([id, valid], i) => entry(id, 1000 * p + i + 2, valid)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
        );

        // Act
        const merged = await collect(mergeDigests(digests));

        // Assess
        const expected = crossPartSeeds(digests);
        expect(digests.map((_, p) => new Map(merged.filter((s) => s.part === p).map((s) => [s.id, s.line])))).toEqual(expected.map((e) => e.seeds));
        expect(digests.map((_, p) => merged.filter((s) => s.part === p && s.demoted).length)).toEqual(expected.map((e) => e.demoted));
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a digest that is not sorted by id, naming the part', async () => {
    // Prepare
    const digests = [[entry('A', 2)], [entry('B', 5), entry('A', 6)]];

    // Act + Assess
    await expect(collect(mergeDigests(digests))).rejects.toThrow('the order_id digest of part 1 is not sorted: "A" comes after "B"');
  });
});

describe('firstRejection', () => {
  it('picks the rejection with the smallest offset, and none when no part was rejected', () => {
    // Prepare
    const late = new FileRejectedError('late', 9, 500);
    const early = new FileRejectedError('early', 3, 40);

    // Act + Assess
    expect(firstRejection([undefined, late, early, undefined])).toBe(early);
    expect(firstRejection([undefined, undefined])).toBeUndefined();
  });
});
