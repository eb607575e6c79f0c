/**
 * The order_id digests and seeds of a file in parts, as staged NDJSON (contract/part-ids.ts says
 * what they mean). Ids that register are ASCII, so the files are ASCII and may be read in byte
 * ranges: DECIDE merges every part's digest a range at a time, holding one range per part and no
 * connection open between reads, however many parts there are.
 */
import type { DigestEntry } from '../../contract/part-ids.ts';
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

/** A staged digest as entries, for mergeDigests. */
export async function* stagedDigest(objects: ObjectStore, bucket: string, key: string, size: number): AsyncGenerator<DigestEntry> {
  for await (const line of stagedLines(objects, bucket, key, size)) if (line !== '') yield parseDigestLine(line);
}
