/**
 * The verdict on one file under the contract, and its reasons: one home for what `validate`
 * reports and what the processor records (docs/csv-format.md, "File outcomes"). The processor
 * adds only what the bytes alone cannot tell: a duplicate of content already loaded, and a file
 * version that disappeared.
 */
import { fileNameProblem } from './file-name.ts';
import { noDataRowsReason } from './headers.ts';
import type { FileCounts } from './types.ts';

/** A file-level rejection: the reason, and the line it refers to (1, the header, when none). */
export interface FileRejection {
  reason: string;
  line: number;
}

/** How the processor records a file's rows; `validate` names the same outcomes VALID, PARTIAL, REJECTED. */
export type RowsStatus = 'PROCESSED' | 'PARTIAL' | 'FAILED';

export type FileVerdict =
  /** Rejected as a whole: nothing of it is loaded and none of its rows count. */
  | { kind: 'rejected'; status: 'FAILED'; reason: string; line: number }
  /** Read to its end: the valid rows are loaded (none when FAILED), the rejected ones reported. */
  | { kind: 'rows'; status: RowsStatus; reason: string | null };

/** What reading a file to its end (or to a file-level rejection) found. */
export interface FileRead {
  counts: FileCounts;
  rejection: FileRejection | null;
  /** The header's physical line (blank lines may precede it). */
  headerLine: number;
}

export type RejectedFile = Extract<FileVerdict, { kind: 'rejected' }>;

export const rejectedFile = (reason: string, line = 1): RejectedFile => ({ kind: 'rejected', status: 'FAILED', reason, line });

/** What a file's name alone decides (only `.csv` and `.csv.gz` are read); null when it is to be read. */
export function verdictOnName(name: string): RejectedFile | null {
  const problem = fileNameProblem(name);
  return problem ? rejectedFile(problem) : null;
}

/** The verdict on what was read. "No data rows" is decided here only, for whole reads and for parts alike. */
export function fileVerdict(read: FileRead): FileVerdict {
  const { counts, rejection, headerLine } = read;
  if (rejection) return rejectedFile(rejection.reason, rejection.line);
  if (counts.rows === 0) return rejectedFile(noDataRowsReason(headerLine), headerLine);
  if (counts.valid === 0) {
    return { kind: 'rows', status: 'FAILED', reason: counts.rows === 1 ? 'the only data row was rejected' : `all ${counts.rows} data rows were rejected` };
  }
  if (counts.rejected > 0) return { kind: 'rows', status: 'PARTIAL', reason: `${counts.rejected} of ${counts.rows} data rows were rejected` };
  return { kind: 'rows', status: 'PROCESSED', reason: null };
}
