/**
 * Planning a file in parts, one byte range at a time (contract/parts.ts assembles the ranges):
 * how many line breaks a range holds, and the first line starting in it that reads as a record of
 * its own (a synchronisation point of the stray-quote rule, docs/csv-format.md "Quoting and
 * records"). Line breaks are counted with Buffer.indexOf; only the lines near the range's start
 * are split and tokenized, in small slices, until one reads as a record of its own.
 */
import { toBuffer } from './input.ts';
import { MAX_RECORD_BYTES } from './limits.ts';
import { LineSplitter, type LineItem } from './lines.ts';
import { readsAsOwnRecord, RecordAssembler, type HeaderShape, type RecordItem } from './records.ts';
import { isBlank } from './tokenizer.ts';

const LF = 0x0a;
const CR = 0x0d;

/** Bytes handed to the line splitter at a time, so that it stops soon after the line it looks for. */
const SEARCH_SLICE_BYTES = 16 * 1024;

/**
 * Records read past a synchronisation line in search of an order boundary before the search
 * gives up (an order holds at most 100,000 lines; docs/architecture.md "Large files in parts").
 */
export const ORDER_SEARCH_RECORDS = 100_001;

/**
 * A file with order lines is cut between two orders: the header's shape (for the record rule)
 * and which order a record belongs to (schema/compile.ts `orderKey`: null when it belongs to none).
 */
export interface OrderCuts {
  shape: HeaderShape;
  orderKey: (cells: readonly string[]) => string | null;
}

/** Reads bytes [start, end) of the decompressed file (e.g. a ranged S3 GET). */
export type RangeReader = (start: number, end: number) => AsyncIterable<Uint8Array>;

/** A range [from, to) of the file; `search`: look for a synchronisation line starting in it. */
export interface ScanRange {
  from: number;
  to: number;
  search: boolean;
}

export interface SyncLine {
  /** Where the line starts (with order lines: a line past the range's end, possibly). */
  offset: number;
  /** Its length without its line break. */
  length: number;
  /** Line breaks between the range's start and the line (so its number is the range's first line number + this). */
  before: number;
}

export interface RangeScan {
  /**
   * Line breaks that end in (from, to]: every LF at a position in [from, to) (alone or closing a
   * CRLF) and every CR there not followed by an LF. Summed over adjacent ranges, each line break
   * counts once, also a CRLF split between two ranges.
   */
  lineBreaks: number;
  /**
   * The first line starting in [from, to) that reads as a record of its own, if any. With order
   * lines, the first such line at or after it that starts a record of another order than the
   * record before it (both read from that first line on), if one comes within ORDER_SEARCH_RECORDS.
   */
  sync: SyncLine | null;
}

/**
 * Scans one range: reads [from - 1, to + 1) (the byte before tells whether `from` starts a line,
 * the byte after whether a CR there ends a CRLF) and, when the last line starting in the range
 * runs past it while no synchronisation line was found before, at most the record limit more.
 */
export async function scanRange(read: RangeReader, size: number, range: ScanRange, fields: number, orders?: OrderCuts): Promise<RangeScan> {
  const counter = new LineBreakCounter(range);
  const finder = range.search ? new SyncFinder(range, fields, orders) : null;
  const readFrom = Math.max(0, range.from - 1);
  const readTo = Math.min(size, range.to + 1);
  const position = await readInto(read, readFrom, readTo, (piece, at) => {
    counter.push(piece, at);
    finder?.push(piece, at);
  });
  counter.end();
  if (finder && !finder.done) {
    const until = finder.needsBytesUntil(size);
    if (until > position) await readInto(read, position, until, (piece, at) => finder.push(piece, at), () => finder.done);
    finder.end();
  }
  return { lineBreaks: counter.count, sync: finder?.found ?? null };
}

/** Feeds bytes [start, end) to `take`; checks that the reader delivered exactly them. Returns `end`. */
async function readInto(
  read: RangeReader,
  start: number,
  end: number,
  take: (piece: Buffer, at: number) => void,
  enough: () => boolean = () => false,
): Promise<number> {
  let at = start;
  for await (const chunk of read(start, end)) {
    const piece = toBuffer(chunk);
    if (at + piece.length > end) throw new Error(`a read of bytes [${start}, ${end}) returned more bytes than asked`);
    take(piece, at);
    at += piece.length;
    if (enough()) return end;
  }
  if (at !== end) throw new Error(`a read of bytes [${start}, ${end}) ended at byte ${at}; expected it to end at byte ${end}`);
  return end;
}

/** Counts the line breaks of a range with Buffer.indexOf (a CR at the range's end waits for the next byte). */
class LineBreakCounter {
  count = 0;
  /** A CR at the last position seen, waiting for the next byte to tell CRLF from a lone CR. */
  private pendingCR = false;

  constructor(private readonly range: ScanRange) {}

  push(piece: Buffer, at: number): void {
    if (piece.length === 0) return;
    if (this.pendingCR) {
      this.pendingCR = false;
      if (piece[0] !== LF) this.count++;
    }
    const from = Math.max(0, this.range.from - at);
    const to = Math.min(piece.length, this.range.to - at);
    if (from >= to) return;
    for (let p = piece.indexOf(LF, from); p >= 0 && p < to; p = piece.indexOf(LF, p + 1)) this.count++;
    for (let p = piece.indexOf(CR, from); p >= 0 && p < to; p = piece.indexOf(CR, p + 1)) {
      if (p + 1 < piece.length) {
        if (piece[p + 1] !== LF) this.count++;
      } else {
        this.pendingCR = true;
      }
    }
  }

  /** A CR still waiting is the file's last byte (the read goes one byte past the range otherwise): a lone CR. */
  end(): void {
    if (this.pendingCR) this.count++;
    this.pendingCR = false;
  }
}

/**
 * Finds the first line starting in [from, to) that reads as a record of its own: not longer than
 * the record limit, every quote closed, nothing after a closing quote, not blank, exactly H
 * fields. Lines are split by the reader's own LineSplitter, started at `from` with line 0, so a
 * line's number is the count of line breaks before it in the range. When `from` does not start a
 * line, the splitter's line 0 is the tail of an earlier line and is skipped.
 */
class SyncFinder {
  sync: SyncLine | null = null;
  done = false;
  /** With order lines: the search for an order boundary from the synchronisation line on. */
  private boundary: OrderBoundary | null = null;
  private readonly splitter: LineSplitter;
  /** The byte before `from`, once seen (-1: `from` is the file's start). */
  private before = -1;
  /** Whether `from` starts a line; known once its first byte is seen. */
  private fromStartsLine: boolean | undefined;

  constructor(
    private readonly range: ScanRange,
    private readonly fields: number,
    private readonly orders?: OrderCuts,
  ) {
    this.splitter = new LineSplitter(MAX_RECORD_BYTES, Number.POSITIVE_INFINITY, () => '', range.from, 0);
  }

  /** The cut this range makes: the synchronisation line, or with order lines the order boundary found from it. */
  get found(): SyncLine | null {
    return this.orders ? (this.boundary?.cut ?? null) : this.sync;
  }

  push(piece: Buffer, at: number): void {
    let skip = 0;
    if (at < this.range.from) {
      skip = this.range.from - at;
      if (skip > piece.length) return;
      this.before = piece[skip - 1] ?? -1;
    }
    for (let p = skip; p < piece.length && !this.done; p += SEARCH_SLICE_BYTES) {
      const slice = piece.subarray(p, Math.min(piece.length, p + SEARCH_SLICE_BYTES));
      this.fromStartsLine ??= this.range.from === 0 || this.before === LF || (this.before === CR && slice[0] !== LF);
      this.splitter.push(slice, (item) => this.onLine(item));
    }
  }

  /**
   * Where reading must go on, at most, to decide the last line starting in the range: up to the
   * record limit past its start (and its CRLF), or the file's end.
   */
  needsBytesUntil(size: number): number {
    // An order boundary may lie anywhere after the synchronisation line: reading stops once it is found.
    if (this.boundary) return size;
    const start = this.splitter.currentLineStart();
    if (start >= this.range.to || (start === this.range.from && this.fromStartsLine !== true)) {
      // No line starts in the range after those already seen.
      this.done = true;
      return 0;
    }
    return Math.min(size, start + MAX_RECORD_BYTES + 2);
  }

  /** The bytes read so far end the last line (at the file's end or past the record limit). */
  end(): void {
    if (!this.done) this.splitter.end((item) => this.onLine(item));
    if (!this.done) this.boundary?.end();
    this.done = true;
  }

  private onLine(item: LineItem): void {
    if (this.boundary) {
      if (!this.done) this.boundary.push(item);
      this.done = this.boundary.done;
      return;
    }
    if (this.done || item.kind === 'empty') return;
    if (item.number === 0 && this.fromStartsLine !== true) return;
    if (item.start >= this.range.to) {
      this.done = true;
      return;
    }
    if (readsAsOwnRecord(item, this.fields)) {
      this.sync = { offset: item.start, length: item.length, before: item.number };
      if (!this.orders) {
        this.done = true;
        return;
      }
      this.boundary = new OrderBoundary(this.orders);
      this.boundary.push(item);
      this.done = this.boundary.done;
    }
  }
}

/**
 * From a synchronisation line on (records then read as in a sequential read), the first record
 * that starts on a line of its own — a synchronisation line, where a part can start — and belongs
 * to another order than the last record before it that belongs to one. Cut there, no order's
 * adjacent rows straddle the cut, and which order a row continues never depends on the part
 * before (schema/compile.ts: a row continues the order of the row before it with a well-formed
 * order_id, or starts one, or comes back).
 */
class OrderBoundary {
  cut: SyncLine | null = null;
  done = false;
  private readonly records: RecordAssembler;
  /** The order of the last record that belongs to one (null: none yet since the synchronisation line). */
  private last: string | null = null;
  private seen = 0;
  /** Lengths (without line break) of the lines handed to the assembler, by start offset, until their record is out. */
  private readonly lengths = new Map<number, number>();

  constructor(private readonly orders: OrderCuts) {
    this.records = new RecordAssembler(orders.shape, (record) => this.onRecord(record));
  }

  push(item: LineItem): void {
    if (this.done) return;
    if (item.kind === 'line') this.lengths.set(item.start, item.length);
    this.records.push(item);
  }

  /** The end of the file: the records still waiting are decided. */
  end(): void {
    if (!this.done) this.records.end();
    this.done = true;
  }

  private onRecord(record: RecordItem): void {
    if (this.done) return;
    if (++this.seen > ORDER_SEARCH_RECORDS) {
      this.done = true;
      return;
    }
    if (record.kind !== 'fields') return;
    const { span, cells } = record;
    const length = this.lengths.get(span.start);
    for (const start of this.lengths.keys()) {
      if (start > span.start) break;
      this.lengths.delete(start);
    }
    if (cells.length !== this.orders.shape.fields || isBlank(cells)) return;
    const key = this.orders.orderKey(cells);
    if (key === null) return;
    if (this.last !== null && key !== this.last && span.lastLine === span.line && length !== undefined) {
      // span.line counts the range's line breaks before the record (its splitter numbers from 0).
      this.cut = { offset: span.start, length, before: span.line };
      this.done = true;
      return;
    }
    this.last = key;
  }
}
