/**
 * Step 4, write (pass 2): the same bytes read again; valid rows → the orders table and the cleaned
 * CSV, rejected rows → the errors report; then conservation is checked against pass 1: the same
 * counts, and every valid row confirmed written. A file rejected as a whole gets a one-line report.
 */
import { RowTally, sameCounts } from '../contract/tally.ts';
import { hasOrderLines } from '../contract/whole-orders.ts';
import { FileRejectedError, type ContractContext, type FileCounts, type Order, type RowError } from '../contract/types.ts';
import { MAX_ALERT_ERRORS } from '../reports/alerts.ts';
import { cleanedColumnsFor, cleanedHeaderLine, cleanedRowLine, errorReportHeaderLine, errorReportLine } from '../reports/csv-output.ts';
import { ConservationError } from './errors.ts';
import type { ObjectBody, OrderSink, OrderWriterOptions, ProcessorPorts, ReadOrders, TextSink } from './ports.ts';

/** Where pass 2 writes; a sink is null when pass 1 found nothing for it. */
export interface WriteTargets {
  orders: OrderSink;
  cleaned: TextSink | null;
  report: TextSink | null;
}

export interface WriteResult {
  counts: FileCounts;
  /** Rows the orders table confirmed. */
  written: number;
  firstErrors: RowError[];
  /** Bytes written to the cleaned CSV and to the errors report. */
  cleanedBytes: number;
  errorsBytes: number;
  /** With order lines (contract/whole-orders.ts): the orders written, whose stale lines are then deleted. */
  orderIds?: ReadonlySet<string>;
}

export interface WriteOptions {
  /** Start each output with its header line (default); a slice of a file in parts has none. */
  headerLines?: boolean;
  /** Aborted: the pass stops with the signal's reason, after what is in flight has landed. */
  signal?: AbortSignal;
}

/**
 * Characters gathered before they go to the sink. One write per row into the upload stream costs
 * more than building the row's line (stream bookkeeping, a Buffer per write; docs/performance.md
 * has the figures); a chunk of 64 Ki characters costs that once per ~400 rows and keeps
 * back-pressure (the upload still pauses the reader).
 */
const CHUNK_CHARS = 64 * 1024;

/** Gathers lines into chunks for a sink, counting the bytes written through it. */
class ChunkedSink {
  bytes = 0;
  private pending = '';
  constructor(private readonly sink: TextSink) {}
  /** Adds text; returns a promise (to await: back-pressure) only when a chunk went to the sink. */
  write(text: string): Promise<void> | undefined {
    this.pending += text;
    return this.pending.length >= CHUNK_CHARS ? this.send() : undefined;
  }
  async finish(): Promise<void> {
    if (this.pending !== '') await this.send();
    await this.sink.finish();
  }
  abort(): Promise<void> {
    this.pending = '';
    return this.sink.abort();
  }
  private send(): Promise<void> {
    const text = this.pending;
    this.pending = '';
    this.bytes += Buffer.byteLength(text, 'utf8');
    return this.sink.write(text);
  }
}

/** Where the cleaned rows and the errors report go: a whole file's outputs, or a part's staged slices. */
export interface OutputKeys {
  cleaned: string;
  errors: string;
}

/** The targets of a pass 2: a cleaned CSV if pass 1 found valid rows, an errors report if it found rejected ones. */
export function writeTargets(
  bucket: string,
  keys: OutputKeys,
  expected: FileCounts,
  ports: Pick<ProcessorPorts, 'objects' | 'openOrderWriter'>,
  writer?: OrderWriterOptions,
): WriteTargets {
  return {
    orders: ports.openOrderWriter(writer),
    cleaned: expected.valid > 0 ? ports.objects.upload(bucket, keys.cleaned) : null,
    report: expected.rejected > 0 ? ports.objects.upload(bucket, keys.errors) : null,
  };
}

/** The DynamoDB item: the validated order, optional attributes omitted when absent. */
export function toItem(order: Order): Record<string, unknown> {
  const item: Record<string, unknown> = {};
  // for…in rather than Object.entries: no array of pairs per row (an Order has no inherited keys).
  for (const k in order) {
    const v = order[k as keyof Order];
    if (v !== undefined && v !== null && v !== '') item[k] = v;
  }
  return item;
}

/**
 * Pass 2 (of a whole file, or of one part of a file in parts: then the outputs are slices,
 * without header lines). Throws (after aborting the uploads: no half-written CSV remains) on any
 * fault, and ConservationError when this pass does not see what pass 1 saw.
 */
export async function writeRows(
  body: ObjectBody,
  ctx: ContractContext,
  expected: FileCounts,
  targets: WriteTargets,
  readOrders: ReadOrders,
  options: WriteOptions = {},
): Promise<WriteResult> {
  const { orders } = targets;
  const cleaned = targets.cleaned && new ChunkedSink(targets.cleaned);
  const report = targets.report && new ChunkedSink(targets.report);
  const uploads = [cleaned, report].filter((u): u is ChunkedSink => u !== null);
  const tally = new RowTally(MAX_ALERT_ERRORS);
  const { counts } = tally;
  // The cleaned CSV's columns follow the file's header (the unknown columns a `keep` schema
  // keeps): a part is read under its file's header; a whole file's is its first event. The
  // header line goes out before the first row, once the columns are known.
  let columns = cleanedColumnsFor(ctx.schema, ctx.part?.header);
  const headerLines = options.headerLines ?? true;
  let cleanedHeaderDue = headerLines;
  // With order lines, the orders written: their stale lines are deleted once the file is written.
  const orderIds = hasOrderLines(ctx.schema) ? new Set<string>() : null;
  try {
    if (headerLines) await report?.write(errorReportHeaderLine());
    for await (const event of readOrders(body, ctx)) {
      options.signal?.throwIfAborted();
      tally.observe(event);
      if (event.kind === 'header') {
        columns = cleanedColumnsFor(ctx.schema, event.header);
      } else if (event.kind === 'valid') {
        if (!cleaned) throw new ConservationError('a row was valid in pass 2 but no row was valid in pass 1');
        if (cleanedHeaderDue) {
          cleanedHeaderDue = false;
          await cleaned.write(cleanedHeaderLine(columns));
        }
        // Awaited only when there is something to wait for: an await per row costs as much as a rule.
        orderIds?.add(event.order.order_id);
        const stored = orders.put(toItem(event.order));
        if (stored) await stored;
        const sent = cleaned.write(cleanedRowLine(event.order, columns));
        if (sent) await sent;
      } else if (event.kind === 'rejected') {
        if (!report) throw new ConservationError('a row was rejected in pass 2 but none was in pass 1');
        const sent = report.write(errorReportLine(event.error));
        if (sent) await sent;
      }
    }
    await orders.flush();
    // Checked before the uploads complete: a file that fails them leaves no cleaned CSV or report.
    if (!sameCounts(counts, expected)) {
      throw new ConservationError(`row counts differ between passes: ${JSON.stringify(expected)} then ${JSON.stringify(counts)}`);
    }
    if (orders.written !== counts.valid) {
      throw new ConservationError(`${counts.valid} valid rows but DynamoDB confirmed ${orders.written} writes`);
    }
    for (const upload of uploads) await upload.finish();
  } catch (error) {
    // What is in flight lands or fails before this pass gives up: `orders.written` is then final.
    await Promise.all([orders.settle(), ...uploads.map((u) => u.abort())]);
    if (error instanceof FileRejectedError) {
      throw new ConservationError(`the file was accepted in pass 1 but rejected in pass 2: ${error.reason}`);
    }
    throw error;
  } finally {
    body.destroy();
  }
  return {
    counts,
    written: orders.written,
    firstErrors: tally.firstErrors,
    cleanedBytes: cleaned?.bytes ?? 0,
    errorsBytes: report?.bytes ?? 0,
    ...(orderIds ? { orderIds } : {}),
  };
}

/** The errors report of a file rejected as a whole: one line naming the file-level reason. */
export async function writeRejectionReport(error: RowError, report: TextSink): Promise<void> {
  try {
    await report.write(errorReportHeaderLine());
    await report.write(errorReportLine(error));
    await report.finish();
  } catch (e) {
    await report.abort();
    throw e;
  }
}
