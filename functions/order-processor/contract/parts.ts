/**
 * Reading one file in parts, with exactly the result of one sequential read.
 *
 * A line that reads as a record of its own (H fields, every quote closed on it, nothing after a
 * closing quote, not blank) always starts a record, and what the reader makes of the lines from
 * it on does not depend on the lines before it (docs/csv-format.md "Quoting and records"). So
 * planParts cuts a file only at such lines, and the reader reads each part given where it starts
 * (byte offset, line number), the header, and the first line of the next part (a quoted value
 * left open before it ends there, with the same reason as in one read). The events of the parts,
 * concatenated, are the events of the sequential read, with the file's lines and offsets.
 *
 * What is decided across parts:
 *  - order_ids: a part is read with `seen` holding the ids first seen in earlier parts (one map
 *    shared in part order, or the seeds merged from per-part digests: contract/part-ids.ts);
 *  - whole-file rejection: each part throws the first FileRejectedError in its bytes (part 0 also
 *    the header's); the file's rejection is the one with the smallest `offset`. When no part
 *    throws and no part has a data row, the file verdict (verdict.ts) says so, as for a
 *    sequential read. (A file without a header is rejected by planParts itself.)
 *
 * Plans and parts are of decompressed bytes: a gzip file is decompressed first (gzip cannot be
 * read from the middle), and a part is never gunzipped. Part k is read with
 * `readOrders(bytes [start.offset, end), { ...ctx, part: partReading(plan, k), seen })`.
 */
import { readHeader } from './reader.ts';
import type { CompiledSchema } from './schema/compile.ts';
import type { ContractLimits } from './limits.ts';
import { scanRange, type OrderCuts, type RangeReader, type RangeScan, type ScanRange } from './sync-lines.ts';
import { hasOrderLines } from './whole-orders.ts';
import { FileRejectedError, type HeaderInfo, type NextSyncLine, type PartReading, type PartStart } from './types.ts';

export type { NextSyncLine, PartReading, PartStart } from './types.ts';
export type { RangeReader } from './sync-lines.ts';
export { FirstSeenDigest, mergeDigests, type DigestEntry, type SeedEntry } from './part-ids.ts';

/** One part of a planned file: bytes [start.offset, end) of the decompressed file. */
export interface PlannedPart {
  index: number;
  start: PartStart;
  end: number;
  /** The first line of the next part (it starts at `end`), or null for the last part. */
  next: NextSyncLine | null;
}

export interface FilePlan {
  /** The file's header, as readOrders maps it. */
  header: HeaderInfo;
  /** Its physical line. */
  headerLine: number;
  /** Decompressed size in bytes. */
  size: number;
  /** In file order; parts[0].start = {offset: 0, line: 1}; contiguous; the last one ends at `size`. */
  parts: PlannedPart[];
}

export interface PlanOptions {
  /** Nominal part size in bytes. */
  chunkBytes: number;
  /** Ranged reads at once (default 8). */
  concurrency?: number;
  /** File caps, as the parts will be read with (they matter to the header read only). */
  limits?: ContractLimits;
  /** The order schema the parts will be read with (the header's columns are its); the built-in one when absent. */
  schema?: CompiledSchema;
}

const DEFAULT_CONCURRENCY = 8;

/**
 * Plans the parts of a file of `size` bytes: reads the header from byte 0 with the contract reader
 * (a FileRejectedError from it is thrown unchanged: the whole file is rejected exactly as a
 * sequential read would, nothing planned), cuts nominally every `chunkBytes`, and moves each cut
 * to the first line start at or after it that reads as a record of its own, computing that line's
 * number; with order lines (a schema with a line column or `by-position`), further on to the
 * first such line that starts another order than the record before it (sync-lines.ts), so that
 * no order's adjacent rows straddle a cut. Chunks are read in parallel (at most `concurrency`
 * ranged reads at once). Parts whose start would not move forward are merged (a part may
 * therefore be much larger than chunkBytes when such lines are sparse). Each byte after the
 * header is read once, plus two bytes per chunk and, for a chunk whose lines never read as a
 * record of their own, at most one record more; with order lines, each cut also reads on to the
 * next order (at most ORDER_SEARCH_RECORDS records).
 */
export async function planParts(read: RangeReader, size: number, options: PlanOptions): Promise<FilePlan> {
  const { chunkBytes, concurrency = DEFAULT_CONCURRENCY, limits, schema } = options;
  for (const [name, value] of [['size', size], ['chunkBytes', chunkBytes], ['concurrency', concurrency]] as const) {
    if (!Number.isSafeInteger(value) || value < (name === 'size' ? 0 : 1)) {
      throw new RangeError(`planParts: ${name} must be a whole number${name === 'size' ? '' : ' of at least 1'}, got ${value}`);
    }
  }
  // The stream of the whole file is abandoned once the header is read.
  const { header, span } = await readHeader(read(0, size), limits, schema);
  const ranges = rangesAfterHeader(span.end, size, chunkBytes);
  const fields = header.raw.length;
  const orders: OrderCuts | undefined =
    schema && hasOrderLines(schema)
      ? { shape: { fields, columnAt: (i) => header.canonical[i] ?? null, nameAt: (i) => header.raw[i] }, orderKey: schema.orderKey(header) }
      : undefined;
  const scans = await mapBounded(ranges, concurrency, (range) => scanRange(read, size, range, fields, orders));
  return { header, headerLine: span.line, size, parts: partsOf(scans, span.line + 1, size) };
}

/**
 * The ranges to scan after the header (which ends at `headerEnd`, where line headerLine + 1
 * starts): nominal cuts k·chunkBytes, moved to `headerEnd` when before it, each scanned up to the
 * next cut for its synchronisation line; before the first cut, line breaks are only counted.
 */
function rangesAfterHeader(headerEnd: number, size: number, chunkBytes: number): ScanRange[] {
  const cuts: number[] = [];
  for (let cut = chunkBytes; cut < size; cut += chunkBytes) {
    const at = Math.max(cut, headerEnd);
    if (at < size && at !== cuts[cuts.length - 1]) cuts.push(at);
  }
  const ranges: ScanRange[] = [];
  const first = cuts[0] ?? size;
  if (first > headerEnd) ranges.push({ from: headerEnd, to: first, search: false });
  cuts.forEach((from, i) => ranges.push({ from, to: cuts[i + 1] ?? size, search: true }));
  return ranges;
}

/**
 * Parts from the scanned ranges, in order: a new part at every cut found (with order lines, a
 * range's cut may lie past the next ones' start, or be theirs too: a cut that does not move
 * forward is dropped).
 */
function partsOf(scans: RangeScan[], firstLine: number, size: number): PlannedPart[] {
  const starts: (PartStart & { length: number })[] = [];
  let line = firstLine;
  for (const { sync, lineBreaks } of scans) {
    const last = starts[starts.length - 1];
    if (sync && (!last || sync.offset > last.offset)) starts.push({ offset: sync.offset, line: line + sync.before, length: sync.length });
    line += lineBreaks;
  }
  const parts: PlannedPart[] = [];
  let start: PartStart = { offset: 0, line: 1 };
  for (const next of starts) {
    parts.push({ index: parts.length, start, end: next.offset, next: { line: next.line, length: next.length } });
    start = { offset: next.offset, line: next.line };
  }
  parts.push({ index: parts.length, start, end: size, next: null });
  return parts;
}

/** The `part` of a ContractContext to read part `index` of a plan with readOrders. */
export function partReading(plan: FilePlan, index: number): PartReading {
  const part = plan.parts[index];
  if (!part) throw new RangeError(`the plan has no part ${index} (it has ${plan.parts.length})`);
  return { start: part.start, end: part.end, next: part.next, header: plan.header, headerLine: plan.headerLine, first: index === 0 };
}

/**
 * The earliest of the parts' rejections (by offset; the first one on a tie), the one a sequential
 * read throws; undefined when none. The same rule for a contract's FileRejectedError and for a
 * rejection staged by a part's scan.
 */
export function firstRejection<R extends { offset?: number }>(rejections: readonly (R | null | undefined)[]): R | undefined {
  let first: R | undefined;
  for (const rejection of rejections) {
    if (rejection && (!first || (rejection.offset ?? Infinity) < (first.offset ?? Infinity))) first = rejection;
  }
  return first;
}

/** `task` over every item, at most `limit` at once; results in item order. After a failure no new item starts. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (next < items.length && !failed) {
      const index = next++;
      try {
        results[index] = await task(items[index] as T);
      } catch (error) {
        failed = true; // the others stop taking new items
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
