/**
 * `validate`'s report on one file under the CSV contract: counts, status, reason and row errors,
 * counted by the processor's tally (tally.ts) and judged by its verdict (verdict.ts), so both
 * judge a file the same way.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ContractLimits } from './limits.ts';
import { readOrders, type ByteSource } from './reader.ts';
import { keptColumns, type CompiledSchema } from './schema/compile.ts';
import { emptyCounts, RowTally, type OnRowError } from './tally.ts';
import { FileRejectedError, type ContractContext, type FileCounts, type RowError } from './types.ts';
import { fileVerdict, verdictOnName, type FileRejection, type RowsStatus } from './verdict.ts';
import { hasOrderLines, OrdersWithRejectedLines, type RejectedOrders } from './whole-orders.ts';

export type FileStatus = 'VALID' | 'PARTIAL' | 'REJECTED';

/** The shape `validate --json` prints per file (plus unknownColumns, which the CLI prints apart). */
export interface FileReport extends FileCounts {
  file: string;
  status: FileStatus;
  /** Why the whole file was rejected, or null. */
  reason: string | null;
  /** Rejected rows in file order: the first `maxErrors` of them (all by default). */
  errors: RowError[];
  /** Header cells that name no contract column (ignored, unless `keptColumns` lists them). */
  unknownColumns: string[];
  /**
   * Under `"unknownColumns": "keep"` (docs/csv-format.md "Unknown columns"): the unknown columns
   * kept, in file order, each with the attribute it is stored as (also its cleaned-CSV column).
   * The other unknown columns are ignored.
   */
  keptColumns?: KeptColumn[];
  /** With order lines (whole-orders.ts): the orders of the valid rows (an order of several lines counts once). */
  orders?: number;
  /** With order lines: the orders rejected whole (a line of theirs was rejected; whole-orders.ts). */
  ordersRejected?: number;
}

export interface KeptColumn {
  /** The header cell, as found (trimmed). */
  column: string;
  attribute: string;
}

/** `validate`'s names for the verdict's statuses (docs/csv-format.md): the processor's PROCESSED, PARTIAL, FAILED. */
export const VALIDATE_STATUS: Record<RowsStatus, FileStatus> = { PROCESSED: 'VALID', PARTIAL: 'PARTIAL', FAILED: 'REJECTED' };

/** What the header said of unknown columns: all of them, and which a `keep` schema keeps (once a header was read). */
type UnknownColumnsSaid = Pick<FileReport, 'unknownColumns' | 'keptColumns'>;

function unknownColumnsOf(tally: RowTally, schema: CompiledSchema | undefined): UnknownColumnsSaid {
  const { header, unknownColumns } = tally;
  if (!header || schema?.unknownColumns !== 'keep') return { unknownColumns };
  return { unknownColumns, keptColumns: keptColumns(header, schema.spec).map(([attribute, i]) => ({ column: header.raw[i] ?? '', attribute })) };
}

/** The report of a file read to its end (or to a file-level rejection), from the one verdict (verdict.ts). */
function reportOf(file: string, tally: RowTally, rejection: FileRejection | null, schema: CompiledSchema | undefined): FileReport {
  const verdict = fileVerdict({ counts: tally.counts, rejection, headerLine: tally.headerLine });
  const unknown = unknownColumnsOf(tally, schema);
  return verdict.kind === 'rejected' ? rejectedReport(file, verdict.reason, unknown) : {
    file,
    status: VALIDATE_STATUS[verdict.status],
    reason: verdict.reason,
    ...tally.counts,
    errors: tally.firstErrors,
    ...unknown,
  };
}

/**
 * The report of a file rejected as a whole: nothing from it is loaded, so counts are zero and
 * rows already tallied are not listed (the reason names the line that stopped the file).
 */
function rejectedReport(file: string, reason: string, unknown: UnknownColumnsSaid = { unknownColumns: [] }): FileReport {
  return { file, status: 'REJECTED', reason, ...emptyCounts(), errors: [], ...unknown };
}

/** The report of a file rejected by its name alone (the rule the processor applies to S3 keys), or null. */
export function reportOnName(file: string): FileReport | null {
  const byName = verdictOnName(file);
  return byName ? rejectedReport(file, byName.reason) : null;
}

export interface ValidateOptions {
  /** Name shown in the report; defaults to the path (or "<stream>"). */
  file?: string;
  now?: Date;
  /** Force gunzip; by default data is gunzipped when it starts with the gzip magic bytes. */
  gzip?: boolean;
  /** Keep at most this many errors in the report (default: all). */
  maxErrors?: number;
  /**
   * Called with every rejected row as it is read, also beyond `maxErrors`. For a file rejected as
   * a whole the report lists no rows: a streaming caller discards what it received for that file.
   */
  onError?: OnRowError;
  /** File caps (see limits.ts `limitsFromEnv`); DEFAULT_LIMITS when absent. */
  limits?: ContractLimits;
  /** The order schema (schema/load.ts); the built-in one when absent. */
  schema?: CompiledSchema;
  /**
   * A stream source read again from its start. A schema with order lines reads a file twice
   * (whole-orders.ts); without this, a stream's bytes are kept in memory for the second read.
   */
  reopen?: () => ByteSource;
}

/**
 * Reads a whole file (a local path or a byte stream) under the contract and reports on it. A path
 * that cannot be read is reported as REJECTED; errors of a given stream are rethrown (for the
 * processor they are infrastructure faults to retry, not bad data).
 */
export async function validateFile(source: string | ByteSource, options: ValidateOptions = {}): Promise<FileReport> {
  const isPath = typeof source === 'string';
  const file = options.file ?? (isPath ? source : '<stream>');
  const now = options.now ?? new Date();
  const ctx: ContractContext = {
    sourceKey: file,
    ingestionId: 'validate',
    processedAt: now.toISOString(),
    now,
  };
  // Like the processor, rely on the gzip magic bytes rather than the name, so both judge alike.
  if (options.gzip) ctx.gzip = true;
  if (options.limits) ctx.limits = options.limits;
  if (options.schema) ctx.schema = options.schema;
  const tally = new RowTally(options.maxErrors, options.onError);
  // Judged by name like the processor judges the S3 key (a stream has no name to judge); a path
  // that cannot be read at all says so first.
  const byName = typeof source === 'string' ? verdictOnName(source) : null;
  if (byName && typeof source === 'string') {
    const unreadable = await stat(source).then(
      (s) => (s.isDirectory() ? 'it is a directory, not a file' : null),
      (err: unknown) => (isSystemError(err) ? describeSystemError(err) : null),
    );
    return rejectedReport(file, unreadable ? `cannot read the file: ${unreadable}` : byName.reason);
  }
  try {
    const withLines = hasOrderLines(ctx.schema);
    // Opened only once it is known which read it is for (an unused read stream would hold its file open).
    let input: ByteSource;
    if (withLines) {
      // An order is judged whole (whole-orders.ts): a first read finds the orders with a rejected
      // line, as the processor's pass 1 does. A stream that cannot be opened again (no `reopen`)
      // is kept in memory to be read twice.
      const kept = isPath || options.reopen ? null : await collect(source);
      const open = (first: boolean): ByteSource => {
        if (isPath) return createReadStream(source);
        if (kept) return replay(kept);
        return first ? source : (options.reopen?.() ?? source);
      };
      ctx.rejectedOrders = await ordersWithRejectedLines(open(true), ctx);
      input = open(false);
    } else {
      input = isPath ? createReadStream(source) : source;
    }
    const orders = withLines ? new Set<string>() : null;
    for await (const event of readOrders(input, ctx)) {
      tally.observe(event);
      if (orders && event.kind === 'valid') orders.add(event.order.order_id);
    }
    if (orders) return { ...reportOf(file, tally, null, ctx.schema), orders: orders.size, ordersRejected: ctx.rejectedOrders?.size ?? 0 };
  } catch (err) {
    if (err instanceof FileRejectedError) return reportOf(file, tally, { reason: err.reason, line: err.line ?? 1 }, ctx.schema);
    if (isPath && isSystemError(err)) return rejectedReport(file, `cannot read the file: ${describeSystemError(err)}`, unknownColumnsOf(tally, ctx.schema));
    throw err;
  }
  return reportOf(file, tally, null, ctx.schema);
}

/** The first read of a file with order lines: its orders with a rejected line (a file-level problem is left to the second read). */
async function ordersWithRejectedLines(input: ByteSource, ctx: ContractContext): Promise<RejectedOrders> {
  const orders = new OrdersWithRejectedLines();
  try {
    for await (const event of readOrders(input, ctx)) orders.observe(event);
  } catch (err) {
    if (!(err instanceof FileRejectedError) && !isSystemError(err)) throw err;
  }
  return orders.orders;
}

async function collect(source: ByteSource): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of source as AsyncIterable<Uint8Array | string>) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return chunks;
}

async function* replay(chunks: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  yield* chunks;
}

interface SystemError extends Error {
  code: string;
  syscall?: string;
}

function isSystemError(err: unknown): err is SystemError {
  return err instanceof Error && typeof (err as Partial<SystemError>).code === 'string';
}

function describeSystemError(err: SystemError): string {
  const known: Record<string, string> = {
    ENOENT: 'no such file',
    EACCES: 'permission denied',
    EISDIR: 'it is a directory, not a file',
  };
  return known[err.code] ?? err.message;
}
