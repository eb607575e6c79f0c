/**
 * Whether a row can be carried by the cleaned CSV (docs/csv-format.md "Output files"): the record
 * the processor writes for an order must read back, under this contract, as that one record.
 *
 * Almost every record does by construction (one line, quoted where needed). A value with a line
 * break is the exception: a line after the break is the value's own text, and if that line, read
 * alone, has exactly as many fields as the cleaned CSV's header, it reads as a record of its own
 * (the record rule's synchronisation point), whatever the layout; the record would read back as a
 * stray quote, and the line as an order that was never written. Such a row is rejected here, with
 * the reason, before anything is written — so `validate`, the processor and files in parts all
 * refuse it alike, and every cleaned CSV reads back to exactly the orders written. The same holds
 * for a record longer than the record limits once written (the S3 key's own line breaks count).
 *
 * Only records that can break are checked: those spanning lines, long ones, and all of a file whose
 * key holds a line break; a one-line record of ordinary size costs nothing here.
 */
import { countText, quote } from './headers.ts';
import { MAX_RECORD_BYTES, MAX_RECORD_LINES } from './limits.ts';
import { isBlank, tokenizeLine } from './tokenizer.ts';
import type { Order } from './types.ts';

/** A value's text in a CSV cell, cleaned CSV or errors report alike: an absent value is an empty cell. */
export const csvCellText = (value: unknown): string => (value === undefined || value === null ? '' : String(value));

/**
 * How the cleaned CSV quotes a cell, exactly as reports/csv-output.ts writes it with fast-csv: quoted
 * when it holds a comma, a quote, CR, LF or `|` (fast-csv's own pattern), quotes doubled. A test keeps
 * the two equal; the check below must read the very bytes that will be written.
 */
export function cleanedCell(text: string): string {
  if (text.includes('"')) return `"${text.replaceAll('"', '""')}"`;
  return /[,\r\n|]/.test(text) ? `"${text}"` : text;
}

/**
 * Records of at most this many bytes in the input cannot outgrow MAX_RECORD_BYTES once written:
 * a written cell is at most twice its value plus two quotes, and the derived cells (the S3 key of
 * at most 1,024 bytes, the ids and the timestamp) are far below the margin.
 */
const SAFE_INPUT_BYTES = MAX_RECORD_BYTES / 2 - 64 * 1024;

export interface CleanedRecordCheck {
  /** The cleaned CSV's columns, in order (its header's fields). */
  readonly columns: readonly string[];
  /** The S3 key (or local path) holds a line break: every row's record spans lines. */
  readonly everyRow: boolean;
}

export function cleanedRecordCheck(columns: readonly string[], sourceKey: string): CleanedRecordCheck {
  return { columns, everyRow: /[\r\n]/.test(sourceKey) };
}

/** Whether a record read from `span` must be checked (see the module comment). */
export function mayNotReadBack(check: CleanedRecordCheck, span: { line: number; lastLine: number; start: number; end: number }): boolean {
  return check.everyRow || span.lastLine > span.line || span.end - span.start > SAFE_INPUT_BYTES;
}

/** What is wrong with an order's cleaned record, or undefined when it reads back as itself. */
export function cleanedRecordProblem(order: Order, check: CleanedRecordCheck): { column: string | null; reason: string } | undefined {
  const { columns } = check;
  const cells = columns.map((name) => cleanedCell(csvCellText(order[name])));
  const text = cells.join(',');
  const bytes = Buffer.byteLength(text) + 2;
  if (bytes > MAX_RECORD_BYTES) {
    return {
      column: null,
      reason:
        `the row's record in the cleaned CSV would be ${countText(bytes)} bytes; expected at most ${countText(MAX_RECORD_BYTES)} bytes ` +
        'so that the cleaned CSV reads back (docs/csv-format.md, "Output files")',
    };
  }
  // Where each cell starts in the text, to name the value a line break belongs to.
  const starts: number[] = [];
  let at = 0;
  for (const cell of cells) {
    starts.push(at);
    at += cell.length + 1;
  }
  const cellAt = (offset: number): number => {
    let i = starts.length - 1;
    while (i > 0 && (starts[i] as number) > offset) i--;
    return i;
  };
  const breaks = [...text.matchAll(/\r\n|\r|\n/g)];
  if (breaks.length + 1 > MAX_RECORD_LINES) {
    return {
      column: null,
      reason:
        `the row's record in the cleaned CSV would span ${countText(breaks.length + 1)} lines (its values' line breaks, and the file name's); ` +
        `expected at most ${MAX_RECORD_LINES} lines so that the cleaned CSV reads back (docs/csv-format.md, "Output files")`,
    };
  }
  for (let b = 0; b < breaks.length; b++) {
    const from = (breaks[b]?.index as number) + (breaks[b]?.[0].length as number);
    const to = b + 1 < breaks.length ? (breaks[b + 1]?.index as number) : text.length;
    const line = text.slice(from, to);
    const own = tokenizeLine(Buffer.from(line, 'utf8'), false);
    if (own.state !== 'closed' || own.cells.length !== columns.length || isBlank(own.cells)) continue;
    const cell = cellAt(breaks[b]?.index as number);
    const column = columns[cell] as string;
    // The value's own text on that line (a value with a line break is quoted: its closing quote ends it).
    const valueEnd = (starts[cell] as number) + (cells[cell] as string).length - 1;
    const shown = text.slice(from, Math.min(to, valueEnd)).replaceAll('""', '"');
    return {
      column: column === 'source_key' ? null : column,
      reason:
        `${column === 'source_key' ? "the file's name (source_key)" : column} holds a line break followed by ${quote(shown)}, a line that read alone has ${columns.length} fields, ` +
        `as many as the cleaned CSV's header: read back, that line would start a row of its own; ` +
        'expected no line inside a value that reads as a whole cleaned row (docs/csv-format.md, "Output files")',
    };
  }
  return undefined;
}
