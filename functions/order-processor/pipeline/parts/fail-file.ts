/**
 * A part that fails on its last receive fails its file: FAILED with a reason that names the part
 * and the error, one alert, metrics once — never a half-done PROCESSED. Conditional on the file
 * not being final yet, so however many parts fail, the file fails once.
 *
 * What the ledger counts for it (conservation holds: rows = written + rejected):
 * - failed before WRITE (scanning or deciding): nothing was written; rows 0, like a file rejected
 *   as a whole;
 * - failed in WRITE or CONCLUDE: rows are DECIDE's count; written is the rows the orders table
 *   confirmed for the parts written in full; every other row counts as rejected (not loaded). A
 *   part that failed may have upserted some of its rows before it failed: they are in the table
 *   but not counted written (uploading the file again writes them all; upserts are idempotent).
 * The original stays in raw-data/ (nothing is routed), ready for a new upload.
 */
import type { PartMessage } from '../../event.ts';
import { fileLedgerKey, isFinalStatus, type LedgerItem } from '../../ledger-item.ts';
import { summarizeReason } from '../../reports/alerts.ts';
import { sendAlert } from '../conclude.ts';
import { describeError, LedgerConflictError } from '../errors.ts';
import type { FileOutcome } from '../outcome.ts';
import type { ProcessorPorts } from '../ports.ts';
import { recordOutcome } from '../record-outcome.ts';
import { planIdOf, refOfItem } from './file-in-parts.ts';

const int = (n: number): string => n.toLocaleString('en-US');

/** The counts of a file whose part failed for good (see above). */
export function failedCounts(item: LedgerItem): { rows: number; written: number; rejected: number; blank: number } {
  if (item.phase !== 'WRITE' && item.phase !== 'CONCLUDE') return { rows: 0, written: 0, rejected: 0, blank: 0 };
  const rows = item.planned?.rows ?? 0;
  const written = Math.min(rows, item.parts_rows_written ?? 0);
  return { rows, written, rejected: rows - written, blank: item.planned?.blank ?? 0 };
}

export function failedPartReason(message: PartMessage, receives: number, error: unknown, counts: ReturnType<typeof failedCounts>): string {
  const what = `part ${message.part + 1} of ${message.parts} failed to ${message.phase} ${receives} time(s), the last with ${describeError(error)}`;
  const loaded =
    counts.written > 0
      ? `${int(counts.written)} of ${int(counts.rows)} rows were written before it failed; the other ${int(counts.rejected)} were not loaded (counted as rejected)`
      : 'nothing was loaded';
  return `${what}; ${loaded}`;
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
