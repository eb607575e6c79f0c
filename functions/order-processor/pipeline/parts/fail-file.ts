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
 *
 * Another part may still be writing when the file fails: its rows land in the table after the
 * outcome was recorded. It adds them to the FAILED item when it notes them (addLateRows), once:
 * written and orders_written grow, unloaded shrinks by as much, the reason is restated with the
 * new count. A part whose note lands while the outcome is being recorded is counted by the
 * failing part right after (recountFailed). The alert, sent when the file failed, is not sent
 * again: its count is as of the failure (docs/operations.md says where the final count is).
 */
import type { PartMessage } from '../../event.ts';
import { fileLedgerKey, isFinalStatus, type LedgerItem } from '../../ledger-item.ts';
import { recordLateRows } from '../../observability.ts';
import { summarizeReason } from '../../reports/alerts.ts';
import { concludeUnfinished, unfinishedCounts, type UnfinishedCounts } from '../conclude.ts';
import { describeError, LedgerConflictError } from '../errors.ts';
import { loadedSoFar } from '../outcome.ts';
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
  await recountFailed(item.pk, message.planId, ports);
  return true;
}

/**
 * A part that noted or counted its rows between the read above and the outcome (its write landed
 * while the file was still PROCESSING) is not in the recorded counts: counted now, from the item
 * as it is, once (the same rule as failedCounts).
 */
async function recountFailed(pk: string, planId: string, ports: LatePorts): Promise<void> {
  for (let tries = 0; tries < LATE_ROWS_TRIES; tries++) {
    const item = await ports.ledger.get(pk);
    if (!item || item.status !== 'FAILED' || planIdOf(item) !== planId) return;
    const added = Math.min(failedCounts(item).written - (item.written ?? 0), item.unloaded ?? 0);
    if (added <= 0) return;
    if (await ports.ledger.amendFailed(pk, planId, null, { written: item.written ?? 0 }, lateValues(item, added))) {
      recordLateRows(ports.metrics, added);
      ports.log.warn('Rows noted while the file was failing: added to its count', { rows_added: added });
      return;
    }
  }
}

/** Tries before giving up when other late parts keep changing the item. */
const LATE_ROWS_TRIES = 5;

type LatePorts = Pick<ProcessorPorts, 'ledger' | 'log' | 'metrics'>;

/**
 * Part `part` has upserted `rows` rows after its file failed (under plan `planId`): adds those not
 * counted yet (what the part had noted when the file failed) to the FAILED item, once. Returns
 * the rows added (0: nothing to add, the file is not FAILED under this plan, or the part was counted whole).
 */
export async function addLateRows(pk: string, planId: string, part: number, rows: number, ports: LatePorts): Promise<number> {
  for (let tries = 0; tries < LATE_ROWS_TRIES; tries++) {
    const item = await ports.ledger.get(pk);
    if (!item || item.status !== 'FAILED' || planIdOf(item) !== planId || item.parts_written?.has(part)) return 0;
    const before = item.parts_loaded?.[String(part)] ?? 0;
    const added = Math.min(rows - before, item.unloaded ?? 0);
    if (added <= 0) return 0;
    const values = lateValues(item, added);
    if (await ports.ledger.amendFailed(pk, planId, { index: part, before, rows }, { written: item.written ?? 0 }, values)) {
      recordLateRows(ports.metrics, added);
      ports.log.warn('Rows written after the file failed: added to its count', { part, rows_added: added, written: values.written });
      return added;
    }
  }
  throw new LedgerConflictError(`the FAILED item ${pk} kept changing while part ${part} added its rows; retry`);
}

/** The FAILED item's counts and reason once `added` more rows are counted as loaded. */
function lateValues(item: LedgerItem, added: number) {
  const written = (item.written ?? 0) + added;
  const unloaded = (item.unloaded ?? 0) - added;
  const was = loadedSoFar(item.written ?? 0, item.unloaded ?? 0, item.ingestion_id);
  const now = loadedSoFar(written, unloaded, item.ingestion_id);
  const reason = item.reason ?? '';
  const restated = reason.endsWith(was) ? `${reason.slice(0, reason.length - was.length)}${now}` : `${reason}; now ${now}`;
  return { written, orders_written: written, unloaded, reason: summarizeReason(restated) ?? now };
}
