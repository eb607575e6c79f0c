/**
 * The duplicate rule across the parts of a file (docs/csv-format.md "Columns": the first row with
 * an order_id wins, every later one is rejected naming the first line).
 *
 * Parts are scanned in parallel, each with an empty seen map. A scan keeps the digest of the ids
 * first seen in its part: id, first line there, and whether that row was valid. Merging the
 * digests in part order tells, for each part, which of its ids were first seen in an earlier part
 * (its seeds: id → the file's first line). Read again with its seeds, a part yields exactly the
 * events of a sequential read; the only rows whose verdict changes are a part's first rows of
 * seeded ids that were valid on their own: they become duplicates ("demoted"). Later rows of such
 * an id were rejected as duplicates already (only the line their reason names changes), and
 * nothing else depends on the seen map, so counts from the scan are exact after subtracting the
 * demoted rows from valid and adding them to rejected.
 */
import { OrderIdSet } from './order-id-set.ts';
import type { SeenOrderIds } from './rules.ts';
import type { ContractEvent } from './types.ts';

/** An order_id first seen in one part (scanned with an empty seen map). */
export interface DigestEntry {
  id: string;
  /** The line of its first row in the part. */
  line: number;
  /** Whether that row was valid (in the part alone). */
  valid: boolean;
}

/** An order_id of part `part` first seen in an earlier part, on `line` (the file's first line of it). */
export interface SeedEntry {
  part: number;
  id: string;
  line: number;
  /** The line of the id's first row in `part` (its entry's line there). */
  partLine: number;
  /** The id's first row in `part` was valid alone: read with its seeds, it is a rejected duplicate. */
  demoted: boolean;
}

/** Digest order: by id, in UTF-16 code units (ids that register are ASCII, so this is byte order too). */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The digest of one part, built while it is scanned: pass `seen` as the ContractContext's seen map
 * (empty) and every event to `observe`. The reader registers an entry (an order_id, or with a
 * line column an order_id and its line: schema/compile.ts) from the first row that has a
 * well-formed one, valid or not; a valid row always registered its own entry (a duplicate is
 * never valid). The reader validates a few rows before it yields their events, so the
 * registrations wait in a short queue, in line order like the events: a rejected row that
 * registered an entry was that entry's first row. Those few are remembered, every other entry's
 * first row was valid.
 */
export class FirstSeenDigest {
  readonly seen: SeenOrderIds;
  private readonly ids = new OrderIdSet();
  private readonly firstRejected = new Set<string>();
  /** Registrations whose event has not been observed yet: [entry, line], in line order. */
  private pending: [string, number][] = [];
  private next = 0;

  constructor() {
    const { ids } = this;
    this.seen = {
      get: (id) => ids.get(id),
      has: (id) => ids.has(id),
      set: (id, line) => {
        if (!ids.has(id)) this.pending.push([id, line]);
        return ids.set(id, line);
      },
      get size() {
        return ids.size;
      },
      [Symbol.iterator]: () => ids[Symbol.iterator](),
    };
  }

  observe(event: ContractEvent): void {
    if (event.kind === 'header') return;
    const line = event.kind === 'rejected' ? event.error.line : event.line;
    const { pending } = this;
    while (this.next < pending.length && (pending[this.next] as [string, number])[1] < line) this.next++;
    const head = pending[this.next];
    if (head && head[1] === line) {
      this.next++;
      if (event.kind === 'rejected') this.firstRejected.add(head[0]);
    }
    if (this.next === pending.length) {
      this.pending = [];
      this.next = 0;
    }
  }

  /** The entries, sorted by id (compareIds). */
  entries(): DigestEntry[] {
    return [...this.ids]
      .map(([id, line]) => ({ id, line, valid: !this.firstRejected.has(id) }))
      .sort((a, b) => compareIds(a.id, b.id));
  }
}

/**
 * Streams the seeds of every part from digests sorted by id (e.g. NDJSON in S3): a k-way merge
 * holding one entry per part. Yields, in id order, one SeedEntry per (part, id) where the id was
 * first seen in an earlier part. Throws when a digest is not strictly sorted (a corrupt digest
 * would silently change which row is a duplicate).
 */
export async function* mergeDigests(
  digests: readonly (AsyncIterable<DigestEntry> | Iterable<DigestEntry>)[],
): AsyncGenerator<SeedEntry> {
  let first: DigestEntry | null = null;
  for await (const { part, entry } of mergeById(digests, 'order_id digest')) {
    // Equal ids come in part order: the first holds the file's first line, the later ones get seeds.
    if (first?.id !== entry.id) first = entry;
    else yield { part, id: entry.id, line: first.line, partLine: entry.line, demoted: entry.valid };
  }
}

/**
 * Every entry of several streams sorted by id, in (id, part) order: a k-way merge holding one
 * entry per stream. Throws when a stream is not strictly sorted (`what` names it).
 */
export async function* mergeById<T extends { id: string }>(
  streams: readonly (AsyncIterable<T> | Iterable<T>)[],
  what: string,
): AsyncGenerator<{ part: number; entry: T }> {
  const heap = new CursorHeap<T>();
  const cursors = streams.map((stream, part) => new SortedCursor(stream, part, what));
  for (const cursor of cursors) if (await cursor.advance()) heap.push(cursor);
  for (let next = heap.pop(); next; next = heap.pop()) {
    const entry = next.head as T;
    const part = next.part;
    if (await next.advance()) heap.push(next);
    yield { part, entry };
  }
}

/** One sorted stream being merged: its current entry. */
class SortedCursor<T extends { id: string }> {
  head: T | undefined;
  private readonly iterator: AsyncIterator<T> | Iterator<T>;

  constructor(
    stream: AsyncIterable<T> | Iterable<T>,
    readonly part: number,
    private readonly what: string,
  ) {
    this.iterator = Symbol.asyncIterator in stream ? stream[Symbol.asyncIterator]() : stream[Symbol.iterator]();
  }

  /** Moves to the next entry; false at the end. */
  async advance(): Promise<boolean> {
    const next = await this.iterator.next();
    if (next.done) return false;
    if (this.head && compareIds(this.head.id, next.value.id) >= 0) {
      throw new Error(`the ${this.what} of part ${this.part} is not sorted: ${JSON.stringify(next.value.id)} comes after ${JSON.stringify(this.head.id)}`);
    }
    this.head = next.value;
    return true;
  }
}

/** A binary min-heap of cursors by (id, part). */
class CursorHeap<T extends { id: string }> {
  private readonly items: SortedCursor<T>[] = [];

  push(cursor: SortedCursor<T>): void {
    const items = this.items;
    items.push(cursor);
    for (let i = items.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!before(items[i] as SortedCursor<T>, items[parent] as SortedCursor<T>)) break;
      [items[i], items[parent]] = [items[parent] as SortedCursor<T>, items[i] as SortedCursor<T>];
      i = parent;
    }
  }

  pop(): SortedCursor<T> | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || !last) return top;
    items[0] = last;
    for (let i = 0; ; ) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < items.length && before(items[left] as SortedCursor<T>, items[least] as SortedCursor<T>)) least = left;
      if (right < items.length && before(items[right] as SortedCursor<T>, items[least] as SortedCursor<T>)) least = right;
      if (least === i) break;
      [items[i], items[least]] = [items[least] as SortedCursor<T>, items[i] as SortedCursor<T>];
      i = least;
    }
    return top;
  }
}

function before<T extends { id: string }>(a: SortedCursor<T>, b: SortedCursor<T>): boolean {
  const order = compareIds((a.head as T).id, (b.head as T).id);
  return order < 0 || (order === 0 && a.part < b.part);
}
