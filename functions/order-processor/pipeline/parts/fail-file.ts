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
import { summarizeReason } from '../../reports/alerts.ts';
import { sendAlert } from '../conclude.ts';
import { describeError, LedgerConflictError } from '../errors.ts';
import { loadedSoFar } from '../outcome.ts';
import type { FileOutcome } from '../outcome.ts';
import type { ProcessorPorts } from '../ports.ts';
import { recordOutcome } from '../record-outcome.ts';
import { planIdOf, refOfItem } from './file-in-parts.ts';

/** The counts of a file whose part failed for good (see above). */
export function failedCounts(item: LedgerItem): FailedCounts {
  if (item.phase !== 'WRITE' && item.phase !== 'CONCLUDE') return { rows: 0, written: 0, rejected: 0, unloaded: 0, blank: 0 };
  const { rows = 0, valid = 0, rejected = 0, blank = 0 } = item.planned ?? {};
  const partial = Object.entries(item.parts_loaded ?? {})
    .filter(([part]) => !item.parts_written?.has(Number(part)))
    .reduce((sum, [, loaded]) => sum + loaded, 0);
  const written = Math.min(valid, (item.parts_rows_written ?? 0) + partial);
  return { rows, written, rejected, unloaded: valid - written, blank };
}

interface FailedCounts {
  rows: number;
  written: number;
  rejected: number;
  unloaded: number;
  blank: number;
}

export function failedPartReason(message: PartMessage, receives: number, error: unknown, counts: FailedCounts): string {
  const what = `part ${message.part + 1} of ${message.parts} failed to ${message.phase} ${receives} time(s), the last with ${describeError(error)}`;
  return `${what}; ${loadedSoFar(counts.written, counts.unloaded, message.ingestionId)}`;
}

type FailPorts = Pick<ProcessorPorts, 'ledger' | 'alerts' | 'log' | 'metrics' | 'now' | 'stage'>;

/** Fails the file of a part that failed for good; false when the file was final already (or re-planned). */
export async function failFileForPart(message: PartMessage, receives: number, error: unknown, ports: FailPorts): Promise<boolean> {
  const pk = fileLedgerKey(message);
  const item = await ports.ledger.get(pk);
  if (!item || isFinalStatus(item.status) || item.attempt_id !== message.planId) return false;
  const counts = failedCounts(item);
  const reason = summarizeReason(failedPartReason(message, receives, error, counts)) ?? '';
  const ref = refOfItem(item);
  const outcome: FileOutcome = {
    status: 'FAILED',
    bucket: ref.bucket,
    key: ref.key,
    versionId: ref.versionId,
    ingestionId: item.ingestion_id,
    ...counts,
    reason,
    firstErrors: [],
    errorsReport: null,
    original: null,
    processed: null,
    duplicateOf: null,
  };
  const nowhere = { original: null, errors: null, processed: null };
  try {
    const record = { outcome, to: nowhere, pk, attemptId: planIdOf(item), startedAt: new Date(item.started_at), bytes: ref.size, alertError: null };
    await recordOutcome({ ...record, fingerprint: item.fingerprint ?? null, partsDone: item.parts_done ?? 0 }, ports);
  } catch (conflict) {
    if (conflict instanceof LedgerConflictError) return false;
    throw conflict;
  }
  // After the outcome, not before (unlike a file's conclusion): this message goes to the DLQ and is
  // not retried, so the alert must follow exactly one recorded outcome.
  await sendAlert(outcome, ports);
  ports.log.error('File FAILED: a part kept failing', { reason, ...counts });
  return true;
}
