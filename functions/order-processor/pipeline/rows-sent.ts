/**
 * How a file read whole keeps its ledger truthful when its attempt is killed mid-write
 * (docs/reliability.md, "The ledger tells the truth about the table"): before a batch of orders is
 * sent, the ledger item notes how many of the file's valid rows this ingestion has sent so far.
 * Every attempt of the file sends the same rows in the same order, so the rows any attempt sent are
 * the first N valid rows, N the highest figure noted: a row rewritten by a retry is counted once.
 * A retry that can no longer read the file (its version deleted) reads N instead of denying the
 * rows in the table.
 *
 * Exact because a note is asked for only once its batch holds a request slot, and the batch is
 * sent as soon as the note lands (adapters/dynamo-writer.ts): the figure never runs ahead of the
 * batches sent, and a batch is never sent before a figure that covers it.
 *
 * Cost (docs/performance.md, "What the ledger's notes cost"): at most one ledger UpdateItem (1
 * write unit: the item is under 1 KB while processing) per batch of 25 orders, fewer when batches
 * take their slots faster than notes land (one note is in flight at a time and covers every batch
 * waiting for one); each batch waits for its note in its slot: up to two ledger round trips more.
 */
import type { PlannedCounts, LedgerPort, OrderWriterOptions } from './ports.ts';

/** Serialises `note` calls so that a note never lowers the figure and each covers every batch queued while the one before was in flight. */
export function coalescedNotes(note: (rows: number) => Promise<void>): (rows: number) => Promise<void> {
  let noted = 0;
  let wanted = 0;
  let chain: Promise<void> = Promise.resolve();
  return (rows) => {
    if (rows <= noted) return Promise.resolve();
    if (rows > wanted) {
      wanted = rows;
      chain = chain.then(async () => {
        if (wanted <= noted) return;
        const target = wanted;
        await note(target);
        noted = target;
      });
    }
    return chain;
  };
}

/** The writer options of a file read whole: each batch waits until the ledger notes it as sent. */
export function noteSentRows(ledger: Pick<LedgerPort, 'noteWholeSent'>, pk: string, planned: PlannedCounts): OrderWriterOptions {
  return { beforeSend: coalescedNotes((rows) => ledger.noteWholeSent(pk, rows, planned)) };
}

/** The rows an earlier attempt of a file read whole noted as sent (0 if none). */
export function rowsSentBefore(item: { parts_loaded?: Record<string, number> } | null): number {
  return item?.parts_loaded?.['0'] ?? 0;
}
