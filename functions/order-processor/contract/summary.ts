/**
 * One file's outcome under the CSV contract: counts, status, reason and row errors. Shared by the
 * `validate` command (local dry run) and the processor, so both judge a file the same way.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { fileNameProblem } from './file-name.ts';
import type { ContractLimits } from './limits.ts';
import { readOrders, type ByteSource } from './reader.ts';
import type { CompiledSchema } from './schema/compile.ts';
import { FileRejectedError, type ContractContext, type ContractEvent, type FileCounts, type RowError } from './types.ts';

export type FileStatus = 'VALID' | 'PARTIAL' | 'REJECTED';

/** The shape `validate --json` prints per file (plus unknownColumns, which the CLI prints apart). */
export interface FileReport extends FileCounts {
  file: string;
  status: FileStatus;
  /** Why the whole file was rejected, or null. */
  reason: string | null;
  /** Rejected rows in file order: the first `maxErrors` of them (all by default). */
  errors: RowError[];
  /** Header cells that name no contract column (ignored). */
  unknownColumns: string[];
}

/**
 * Status of a file that was read to the end: VALID when nothing was rejected, PARTIAL when some
 * rows were, REJECTED when every data row was (nothing would be written).
 */
export function statusOf(counts: FileCounts): { status: FileStatus; reason: string | null } {
  if (counts.rejected === 0) return { status: 'VALID', reason: null };
  if (counts.valid > 0) return { status: 'PARTIAL', reason: null };
  const reason =
    counts.rejected === 1 ? 'the only data row was rejected' : `all ${counts.rejected} data rows were rejected`;
  return { status: 'REJECTED', reason };
}

/** Receives every rejected row as it is read (to stream a report instead of keeping it). */
export type OnRowError = (error: RowError) => void;

/** Accumulates reader events into counts and errors; the processor can feed it as it writes. */
export class FileTally {
  readonly counts: FileCounts = { rows: 0, valid: 0, rejected: 0, blank: 0 };
  readonly errors: RowError[] = [];
  unknownColumns: string[] = [];

  constructor(
    readonly file: string,
    /** Keep at most this many errors (counts stay exact); memory then stays flat however many rows fail. */
    private readonly maxErrors = Number.POSITIVE_INFINITY,
    private readonly onError?: OnRowError,
  ) {}

  observe(event: ContractEvent): void {
    switch (event.kind) {
      case 'header':
        this.unknownColumns = event.header.unknownColumns;
        break;
      case 'valid':
        this.counts.rows++;
        this.counts.valid++;
        break;
      case 'rejected':
        this.counts.rows++;
        this.counts.rejected++;
        if (this.errors.length < this.maxErrors) this.errors.push(event.error);
        this.onError?.(event.error);
        break;
      case 'blank':
        this.counts.blank++;
        break;
    }
  }

  /** The report of a file read to its end. */
  finish(): FileReport {
    return { file: this.file, ...statusOf(this.counts), ...this.counts, errors: this.errors, unknownColumns: this.unknownColumns };
  }

  /**
   * The report of a file rejected as a whole: nothing from it is loaded, so counts are zero and
   * rows already tallied are not listed (the reason names the line that stopped the file).
   */
  reject(reason: string): FileReport {
    return {
      file: this.file,
      status: 'REJECTED',
      reason,
      rows: 0,
      valid: 0,
      rejected: 0,
      blank: 0,
      errors: [],
      unknownColumns: this.unknownColumns,
    };
  }
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
  const tally = new FileTally(file, options.maxErrors, options.onError);
  // Judged by name like the processor judges the S3 key (a stream has no name to judge); a path
  // that cannot be read at all says so first.
  const nameProblem = typeof source === 'string' ? fileNameProblem(source) : null;
  if (nameProblem && typeof source === 'string') {
    const unreadable = await stat(source).then(
      (s) => (s.isDirectory() ? 'it is a directory, not a file' : null),
      (err: unknown) => (isSystemError(err) ? describeSystemError(err) : null),
    );
    return tally.reject(unreadable ? `cannot read the file: ${unreadable}` : nameProblem);
  }
  try {
    const input = isPath ? createReadStream(source) : source;
    for await (const event of readOrders(input, ctx)) tally.observe(event);
  } catch (err) {
    if (err instanceof FileRejectedError) return tally.reject(err.reason);
    if (isPath && isSystemError(err)) return tally.reject(`cannot read the file: ${describeSystemError(err)}`);
    throw err;
  }
  return tally.finish();
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
