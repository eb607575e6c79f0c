/**
 * How a file read whole keeps its ledger from denying rows when its attempt is killed mid-write
 * and its version is then deleted (docs/reliability.md, "The ledger tells the truth about the
 * table"): as DynamoDB confirms batches, the ledger item notes how many of the file's valid rows
 * this ingestion has loaded so far, with pass 1's counts. A retry that can no longer read the file
 * reads that figure instead of saying nothing was loaded.
 *
 * The figure is a lower bound that trails the writes by at most NOTE_INTERVAL_MS and one ledger
 * round trip: notes are never awaited by the writer (one in flight at a time, at most two a second,
 * each covering every confirmation before it), so the write path keeps its speed and the notes cost
 * a few requests a second whatever the rate; a note that fails stops the notes, never the file.
 * An exact figure would need each batch to wait for a note before it is sent (tried: about half
 * the write throughput) or an index on ingestion_id (a second write per order) — for a corner that
 * needs a process killed mid-write *and* the version permanently deleted before the retry. The
 * figure never lowers, so rows a retry rewrites are not counted twice.
 */
import type { LedgerPort, OrderWriterOptions, PlannedCounts } from './ports.ts';

/** At most one note per this many milliseconds: a few notes a second whatever the write rate. */
export const NOTE_INTERVAL_MS = 500;

/**
 * Notes a rising figure, never awaited: one note in flight at a time, at most one per
 * `intervalMs`, each covering every figure told before it starts. After a failed note it stops
 * (reported once).
 */
export function trailingNotes(
  note: (rows: number) => Promise<void>,
  onError: (error: unknown) => void,
  intervalMs = NOTE_INTERVAL_MS,
  now: () => number = Date.now,
): (rows: number) => void {
  let noted = 0;
  let wanted = 0;
  let busy = false;
  let stopped = false;
  let lastStart = -Infinity;
  const next = (): void => {
    if (busy || stopped || wanted <= noted) return;
    const wait = lastStart + intervalMs - now();
    busy = true;
    if (wait > 0) {
      // A timer, not a loop: the writer goes on; unref'd so that it never keeps a process alive.
      setTimeout(() => {
        busy = false;
        next();
      }, wait).unref?.();
      return;
    }
    lastStart = now();
    const target = wanted;
    note(target).then(
      () => {
        noted = target;
        busy = false;
        next();
      },
      (error: unknown) => {
        stopped = true;
        busy = false;
        onError(error);
      },
    );
  };
  return (rows) => {
    if (rows > wanted) wanted = rows;
    next();
  };
}

/** The writer options of a file read whole: the ledger notes the rows loaded as DynamoDB confirms them. */
export function noteLoadedRows(ledger: Pick<LedgerPort, 'noteWholeLoaded'>, pk: string, planned: PlannedCounts, onError: (error: unknown) => void): OrderWriterOptions {
  return { onConfirmed: trailingNotes((rows) => ledger.noteWholeLoaded(pk, rows, planned), onError) };
}

/** The rows an earlier attempt of a file read whole noted as loaded (0 if none). */
export function rowsLoadedBefore(item: { parts_loaded?: Record<string, number> } | null): number {
  return item?.parts_loaded?.['0'] ?? 0;
}
