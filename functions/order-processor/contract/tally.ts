/**
 * Counting a file's rows: the one loop every reader of the contract's events shares — the
 * processor's scans and writes (whole file and parts), `validate`, and the benchmark. Data rows =
 * valid + rejected; blank lines are counted apart (docs/csv-format.md).
 */
import type { ContractEvent, FileCounts, HeaderInfo, RowError } from './types.ts';

export const emptyCounts = (): FileCounts => ({ rows: 0, valid: 0, rejected: 0, blank: 0 });

export function addCounts(all: readonly FileCounts[]): FileCounts {
  const sum = emptyCounts();
  for (const c of all) {
    sum.rows += c.rows;
    sum.valid += c.valid;
    sum.rejected += c.rejected;
    sum.blank += c.blank;
  }
  return sum;
}

export const sameCounts = (a: FileCounts, b: FileCounts): boolean =>
  a.rows === b.rows && a.valid === b.valid && a.rejected === b.rejected && a.blank === b.blank;

/** Receives every rejected row as it is read (to stream a report instead of keeping it). */
export type OnRowError = (error: RowError) => void;

/** The counts of the events read so far, the first rejected rows, and what the header said. */
export class RowTally {
  readonly counts: FileCounts = emptyCounts();
  readonly firstErrors: RowError[] = [];
  /** The header's physical line (1 until a header event is seen). */
  headerLine = 1;
  /** Header cells that name no contract column. */
  unknownColumns: string[] = [];
  /** The file's header, once read. */
  header: HeaderInfo | null = null;

  constructor(
    /** Keep at most this many rejected rows (counts stay exact): memory stays flat however many rows fail. */
    private readonly maxErrors = Number.POSITIVE_INFINITY,
    private readonly onError?: OnRowError,
  ) {}

  observe(event: ContractEvent): void {
    switch (event.kind) {
      case 'header':
        this.unknownColumns = event.header.unknownColumns;
        this.header = event.header;
        if (event.span) this.headerLine = event.span.line;
        break;
      case 'valid':
        this.counts.rows++;
        this.counts.valid++;
        break;
      case 'rejected':
        this.counts.rows++;
        this.counts.rejected++;
        if (this.firstErrors.length < this.maxErrors) this.firstErrors.push(event.error);
        this.onError?.(event.error);
        break;
      case 'blank':
        this.counts.blank++;
        break;
    }
  }
}
