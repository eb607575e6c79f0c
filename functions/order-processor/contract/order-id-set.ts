/**
 * The duplicate-id set of one file (rules.ts `SeenOrderIds`: order_id → the line it was first
 * seen on), exact, in about a third of the memory of a `Map`: it is the one structure of the
 * processor that grows with the file (about 90 bytes per id as a Map of strings, about 31 here
 * for ids of 15 characters), and a Map's strings and hash table are objects the garbage collector
 * walks again and again while the file is read.
 *
 * The ids' bytes are stored back to back in one byte arena; entry i holds the bytes
 * [starts[i], starts[i + 1]) and its line. An ASCII id (every id the contract accepts) is stored
 * as its characters, one byte each; any other string as a 0xFF byte (never in ASCII) and then its
 * UTF-16 code units, so that no two strings share bytes (UTF-8 would write every lone surrogate
 * as the same U+FFFD). an open-addressing table (linear probing, at most half
 * full) holds entry numbers. A lookup compares the bytes themselves, so two ids are never
 * confused (no hash-only membership). Entries keep their insertion order, like a Map's.
 */

/** The part of `Map<string, number>` the contract uses; a Map satisfies it as well. */
export interface OrderIdLines extends Iterable<[string, number]> {
  get(id: string): number | undefined;
  set(id: string, line: number): unknown;
  has(id: string): boolean;
  readonly size: number;
}

const INITIAL_ENTRIES = 1024;
/** The first byte of an id that is not ASCII. */
const NOT_ASCII = 0xff;
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
/** Offsets are 32-bit: the arena holds at most 4 GiB of ids (far beyond one invocation's memory). */
const MAX_ARENA_BYTES = 2 ** 32 - 1;

export class OrderIdSet implements OrderIdLines {
  private arena: Buffer = Buffer.allocUnsafe(INITIAL_ENTRIES * 16);
  private used = 0;
  /** starts[i] is where entry i's bytes begin; starts[count] is where the next entry's would. */
  private starts = new Uint32Array(INITIAL_ENTRIES + 1);
  private lines = new Float64Array(INITIAL_ENTRIES);
  private count = 0;
  /** Entry number + 1 per slot; 0 is an empty slot. */
  private slots = new Int32Array(INITIAL_ENTRIES * 2);
  /** The slot the last failed lookup stopped at (where `set` inserts). */
  private freeSlot = 0;
  /**
   * The id of the last failed lookup, when nothing changed since: the duplicate rule asks `get`
   * and then `set`s the same id, so `set` need not search again. Its bytes are already at the
   * arena's end (`find` copies an ASCII id there as it hashes it).
   */
  private missed: string | null = null;
  /** The bytes of the last id looked up, when it is not ASCII (never for ids that pass the rules). */
  private encoded: Buffer | null = null;

  get size(): number {
    return this.count;
  }

  get(id: string): number | undefined {
    const entry = this.find(id);
    return entry < 0 ? undefined : this.lines[entry];
  }

  has(id: string): boolean {
    return this.find(id) >= 0;
  }

  set(id: string, line: number): this {
    const entry = id === this.missed ? -1 : this.find(id);
    this.missed = null;
    if (entry >= 0) {
      this.lines[entry] = line;
      return this;
    }
    const bytes = this.encoded;
    if (bytes) {
      this.reserve(bytes.length);
      bytes.copy(this.arena, this.used);
    }
    this.used += bytes ? bytes.length : id.length;
    this.reserveEntry();
    this.lines[this.count] = line;
    this.count++;
    this.starts[this.count] = this.used;
    this.slots[this.freeSlot] = this.count;
    if (this.count * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    return this;
  }

  *[Symbol.iterator](): IterableIterator<[string, number]> {
    for (let i = 0; i < this.count; i++) {
      const start = this.starts[i] ?? 0;
      const end = this.starts[i + 1] ?? 0;
      const id = this.arena[start] === NOT_ASCII ? this.arena.toString('utf16le', start + 1, end) : this.arena.toString('latin1', start, end);
      yield [id, this.lines[i] ?? 0];
    }
  }

  /**
   * The entry holding `id`, or -1: then `freeSlot` is where it would go, and an ASCII id's bytes
   * are already written after the arena's last entry (ready for `set`).
   */
  private find(id: string): number {
    this.encoded = null;
    this.missed = null;
    this.reserve(id.length);
    const { arena, used } = this;
    let hash = FNV_OFFSET;
    for (let i = 0; i < id.length; i++) {
      const code = id.charCodeAt(i);
      if (code > 0x7f) return this.findBytes(Buffer.concat([Buffer.of(NOT_ASCII), Buffer.from(id, 'utf16le')]));
      arena[used + i] = code;
      hash = Math.imul(hash ^ code, FNV_PRIME);
    }
    const { slots, starts } = this;
    const mask = slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const taken = slots[slot] ?? 0;
      if (taken === 0) {
        this.freeSlot = slot;
        this.missed = id;
        return -1;
      }
      const start = starts[taken - 1] ?? 0;
      if ((starts[taken] ?? 0) - start !== id.length) continue;
      let i = id.length - 1;
      // From the end: ids of one file tend to share a prefix and differ in their last characters.
      while (i >= 0 && arena[start + i] === arena[used + i]) i--;
      if (i < 0) return taken - 1;
    }
  }

  /** `find` for an id that is not ASCII, by its bytes (0xFF, then its UTF-16 code units). */
  private findBytes(bytes: Buffer): number {
    this.encoded = bytes;
    const { slots, starts, arena } = this;
    const mask = slots.length - 1;
    for (let slot = hashBytes(bytes, 0, bytes.length) & mask; ; slot = (slot + 1) & mask) {
      const taken = slots[slot] ?? 0;
      if (taken === 0) {
        this.freeSlot = slot;
        return -1;
      }
      const start = starts[taken - 1] ?? 0;
      const end = starts[taken] ?? 0;
      if (end - start === bytes.length && arena.compare(bytes, 0, bytes.length, start, end) === 0) return taken - 1;
    }
  }

  /** Room for `length` more bytes in the arena. */
  private reserve(length: number): void {
    if (this.used + length <= this.arena.length) return;
    const needed = this.used + length;
    if (needed > MAX_ARENA_BYTES) throw new RangeError(`more than ${MAX_ARENA_BYTES} bytes of order ids in one file`);
    const grown = Buffer.allocUnsafe(Math.min(MAX_ARENA_BYTES, Math.max(needed, this.arena.length * 2)));
    this.arena.copy(grown, 0, 0, this.used);
    this.arena = grown;
  }

  /** Room for one more entry. */
  private reserveEntry(): void {
    if (this.count + 1 >= this.lines.length) {
      const lines = new Float64Array(this.lines.length * 2);
      lines.set(this.lines);
      this.lines = lines;
      const starts = new Uint32Array(lines.length + 1);
      starts.set(this.starts);
      this.starts = starts;
    }
  }

  private rehash(size: number): void {
    const slots = new Int32Array(size);
    const mask = size - 1;
    for (let entry = 0; entry < this.count; entry++) {
      let slot = hashBytes(this.arena, this.starts[entry] ?? 0, this.starts[entry + 1] ?? 0) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = entry + 1;
    }
    this.slots = slots;
  }
}

/** FNV-1a over bytes [start, end): for ASCII ids the same hash `find` computes from the characters. */
function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let hash = FNV_OFFSET;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ (bytes[i] ?? 0), FNV_PRIME);
  return hash;
}
