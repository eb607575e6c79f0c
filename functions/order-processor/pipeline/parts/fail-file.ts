/**
 * A part that fails on its last receive fails its file: FAILED with a reason that names the part
 * and the error, one alert, metrics once — never a half-done PROCESSED. Conditional on the file
 * not being final yet, so however many parts fail, the file fails once.
 *
 * What the ledger counts for it (conservation holds: rows = written + rejected + unloaded):
 * - failed before WRITE (scanning or deciding): nothing was written; rows 0, like a file rejected
 *   as a whole;
 * - failed in WRITE or CONCLUDE: rows and rejected are DECIDE's counts; written is every row this
 *   ingestion upserted — the parts written in full, and what each other part noted before it
 *   failed (write-part.ts) —; unloaded is the valid rows that are not in the table. Uploading the
 *   file again loads them all (upserts are idempotent); deleting by ingestion_id removes them.
 * The original stays in raw-data/ (nothing is routed), ready for a new upload.
 */
import type { PartMessage } from '../../event.ts';
import { fileLedgerKey, isFinalStatus, type LedgerItem } from '../../ledger-item.ts';
import { concludeUnfinished, unfinishedCounts, type UnfinishedCounts } from '../conclude.ts';
import { describeError, LedgerConflictError } from '../errors.ts';
import type { ProcessorPorts } from '../ports.ts';
import { planIdOf, refOfItem } from './file-in-parts.ts';

/** The counts of a file whose part failed for good (see above). */
export function failedCounts(item: LedgerItem): UnfinishedCounts {
  if (item.phase !== 'WRITE' && item.phase !== 'CONCLUDE') return unfinishedCounts(null, 0);
  const partial = Object.entries(item.parts_loaded ?? {})
    .filter(([part]) => !item.parts_written?.has(Number(part)))
    .reduce((sum, [, loaded]) => sum + loaded, 0);
  const planned = item.planned ?? null;
  return unfinishedCounts(planned, Math.min(planned?.valid ?? 0, (item.parts_rows_written ?? 0) + partial));
}

/** What happened to the part, for the file's reason. */
export function failedPartReason(message: PartMessage, receives: number, error: unknown): string {
  return `part ${message.part + 1} of ${message.parts} failed to ${message.phase} ${receives} time(s), the last with ${describeError(error)}`;
}

type FailPorts = Pick<ProcessorPorts, 'ledger' | 'alerts' | 'log' | 'metrics' | 'now' | 'stage'>;

/** Fails the file of a part that failed for good; false when the file was final already (or re-planned). */
export async function failFileForPart(message: PartMessage, receives: number, error: unknown, ports: FailPorts): Promise<boolean> {
  const item = await ports.ledger.get(fileLedgerKey(message));
  if (!item || isFinalStatus(item.status) || planIdOf(item) !== message.planId) return false;
  const attempt = { ref: refOfItem(item), ingestionId: item.ingestion_id, pk: item.pk, attemptId: planIdOf(item), startedAt: new Date(item.started_at) };
  try {
    await concludeUnfinished(attempt, failedCounts(item), failedPartReason(message, receives, error), ports, item.parts_done ?? 0);
  } catch (conflict) {
    if (conflict instanceof LedgerConflictError) return false;
    throw conflict;
  }
  return true;
}
