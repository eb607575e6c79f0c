/**
 * Splits decoded CSV text into records, tracking the physical line each record starts on.
 *
 * Why not let fast-csv do this: its stream reports no line numbers, hides blank lines, and stops
 * the whole stream at the first malformed quote (DESIGN §9). This scanner only finds record
 * boundaries with the same quoting rules fast-csv uses (a quote opens a quoted field only at the
 * start of a field; "" is a literal quote; CRLF, LF and lone CR end a record); the fields of each
 * record are then split by fast-csv's own parser. A malformed record is returned flagged, and
 * scanning resumes at the next line, so one bad quote costs one row, not the file.
 */
import { FileRejectedError } from './types.ts';

export interface RawRecord {
  /** 1-based physical line the record starts on. */
  line: number;
  /** The record's text without its line terminator (may contain quoted line breaks). */
  text: string;
  /** Why the record's quoting is malformed; set only for such records. */
  malformed?: string;
}

/** A record longer than this is treated as runaway quoting rather than buffered without end. */
export const MAX_RECORD_CHARS = 1 << 20;

const enum State {
  FieldStart,
  Unquoted,
  Quoted,
  /** Inside a quoted field, just after a quote: either "" (escaped) or the closing quote. */
  QuoteInQuoted,
  /** After a closing quote: only spaces may come before the next comma or line end. */
  AfterQuote,
  /** Malformed quoting found: skip to the end of the physical line. */
  Bad,
}

const CR = 13;
const LF = 10;
const QUOTE = 34;
const COMMA = 44;

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 11 || code === 12 || code === 0xa0;
}

export class RecordScanner {
  private buffer = '';
  /** Index in `buffer` where the current record starts. */
  private start = 0;
  /** Index in `buffer` of the next character to scan. */
  private pos = 0;
  private state = State.FieldStart;
  /** Physical line of the character at `pos`. */
  private line = 1;
  private recordLine = 1;
  private field = 1;
  private quoteOpenedInField = 1;
  private malformed: string | undefined;

  /** Feeds text; returns the records completed by it. */
  push(text: string): RawRecord[] {
    this.buffer += text;
    const records = this.scan(false);
    this.compact();
    if (this.buffer.length > MAX_RECORD_CHARS) {
      const hint =
        this.state === State.Quoted || this.state === State.QuoteInQuoted
          ? `; a quoted field opened in field ${this.quoteOpenedInField} is probably never closed (expected a closing ")`
          : '; expected one order per line';
      throw new FileRejectedError(
        `line ${this.recordLine}: the record is longer than ${MAX_RECORD_CHARS.toLocaleString('en-US')} characters${hint}`,
        this.recordLine,
      );
    }
    return records;
  }

  /** Signals the end of the text; returns the remaining records. */
  end(): RawRecord[] {
    const records = this.scan(true);
    while (this.state === State.Quoted || this.state === State.QuoteInQuoted) {
      if (this.state === State.QuoteInQuoted) {
        // A closing quote right at the end of the file: the record is complete.
        this.state = State.AfterQuote;
        break;
      }
      // The last quoted field never closes. Reject only the line it opened on and rescan the
      // rest of the file: the lines after a stray quote are usually good rows.
      const firstBreak = this.buffer.slice(this.start).search(/\r\n|\r|\n/);
      const lineEnd = firstBreak < 0 ? this.buffer.length : this.start + firstBreak;
      const terminator = this.buffer.startsWith('\r\n', lineEnd) ? 2 : lineEnd < this.buffer.length ? 1 : 0;
      records.push({
        line: this.recordLine,
        text: this.buffer.slice(this.start, lineEnd),
        malformed: `field ${this.quoteOpenedInField} opens a quoted value that is never closed; expected a closing " (write a literal quote as "")`,
      });
      this.buffer = this.buffer.slice(lineEnd + terminator);
      this.start = 0;
      this.pos = 0;
      this.line = this.recordLine + 1;
      this.resetRecord();
      if (terminator === 0) return records;
      records.push(...this.scan(true));
    }
    if (this.pos > this.start || this.state !== State.FieldStart) records.push(this.take(this.buffer.length));
    this.buffer = '';
    this.start = this.pos = 0;
    return records;
  }

  private resetRecord(): void {
    this.state = State.FieldStart;
    this.recordLine = this.line;
    this.field = 1;
    this.malformed = undefined;
  }

  private take(endIndex: number): RawRecord {
    const record: RawRecord = { line: this.recordLine, text: this.buffer.slice(this.start, endIndex) };
    if (this.malformed !== undefined) record.malformed = this.malformed;
    return record;
  }

  private compact(): void {
    if (this.start > 0) {
      this.buffer = this.buffer.slice(this.start);
      this.pos -= this.start;
      this.start = 0;
    }
  }

  private scan(final: boolean): RawRecord[] {
    const records: RawRecord[] = [];
    const buffer = this.buffer;
    const length = buffer.length;
    let i = this.pos;
    while (i < length) {
      const code = buffer.charCodeAt(i);
      if (code === 0) {
        throw new FileRejectedError(
          `line ${this.line} contains a NUL byte; expected CSV text, but this looks like a binary file`,
          this.line,
        );
      }
      if (code === CR || code === LF) {
        let width = 1;
        if (code === CR) {
          if (i + 1 >= length && !final) break; // wait: the LF of a CRLF may be in the next chunk
          if (buffer.charCodeAt(i + 1) === LF) width = 2;
        }
        this.line++;
        if (this.state === State.Quoted) {
          i += width;
          continue;
        }
        records.push(this.take(i));
        this.start = i + width;
        this.resetRecord();
        i += width;
        continue;
      }
      switch (this.state) {
        case State.FieldStart:
          if (code === QUOTE) {
            this.state = State.Quoted;
            this.quoteOpenedInField = this.field;
          } else if (code === COMMA) this.field++;
          else if (!isSpace(code)) this.state = State.Unquoted;
          break;
        case State.Unquoted:
          if (code === COMMA) {
            this.field++;
            this.state = State.FieldStart;
          }
          break;
        case State.Quoted:
          if (code === QUOTE) this.state = State.QuoteInQuoted;
          break;
        case State.QuoteInQuoted:
        case State.AfterQuote:
          if (code === QUOTE && this.state === State.QuoteInQuoted) this.state = State.Quoted;
          else if (code === COMMA) {
            this.field++;
            this.state = State.FieldStart;
          } else if (isSpace(code)) this.state = State.AfterQuote;
          else {
            this.malformed =
              `field ${this.field} has ${JSON.stringify(String.fromCharCode(code))} after its closing quote; ` +
              'expected a comma or the end of the line after a closing quote (write a literal quote inside a quoted value as "")';
            this.state = State.Bad;
          }
          break;
        case State.Bad:
          break;
      }
      i++;
    }
    this.pos = i;
    return records;
  }
}
