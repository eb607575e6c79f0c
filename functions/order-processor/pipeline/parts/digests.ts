/**
 * The order_id digests and seeds of a file in parts, as staged NDJSON (contract/part-ids.ts says
 * what they mean). Ids that register are ASCII, so the files are ASCII and may be read in byte
 * ranges: DECIDE merges every part's digest a range at a time, holding one range per part and no
 * connection open between reads, however many parts there are.
 */
import type { DigestEntry } from '../../contract/part-ids.ts';
import type { OrderSeed, PartOrderEntry } from '../../contract/part-orders.ts';
import { OrderIdSet } from '../../contract/order-id-set.ts';
import type { SeenOrderIds } from '../../contract/rules.ts';
import type { ObjectStore } from '../ports.ts';

/** Bytes of a staged digest read at a time while merging. */
export const DIGEST_READ_BYTES = 256 * 1024;

export const digestLine = (entry: DigestEntry): string => `${JSON.stringify([entry.id, entry.line, entry.valid ? 1 : 0])}\n`;

export function parseDigestLine(line: string): DigestEntry {
  const value: unknown = JSON.parse(line);
  if (!Array.isArray(value) || typeof value[0] !== 'string' || typeof value[1] !== 'number') {
    throw new Error(`a staged digest line is not [id, line, valid]: ${line.slice(0, 100)}`);
  }
  return { id: value[0], line: value[1], valid: value[2] === 1 };
}

export const seedLine = (id: string, line: number): string => `${JSON.stringify([id, line])}\n`;

/** A part's seeds (id → the file's first line of it) from its staged NDJSON. */
export function parseSeeds(text: string): SeenOrderIds {
  const seeds: SeenOrderIds = new OrderIdSet();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const [id, first] = JSON.parse(line) as [string, number];
    seeds.set(id, first);
  }
  return seeds;
}

/** The lines of a staged ASCII object of `size` bytes, read `chunkBytes` at a time. */
export async function* stagedLines(
  objects: ObjectStore,
  bucket: string,
  key: string,
  size: number,
  chunkBytes = DIGEST_READ_BYTES,
): AsyncGenerator<string> {
  let carry = '';
  for (let start = 0; start < size; start += chunkBytes) {
    const end = Math.min(size, start + chunkBytes);
    const text = await objects.getText(bucket, key, { start, end });
    if (text === null || text.length !== end - start) throw new Error(`the staging object s3://${bucket}/${key} is missing or shorter than ${size} bytes`);
    const lines = (carry + text).split('\n');
    carry = lines.pop() ?? '';
    yield* lines;
  }
  if (carry !== '') yield carry;
}

/** A staged digest as entries, for mergeDigests (or, with `parse`, another staged NDJSON as entries). */
export async function* stagedDigest<T = DigestEntry>(
  objects: ObjectStore,
  bucket: string,
  key: string,
  size: number,
  parse: (line: string) => T = parseDigestLine as (line: string) => T,
): AsyncGenerator<T> {
  for await (const line of stagedLines(objects, bucket, key, size)) if (line !== '') yield parse(line);
}

/** One order of a part's order digest (contract/part-orders.ts): [id, first line, first rejected line, valid rows]. */
export const orderDigestLine = (entry: PartOrderEntry): string => `${JSON.stringify([entry.id, entry.first, entry.rejected, entry.valid])}\n`;

export function parseOrderDigestLine(line: string): PartOrderEntry {
  const value: unknown = JSON.parse(line);
  if (!Array.isArray(value) || typeof value[0] !== 'string' || !value.slice(1, 4).every((n) => typeof n === 'number')) {
    throw new Error(`a staged order digest line is not [id, first, rejected, valid]: ${line.slice(0, 100)}`);
  }
  return { id: value[0], first: value[1] as number, rejected: value[2] as number, valid: value[3] as number };
}

/** What a part's second read needs of one of its orders: [id, the order's first rejected line or 0, its valid rows in earlier parts]. */
export const orderSeedLine = (seed: Pick<OrderSeed, 'id' | 'badLine' | 'before'>): string => `${JSON.stringify([seed.id, seed.badLine, seed.before])}\n`;

/** A part's order seeds: the orders with a rejected line (id → that line) and the lines numbered before it (id → valid rows). */
export function parseOrderSeeds(text: string): { rejectedOrders: Map<string, number>; linesBefore: Map<string, number> } {
  const rejectedOrders = new Map<string, number>();
  const linesBefore = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const [id, badLine, before] = JSON.parse(line) as [string, number, number];
    if (badLine > 0) rejectedOrders.set(id, badLine);
    if (before > 0) linesBefore.set(id, before);
  }
  return { rejectedOrders, linesBefore };
}
