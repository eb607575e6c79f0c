/**
 * The CSV contract reader (docs/csv-format.md): bytes in, one event per record out, in file order.
 *
 *   input.ts (gunzip?, first-bytes check) → caps, NUL and strict UTF-8 per slice
 *     → lines.ts (physical lines) → header line | records.ts (stray-quote rule, tokenizer.ts)
 *     → field count → rules.ts
 *
 * One pass over the bytes, in slices of 16 KiB, each turned into events synchronously and then
 * yielded: a slow consumer (the DynamoDB writer) pauses the download, memory stays flat (small
 * slices also keep the events of a slice from outliving the young generation), and the time spent
 * is linear in the file's size whatever it holds.
 */
import { cleanedRecordCheck, cleanedRecordProblem, mayNotReadBack, type CleanedRecordCheck } from './cleaned-record.ts';
import { decompressedBytes, plainBytes, type ByteSource } from './input.ts';
import { countText, EMPTY_FILE_REASON, mapHeader } from './headers.ts';
import { DEFAULT_LIMITS, MAX_RECORD_BYTES, MB, tooLargeReason, tooManyLinesReason, type ContractLimits } from './limits.ts';
import { OrderIdSet } from './order-id-set.ts';
import { LineSplitter, type EmptyRun, type LineItem, type PhysicalLine } from './lines.ts';
import { localTokens, RecordAssembler, singleLineSpan, textAfterQuoteReason, type HeaderShape, type RecordItem } from './records.ts';
import { isRowError } from './rules.ts';
import { BUILT_IN_SCHEMA } from './schema/built-in.ts';
import { looksLikeKey, type CompiledSchema, type RowValidator } from './schema/compile.ts';
import { isBlank } from './tokenizer.ts';
import { invalidUtf8Reason, truncatedUtf8Reason, Utf8Validator } from './utf8.ts';
import { wholeOrderReason } from './whole-orders.ts';
import {
  FileRejectedError,
  type ContractContext,
  type ContractEvent,
  type HeaderInfo,
  type PartReading,
  type RecordSpan,
  type RowError,
  type SeenOrderIds,
} from './types.ts';

export type { ByteSource } from './input.ts';

/** Bytes turned into events between two yields (bounds the events held at once). */
const SLICE_BYTES = 16 * 1024;

const BOM = [0xef, 0xbb, 0xbf] as const;

/**
 * Reads an order CSV. Yields `header` first, then `valid` / `rejected` / `blank` per record in
 * file order. Throws FileRejectedError for whole-file problems (empty file, missing or repeated
 * columns, bytes that are not UTF-8, binary or broken gzip data, a cap
 * exceeded). Errors of the input stream itself are rethrown unchanged (they are infrastructure
 * faults, not bad data).
 *
 * With `ctx.part`, reads one part of a planned file instead (contract/parts.ts): the same events
 * as a sequential read yields for those bytes, with the file's line numbers and offsets; only
 * part 0 yields the header; no part gives the verdict "empty". (A header without data rows is
 * judged by the file's verdict, contract/verdict.ts, on the counts: for parts, across them.) An input that
 * does not end exactly at `part.end` is an infrastructure fault (a short ranged read), not bad data.
 */
export async function* readOrders(input: ByteSource, ctx: ContractContext): AsyncGenerator<ContractEvent> {
  const file = new OrderFile(ctx);
  const bytes = ctx.part ? plainBytes(input, ctx.part.first) : decompressedBytes(input, ctx.gzip);
  for await (const slice of slices(bytes)) {
    const produced = slice ? file.push(slice) : file.end();
    // Yielded one by one right here: each generator level in between costs per event.
    for (const item of produced) {
      if (item.kind === 'blanks-before-header') {
        for (let line = 1; line <= item.count; line++) yield { kind: 'blank', line };
      } else if (item.kind === 'empty') {
        const width = item.eol.length;
        for (let k = 0, start = item.start; k < item.count; k++, start += width) {
          const line = item.number + k;
          yield { kind: 'blank', line, span: { line, lastLine: line, start, end: start + width } };
        }
      } else {
        yield item;
      }
    }
    file.throwIfRejected();
  }
}

/**
 * The header of a decompressed file and its span, read from byte 0 (planning parts: the events of
 * the rows after it are not needed). Throws the file's FileRejectedError when the file is
 * rejected before its header is read, exactly as readOrders would.
 */
export async function readHeader(input: ByteSource, limits?: ContractLimits, schema?: CompiledSchema): Promise<{ header: HeaderInfo; span: RecordSpan }> {
  const ctx: ContractContext = { sourceKey: '', ingestionId: '', processedAt: '', now: new Date(0) };
  if (limits) ctx.limits = limits;
  if (schema) ctx.schema = schema;
  const file = new OrderFile(ctx);
  for await (const slice of slices(plainBytes(input, true))) {
    for (const item of slice ? file.push(slice) : file.end()) {
      if (item.kind === 'header' && item.span) return { header: item.header, span: item.span };
    }
    file.throwIfRejected();
  }
  // end() either yields the header or rejects the file, so this is not reached.
  throw new Error('the reader ended without a header or a rejection');
}

/** The input in slices of at most SLICE_BYTES, then null for its end. */
async function* slices(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer | null> {
  for await (const chunk of chunks) {
    for (let at = 0; at < chunk.length; at += SLICE_BYTES) yield chunk.subarray(at, at + SLICE_BYTES);
  }
  yield null;
}

/** Blank lines 1..count before the header: counted, not stored (a gzip of newlines is tiny). */
interface BlanksBeforeHeader {
  kind: 'blanks-before-header';
  count: number;
}

/** What one slice produced: events, with runs of blank lines still folded (expanded as yielded). */
type Produced = (ContractEvent | EmptyRun | BlanksBeforeHeader)[];

/** The synchronous state of one file being read. */
class OrderFile {
  private readonly limits: ContractLimits;
  private readonly maxBytes: number;
  private readonly utf8 = new Utf8Validator();
  private splitter: LineSplitter | undefined;
  private bytesSeen = 0;
  private rejection: FileRejectedError | undefined;
  private out: Produced = [];

  private header: HeaderInfo | undefined;
  private records: RecordAssembler | undefined;
  private readonly schema: CompiledSchema;
  private validator: RowValidator | undefined;
  /** Whether a valid row's record in the cleaned CSV reads back as itself (cleaned-record.ts). */
  private cleaned: CleanedRecordCheck | undefined;
  /** Where the key column is in the header's fields (-1 before the header or when absent). */
  private keyAt = -1;
  private readonly seen: SeenOrderIds;
  private readonly part: PartReading | undefined;

  constructor(private readonly ctx: ContractContext) {
    this.limits = ctx.limits ?? DEFAULT_LIMITS;
    this.maxBytes = this.limits.maxFileMb * MB;
    this.seen = ctx.seen ?? new OrderIdSet();
    this.schema = ctx.schema ?? BUILT_IN_SCHEMA;
    this.part = ctx.part;
    if (this.part && !this.part.first) {
      // A later part starts at a line that reads as a record of its own, under the file's header.
      const { start, header } = this.part;
      this.splitter = this.newSplitter(start.offset, start.line);
      this.bytesSeen = start.offset;
      this.startRecords(header);
    }
  }

  private newSplitter(startOffset: number, startLine: number): LineSplitter {
    return new LineSplitter(MAX_RECORD_BYTES, this.limits.maxFileLines, () => tooManyLinesReason(this.limits), startOffset, startLine);
  }

  throwIfRejected(): void {
    if (this.rejection) throw this.rejection;
  }

  /**
   * Reads one slice. A whole-file problem inside it is recorded, after the bytes before it were
   * read, so its events come first and the rejection is the first problem in file order.
   */
  push(slice: Buffer): Produced {
    this.out = [];
    let bytes = slice;
    let startOffset = 0;
    if (!this.splitter) {
      // A leading BOM is not content (the slice holds at least 5 bytes or the whole file).
      if (BOM.every((b, i) => slice[i] === b)) startOffset = BOM.length;
      this.splitter = this.newSplitter(startOffset, 1);
      bytes = slice.subarray(startOffset);
      this.bytesSeen = startOffset;
    }
    const splitter = this.splitter;
    let stop = bytes.length;
    let problem: (() => FileRejectedError) | undefined;
    const room = this.maxBytes - this.bytesSeen;
    if (stop > room) {
      stop = Math.max(0, room);
      problem = () => new FileRejectedError(tooLargeReason(this.limits), undefined, this.maxBytes);
    }
    const nul = bytes.indexOf(0);
    if (nul >= 0 && nul < stop) {
      stop = nul;
      const offset = this.bytesSeen + nul;
      problem = () => {
        const line = splitter.lineOfNextByte();
        return new FileRejectedError(`line ${line} contains a NUL byte; expected CSV text, but this looks like a binary file`, line, offset);
      };
    }
    const checked = bytes.subarray(0, stop);
    const bad = this.utf8.check(checked);
    if (bad !== null) {
      const offset = this.bytesSeen + bad;
      const byte = this.utf8.leadByte(bad, checked);
      stop = Math.max(0, bad);
      problem = () => {
        const line = splitter.lineOfNextByte();
        return new FileRejectedError(invalidUtf8Reason(line, offset, byte), line, offset);
      };
    }
    this.guard(() => splitter.push(bytes.subarray(0, stop), (item) => this.onLine(item)));
    this.bytesSeen += stop;
    if (problem && !this.rejection) this.rejection = problem();
    return this.out;
  }

  /** The end of the input: the last line, the records left, and the file-level verdicts. */
  end(): Produced {
    this.out = [];
    const unfinished = this.utf8.end();
    if (unfinished) {
      const offset = this.bytesSeen - unfinished.back;
      const reason = unfinished.invalid
        ? invalidUtf8Reason(this.splitter?.lineOfNextByte() ?? 1, offset, unfinished.byte)
        : truncatedUtf8Reason(offset);
      this.rejection = new FileRejectedError(reason, this.splitter?.lineOfNextByte(), offset);
      return this.out;
    }
    this.guard(() => {
      this.splitter?.end((item) => this.onLine(item));
      const part = this.part;
      if (!part) {
        this.records?.end();
        if (!this.header) throw new FileRejectedError(EMPTY_FILE_REASON, undefined, this.bytesSeen);
        return;
      }
      if (this.bytesSeen !== part.end) {
        throw new Error(`the input of the part at byte ${part.start.offset} ended at byte ${this.bytesSeen}; expected it to end at byte ${part.end}`);
      }
      // Before the next part's first line a quoted value stops exactly as it would in one read.
      if (part.next) this.records?.endBefore({ kind: 'ahead', number: part.next.line, start: part.end, length: part.next.length });
      else this.records?.end();
    });
    return this.out;
  }

  private guard(read: () => void): void {
    try {
      read();
    } catch (error) {
      if (!(error instanceof FileRejectedError)) throw error;
      this.rejection = error;
    }
  }

  private onLine(item: LineItem): void {
    // Before the header, empty lines are skipped (all lines before the header are blank).
    if (this.records) this.records.push(item);
    else if (item.kind === 'line') this.onLineBeforeHeader(item);
  }

  /** The header is the first line that is not blank; its quoted cells may not span lines. */
  private onLineBeforeHeader(line: PhysicalLine): void {
    const where = `line ${line.number}`;
    const rejectLine = (reason: string) => new FileRejectedError(reason, line.number, line.start);
    if (line.overlong) {
      throw rejectLine(
        `${where} is ${countText(line.length)} bytes long and no header row came before it; expected a header row of column names of at most ${countText(MAX_RECORD_BYTES)} bytes`,
      );
    }
    const own = localTokens(line);
    if (own.state === 'malformed') {
      throw rejectLine(`${where}: the header row has ${textAfterQuoteReason(own.badField, own.found)}`);
    }
    if (own.state === 'open') {
      throw rejectLine(
        `${where}: a quote opens header field ${own.cells.length} but is not closed on that line; expected a closing " on the same line (header names cannot span lines)`,
      );
    }
    if (isBlank(own.cells)) return;
    const header = mapHeader(own.cells, this.schema, line.number, line.start);
    this.startRecords(header);
    this.out.push({ kind: 'header', header, span: singleLineSpan(line) });
    // Every line before the header is blank (else it would be the header): lines 1..n-1.
    this.out.push({ kind: 'blanks-before-header', count: line.number - 1 });
  }

  private startRecords(header: HeaderInfo): void {
    this.header = header;
    this.validator = this.schema.rowValidator(header);
    this.cleaned = cleanedRecordCheck(this.schema.cleanedColumns(header), this.ctx.sourceKey);
    this.keyAt = header.canonical.indexOf(this.schema.key);
    const shape: HeaderShape = {
      fields: header.raw.length,
      columnAt: (i) => header.canonical[i] ?? null,
      nameAt: (i) => header.raw[i],
    };
    this.records = new RecordAssembler(shape, (record) => this.onRecord(record));
  }

  private onRecord(record: RecordItem): void {
    if (record.kind === 'empty') {
      this.out.push(record.run);
      return;
    }
    const { span } = record;
    if (record.kind === 'broken') {
      const error: RowError = { line: span.line, order_id: this.guessOrderId(record.cells), column: record.column, reason: record.reason };
      this.out.push({ kind: 'rejected', error, span });
      return;
    }
    const { cells } = record;
    if (isBlank(cells)) {
      this.out.push({ kind: 'blank', line: span.line, span });
      return;
    }
    const expected = this.header?.raw.length ?? 0;
    if (cells.length !== expected) {
      this.out.push({ kind: 'rejected', error: this.fieldCountError(cells, expected, span), span });
      return;
    }
    const result = (this.validator as RowValidator)(cells, span.line, this.ctx, this.seen);
    if (isRowError(result)) {
      this.out.push({ kind: 'rejected', error: result, span });
      return;
    }
    const cleaned = this.cleaned as CleanedRecordCheck;
    const unwritable = mayNotReadBack(cleaned, span) ? cleanedRecordProblem(result, cleaned) : undefined;
    if (unwritable) {
      this.out.push({ kind: 'rejected', error: { line: span.line, order_id: result.order_id, ...unwritable }, span });
      return;
    }
    const badLine = this.ctx.rejectedOrders?.get(result.order_id);
    this.out.push(
      badLine === undefined
        ? { kind: 'valid', line: span.line, order: result, span }
        : { kind: 'rejected', error: { line: span.line, order_id: result.order_id, column: this.schema.key, reason: wholeOrderReason(result.order_id, badLine) }, span },
    );
  }

  private fieldCountError(cells: string[], expected: number, span: RecordSpan): RowError {
    const extra = cells.length - expected;
    const hint =
      extra <= 0
        ? ''
        : isBlank(cells.slice(expected))
          ? `; the row ends with ${extra} empty field${extra === 1 ? '' : 's'} more than the header has (a trailing comma?)`
          : '; a value that contains a comma must be enclosed in double quotes';
    return {
      line: span.line,
      order_id: this.guessOrderId(cells),
      column: null,
      reason: `expected ${expected} fields (one per header column), found ${cells.length}${hint}`,
    };
  }

  /** The order_id of a row rejected before the rules ran (its structure), when its cell looks like one. */
  private guessOrderId(cells: readonly string[]): string | null {
    const id = cells[this.keyAt]?.trim();
    return looksLikeKey(this.schema, id) ? id : null;
  }
}
