/**
 * Physical lines → records, under the stray-quote rule (docs/csv-format.md "Quoting and records").
 * H is the header's field count. A line "reads as a record of its own" when, tokenized alone,
 * every quote on it closes on it, nothing follows a closing quote, it is not blank and it has
 * exactly H fields.
 *
 * A line whose own reading leaves a quoted value open starts a multi-line candidate: lines s..e
 * form one record only if the value closes on line e within MAX_RECORD_LINES lines and
 * MAX_RECORD_BYTES bytes, no line s+1..e reads as a record of its own, and the completed record
 * has exactly H fields and nothing after a closing quote. Otherwise the quote is stray: line s
 * alone is rejected, and reading restarts at line s+1.
 *
 * So a line that reads as a record of its own always starts a record (a synchronisation point),
 * and the record starting at line s depends only on lines s..s+MAX_RECORD_LINES-1 and H: a
 * stray quote costs one row, never the rows after it. Each line is tokenized at most twice (on
 * its own and as a continuation, both cached on the line), and only the current candidate's lines
 * are held, so time is linear and memory bounded (a restart re-walks at most MAX_RECORD_LINES
 * cached lines).
 */
import { countText, quote } from './headers.ts';
import { MAX_RECORD_BYTES, MAX_RECORD_LINES } from './limits.ts';
import type { EmptyRun, LineItem, PhysicalLine } from './lines.ts';
import { isBlank, tokenizeLine, type LineTokens } from './tokenizer.ts';
import type { RecordSpan as Span } from './types.ts';


export type RecordItem =
  /** A record read in full (possibly blank): its decoded fields. */
  | { kind: 'fields'; span: Span; cells: string[] }
  /** A line rejected for its quoting or its length. `cells`: the fields complete before the problem. */
  | { kind: 'broken'; span: Span; reason: string; column: string | null; cells: string[] }
  /** Empty lines, each a blank record. */
  | { kind: 'empty'; run: EmptyRun };

export type OnRecord = (record: RecordItem) => void;

/**
 * The first line after the input when reading one part of a file (contract/parts.ts): known to
 * read as a record of its own, so only its number, start and length matter to the lines before it.
 */
export interface LineAhead {
  kind: 'ahead';
  number: number;
  start: number;
  length: number;
}

/** What the reasons need to know about the header. */
export interface HeaderShape {
  /** H: the header's field count. */
  fields: number;
  /** The canonical column of a field (0-based), or null. */
  columnAt(index: number): string | null;
  /** The header cell of a field (0-based), or undefined past the header's end. */
  nameAt(index: number): string | undefined;
}

const LITERAL_QUOTE_HINT = 'expected a closing " at the end of the same value (write a literal quote inside a value as "")';

/** How a line reads on its own, computed once. */
export function localTokens(line: PhysicalLine): LineTokens {
  return (line.local ??= tokenizeLine(line.bytes, false));
}

/**
 * Whether a line reads as a record of its own under a header of `fields` fields (a
 * synchronisation point: it always starts a record; contract/parts.ts cuts files there).
 */
export function readsAsOwnRecord(line: PhysicalLine, fields: number): boolean {
  if (line.overlong) return false;
  const own = localTokens(line);
  return own.state === 'closed' && own.cells.length === fields && !isBlank(own.cells);
}

function continuationTokens(line: PhysicalLine): LineTokens {
  return (line.continuation ??= tokenizeLine(line.bytes, true));
}

const lineEnd = (line: PhysicalLine): number => line.start + line.length + line.eol.length;

export function singleLineSpan(line: PhysicalLine): Span {
  return { line: line.number, lastLine: line.number, start: line.start, end: lineEnd(line) };
}

/** Reason for text after a closing quote (docs/csv-format.md). */
export function textAfterQuoteReason(field: number, found: string): string {
  return (
    `malformed quoting: field ${field} has ${quote(found)} after its closing quote; ` +
    'expected a comma or the end of the line after a closing quote (write a literal quote inside a quoted value as "")'
  );
}

export function overlongLineReason(length: number): string {
  return `the line is ${countText(length)} bytes long; expected a record of at most ${countText(MAX_RECORD_BYTES)} bytes (one order per line)`;
}

type Failure =
  | { why: 'own'; line: number }
  | { why: 'eof' }
  | { why: 'lines' }
  | { why: 'bytes' }
  | { why: 'fields'; line: number; fields: number }
  | { why: 'after'; line: number; field: number; found: string };

/** Progress through a candidate, kept between pushes so waiting for lines costs nothing extra. */
interface Candidate {
  /** Index in the window of the next line to examine. */
  next: number;
  /** Fields of the record so far (the open one included). */
  fields: number;
  /** 1-based field of the quoted value open now. */
  openField: number;
  /** The line where the first quoted value closed, when another one opened after it (0: not yet). */
  closedOn: number;
}

export class RecordAssembler {
  /** Lines not yet assigned to a record; window[0] starts the next one. */
  private window: (LineItem | LineAhead)[] = [];
  private candidate: Candidate | null = null;

  constructor(
    private readonly header: HeaderShape,
    private readonly onRecord: OnRecord,
  ) {}

  push(item: LineItem): void {
    this.window.push(item);
    this.decide(false);
  }

  /** At the end of the file: every line left is decided. */
  end(): void {
    this.decide(true);
  }

  /**
   * At the end of one part of a file: every line left is decided as it is in a sequential read,
   * where `next` follows (a line that reads as a record of its own ends every candidate).
   */
  endBefore(next: LineAhead): void {
    this.window.push(next);
    this.decide(false);
  }

  private decide(final: boolean): void {
    const window = this.window;
    while (window.length > 0) {
      const first = window[0] as LineItem | LineAhead;
      if (first.kind === 'ahead') return;
      if (first.kind === 'empty') {
        this.onRecord({ kind: 'empty', run: first });
        window.shift();
        continue;
      }
      if (first.overlong) {
        this.onRecord({ kind: 'broken', span: singleLineSpan(first), reason: overlongLineReason(first.length), column: null, cells: prefixCells(first) });
        window.shift();
        continue;
      }
      const own = localTokens(first);
      if (own.state === 'closed') {
        this.onRecord({ kind: 'fields', span: singleLineSpan(first), cells: own.cells });
        window.shift();
        continue;
      }
      if (own.state === 'malformed') {
        const reason = textAfterQuoteReason(own.badField, own.found);
        this.onRecord({ kind: 'broken', span: singleLineSpan(first), reason, column: null, cells: own.cells.slice(0, own.badField - 1) });
        window.shift();
        continue;
      }
      const verdict = this.evaluate(first, own, final);
      if (verdict === 'wait') return;
      if (typeof verdict === 'number') {
        this.candidate = null;
        this.onRecord(this.joined(first, own, verdict));
        window.splice(0, verdict + 1);
      } else {
        const opened = own.cells.length;
        this.onRecord({
          kind: 'broken',
          span: singleLineSpan(first),
          reason: this.strayReason(first, opened, verdict),
          column: this.header.columnAt(opened - 1),
          cells: own.cells.slice(0, -1),
        });
        this.candidate = null;
        window.shift();
      }
    }
  }

  /**
   * Walks the candidate starting at window[0]: the index of its last line when accepted, a
   * Failure when its quote is stray, or 'wait' when more lines are needed to tell.
   */
  private evaluate(first: PhysicalLine, own: LineTokens, final: boolean): number | Failure | 'wait' {
    const c = (this.candidate ??= { next: 1, fields: own.cells.length, openField: own.cells.length, closedOn: 0 });
    const window = this.window;
    for (; c.next < window.length; c.next++) {
      const item = window[c.next] as LineItem | LineAhead;
      if (item.kind === 'empty') {
        // Empty lines inside a quoted value are part of it, up to the first line past a limit.
        const linesLeft = MAX_RECORD_LINES - (item.number - first.number);
        const bytesLeft = Math.floor((MAX_RECORD_BYTES - (item.start - first.start)) / item.eol.length) + 1;
        if (item.count > Math.min(linesLeft, bytesLeft)) return { why: linesLeft <= bytesLeft ? 'lines' : 'bytes' };
        continue;
      }
      if (item.number - first.number + 1 > MAX_RECORD_LINES) return { why: 'lines' };
      if ((item.kind === 'line' && item.overlong) || item.start + item.length - first.start > MAX_RECORD_BYTES) return { why: 'bytes' };
      if (item.kind === 'ahead' || readsAsOwnRecord(item, this.header.fields)) return { why: 'own', line: item.number };
      const cont = continuationTokens(item);
      if (!cont.headCloses) continue;
      if (cont.state === 'malformed') {
        const field = cont.badField === 0 ? c.openField : c.fields + cont.badField;
        return { why: 'after', line: item.number, field, found: cont.found };
      }
      c.fields += cont.cells.length;
      if (cont.state === 'open') {
        c.openField = c.fields;
        c.closedOn ||= item.number;
        continue;
      }
      if (c.fields !== this.header.fields) return { why: 'fields', line: item.number, fields: c.fields };
      return c.next;
    }
    return final ? { why: 'eof' } : 'wait';
  }


  /** The accepted record of window[0..last]: the open value runs through the line breaks it spans. */
  private joined(first: PhysicalLine, own: LineTokens, last: number): RecordItem {
    const cells = own.cells.slice(0, -1);
    let open = own.cells[own.cells.length - 1] ?? '';
    let eol: string = first.eol;
    let end = lineEnd(first);
    let lastLine = first.number;
    for (let i = 1; i <= last; i++) {
      const item = this.window[i] as LineItem;
      if (item.kind === 'empty') {
        open += eol + item.eol.repeat(item.count - 1);
        eol = item.eol;
        lastLine = item.number + item.count - 1;
        end = item.start + item.count * item.eol.length;
        continue;
      }
      const cont = continuationTokens(item);
      open += eol + (cont.head ?? '');
      eol = item.eol;
      lastLine = item.number;
      end = lineEnd(item);
      if (!cont.headCloses) continue;
      cells.push(open);
      if (cont.state === 'open') {
        cells.push(...cont.cells.slice(0, -1));
        open = cont.cells[cont.cells.length - 1] ?? '';
      } else {
        cells.push(...cont.cells);
      }
    }
    return { kind: 'fields', span: { line: first.number, lastLine, start: first.start, end }, cells };
  }

  private strayReason(first: PhysicalLine, opened: number, failure: Failure): string {
    const column = this.header.columnAt(opened - 1);
    const raw = this.header.nameAt(opened - 1);
    const field = `field ${opened}${column ? ` (${column})` : raw ? ` (${quote(raw)})` : ''}`;
    return `a quote opens ${field} ${this.strayDetail(first, failure)}; ${LITERAL_QUOTE_HINT}`;
  }

  private strayDetail(first: PhysicalLine, failure: Failure): string {
    const reopened = this.candidate?.closedOn ?? 0;
    const but = reopened
      ? `and closes on line ${reopened}, but field ${this.candidate?.openField ?? 0} then opens a quoted value that`
      : 'but';
    switch (failure.why) {
      case 'own':
        return `${but} is not closed before line ${failure.line}, which reads as an order of its own`;
      case 'eof':
        return `${but} is never closed: the file ends first`;
      case 'lines':
        return `${but} is not closed within ${MAX_RECORD_LINES} lines`;
      case 'bytes':
        return `${but} is not closed within ${countText(MAX_RECORD_BYTES)} bytes`;
      case 'fields':
        return `and closes on line ${failure.line}, but the record it makes (lines ${first.number}-${failure.line}) has ${failure.fields} fields, not ${this.header.fields}`;
      case 'after':
        return `and runs to line ${failure.line}, where field ${failure.field} has ${quote(failure.found)} after its closing quote`;
    }
  }
}

/** The fields complete within the kept first bytes of an over-long line (to name its order_id). */
function prefixCells(line: PhysicalLine): string[] {
  const own = tokenizeLine(line.bytes, false);
  if (own.state === 'malformed') return own.cells.slice(0, own.badField - 1);
  // The last field is cut short (closed) or still open: either way not complete.
  return own.cells.slice(0, -1);
}
