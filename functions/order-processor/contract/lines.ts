/**
 * Decompressed bytes → physical lines. CRLF, LF and a lone CR each end a line (a CR at the end of
 * a chunk waits for the next chunk, which may start with its LF). Quoting plays no part here:
 * records.ts decides which lines form one record.
 *
 * Bounded memory whatever the input: a line longer than the record limit is not buffered (only
 * its first bytes are kept, to name its order_id) and its length is counted as it streams past;
 * runs of empty lines are counted, not stored; the file's line cap is checked as lines start.
 */
import { FileRejectedError } from './types.ts';
import type { LineTokens } from './tokenizer.ts';

const LF = 0x0a;
const CR = 0x0d;

/** How many leading bytes of an over-long line are kept to name its order_id. */
const KEPT_PREFIX_BYTES = 4096;

/** Shared by every line that is not over-long (lines end by the million: no new Buffer each time). */
const NO_BYTES = Buffer.alloc(0);

export type LineEnd = '' | '\n' | '\r' | '\r\n';

export interface PhysicalLine {
  kind: 'line';
  /** 1-based physical line number. */
  number: number;
  /** Byte offset of its first byte in the decompressed file. */
  start: number;
  /** Its bytes without the terminator; for an over-long line, only the first few KiB. */
  bytes: Buffer;
  /** Length in bytes without the terminator (the real length, also when over-long). */
  length: number;
  eol: LineEnd;
  /** Longer than the record limit: its bytes were skipped. */
  overlong: boolean;
  /** Tokenizations, cached by records.ts so that no line is read twice the same way. */
  local: LineTokens | undefined;
  continuation: LineTokens | undefined;
}

/** Consecutive empty lines with the same terminator (a gzip of newlines costs one object per run). */
export interface EmptyRun {
  kind: 'empty';
  /** Number of the first line of the run. */
  number: number;
  count: number;
  start: number;
  eol: '\n' | '\r' | '\r\n';
}

export type LineItem = PhysicalLine | EmptyRun;

export type Emit = (item: LineItem) => void;

export class LineSplitter {
  /** Number of the line the next byte belongs to (unless a CR is pending). */
  private line = 1;
  private lineStart: number;
  /** Absolute offset of the byte after everything pushed so far. */
  private offset: number;
  private parts: Buffer[] = [];
  private partBytes = 0;
  private overlong = false;
  private overlongLength = 0;
  private prefix: Buffer = NO_BYTES;
  private pendingCR = false;
  private run: EmptyRun | null = null;

  constructor(
    private readonly maxLineBytes: number,
    private readonly maxLines: number,
    private readonly tooManyLines: () => string,
    /** Offset of the first byte pushed (3 when a BOM was skipped; a part's start when reading a file in parts). */
    startOffset = 0,
    /** Number of the line the first byte pushed belongs to. */
    startLine = 1,
  ) {
    this.line = startLine;
    this.lineStart = startOffset;
    this.offset = startOffset;
  }

  /** Where the line not yet emitted starts (the line being read, or the next one). */
  currentLineStart(): number {
    return this.lineStart;
  }

  /** The physical line the next byte pushed belongs to, unless it is the LF of a pending CRLF. */
  lineOfNextByte(): number {
    return this.pendingCR ? this.line + 1 : this.line;
  }

  /**
   * Feeds bytes; emits every line (or run of empty lines) they complete, in order. Throws
   * FileRejectedError when a line beyond the line cap starts (after emitting the lines before it).
   */
  push(chunk: Buffer, emit: Emit): void {
    const length = chunk.length;
    let pos = 0;
    if (length === 0) return;
    if (this.pendingCR) {
      this.pendingCR = false;
      const crlf = chunk[0] === LF;
      if (crlf) pos = 1;
      this.finishLine(crlf ? '\r\n' : '\r', this.offset + pos, emit);
    }
    // Next LF / CR at or after pos (-1: none left in this chunk; -2: not searched yet).
    let nextLF = -2;
    let nextCR = -2;
    while (pos < length) {
      if (this.line > this.maxLines) throw new FileRejectedError(this.tooManyLines(), this.line, this.offset + pos);
      if (this.partBytes === 0 && !this.overlong) {
        // An empty line: counted into a run without building a line.
        const b = chunk[pos];
        if (b === LF) {
          pos += 1;
          this.addEmpty('\n', this.offset + pos, emit);
          continue;
        }
        if (b === CR) {
          if (pos + 1 === length) {
            this.pendingCR = true;
            pos = length;
            break;
          }
          const crlf = chunk[pos + 1] === LF;
          pos += crlf ? 2 : 1;
          this.addEmpty(crlf ? '\r\n' : '\r', this.offset + pos, emit);
          continue;
        }
      }
      if (nextLF !== -1 && nextLF < pos) nextLF = chunk.indexOf(LF, pos);
      if (nextCR !== -1 && nextCR < pos) nextCR = chunk.indexOf(CR, pos);
      const end = nextLF < 0 ? nextCR : nextCR < 0 ? nextLF : Math.min(nextLF, nextCR);
      if (end < 0) {
        this.append(chunk, pos, length);
        pos = length;
        break;
      }
      this.append(chunk, pos, end);
      if (chunk[end] === LF) {
        pos = end + 1;
        this.finishLine('\n', this.offset + pos, emit);
      } else if (end + 1 < length) {
        const crlf = chunk[end + 1] === LF;
        pos = end + (crlf ? 2 : 1);
        this.finishLine(crlf ? '\r\n' : '\r', this.offset + pos, emit);
      } else {
        this.pendingCR = true;
        pos = length;
      }
    }
    this.offset += length;
  }

  /** Emits what is left at the end of the input. */
  end(emit: Emit): void {
    if (this.pendingCR) {
      this.pendingCR = false;
      this.finishLine('\r', this.offset, emit);
    } else if (this.partBytes > 0 || this.overlong) {
      this.finishLine('', this.offset, emit);
    }
    this.flushRun(emit);
  }

  private append(chunk: Buffer, from: number, to: number): void {
    const size = to - from;
    if (size === 0) return;
    if (this.overlong) {
      this.overlongLength += size;
      return;
    }
    if (this.partBytes + size <= this.maxLineBytes) {
      this.parts.push(chunk.subarray(from, to));
      this.partBytes += size;
      return;
    }
    // Too long to be a record: keep only the first bytes, then just count.
    this.parts.push(chunk.subarray(from, Math.min(to, from + KEPT_PREFIX_BYTES)));
    this.prefix = Buffer.from(Buffer.concat(this.parts).subarray(0, KEPT_PREFIX_BYTES));
    this.overlong = true;
    this.overlongLength = this.partBytes + size;
    this.parts = [];
    this.partBytes = 0;
  }

  /** Ends the current line; `next` is the offset right after its terminator. */
  private finishLine(eol: LineEnd, next: number, emit: Emit): void {
    if (this.partBytes === 0 && !this.overlong) {
      if (eol !== '') this.addEmpty(eol, next, emit);
      return;
    }
    this.flushRun(emit);
    const overlong = this.overlong;
    const bytes = overlong ? this.prefix : this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts, this.partBytes);
    emit({
      kind: 'line',
      number: this.line,
      start: this.lineStart,
      bytes,
      length: overlong ? this.overlongLength : this.partBytes,
      eol,
      overlong,
      local: undefined,
      continuation: undefined,
    });
    // Emptied in place when it held one piece (most lines): the line holds its own Buffer, never
    // this array, and an array per line is garbage by the million.
    if (this.parts.length === 1) this.parts.pop();
    else this.parts = [];
    this.partBytes = 0;
    this.overlong = false;
    this.overlongLength = 0;
    this.prefix = NO_BYTES;
    this.line++;
    this.lineStart = next;
  }

  private addEmpty(eol: '\n' | '\r' | '\r\n', next: number, emit: Emit): void {
    const run = this.run;
    if (run && run.eol === eol) {
      run.count++;
    } else {
      this.flushRun(emit);
      this.run = { kind: 'empty', number: this.line, count: 1, start: this.lineStart, eol };
    }
    this.line++;
    this.lineStart = next;
  }

  private flushRun(emit: Emit): void {
    if (this.run) emit(this.run);
    this.run = null;
  }
}
