/**
 * Step 5, conclude: route the original, alert, record the final outcome in the ledger, count the
 * file in the metrics, and remove the original from raw-data/. Runs once per file, on plain
 * results: the verdict and the tally of what was read and written.
 */
import type { FileCounts, RowError } from '../contract/types.ts';
import { s3Uri, type DestinationKeys } from '../naming.ts';
import { recordAlertFailed, recordFileMetrics } from '../observability.ts';
import { needsAlert, renderAlert, summarizeErrors, summarizeReason } from '../reports/alerts.ts';
import type { Attempt } from './claim.ts';
import type { Verdict } from './decide.ts';
import { ConservationError, describeError } from './errors.ts';
import type { FileOutcome } from './outcome.ts';
import type { ProcessorPorts } from './ports.ts';
import { emptyCounts } from './scan.ts';
import { writeRejectionReport } from './write.ts';

/** What was read and written for the file. */
export interface Tally {
  counts: FileCounts;
  /** Rows the orders table confirmed. */
  written: number;
  firstErrors: RowError[];
  bytes: number;
  fingerprint: string | null;
  /** Parts written (a file in parts); a file read whole is its one part, done. */
  partsDone?: number;
}

/** The tally of a file decided without reading it. */
export const nothingRead = (): Tally => ({ counts: emptyCounts(), written: 0, firstErrors: [], bytes: 0, fingerprint: null });

interface Destinations {
  original: string | null;
  errors: string | null;
  processed: string | null;
}

/** Where the verdict sends the file: archive/ when rows were loaded, failed-data/ otherwise, nowhere when left. */
export function destinationsOf(verdict: Verdict, keys: DestinationKeys, counts: FileCounts): Destinations {
  if (verdict.kind === 'leave') return { original: null, errors: null, processed: null };
  if (verdict.kind === 'reject') return { original: keys.failed, errors: keys.errors, processed: null };
  const loaded = verdict.status !== 'FAILED';
  return {
    original: loaded ? keys.archive : keys.failed,
    errors: counts.rejected > 0 ? keys.errors : null,
    processed: loaded ? keys.processed : null,
  };
}

type ConcludePorts = Pick<ProcessorPorts, 'objects' | 'ledger' | 'alerts' | 'log' | 'metrics' | 'now' | 'stage' | 'contract'>;

export async function conclude(attempt: Attempt, verdict: Verdict, tally: Tally, ports: ConcludePorts): Promise<FileOutcome> {
  const { ref } = attempt;
  const { status } = verdict;
  const loaded = verdict.kind === 'write' && status !== 'FAILED';
  // Nothing of a file that is not loaded is written: each of its data rows counts as rejected.
  const counts = loaded ? tally.counts : { ...tally.counts, rejected: tally.counts.rows };
  if (counts.rows !== tally.written + counts.rejected) {
    throw new ConservationError(`rows ${counts.rows} ≠ written ${tally.written} + rejected ${counts.rejected}`);
  }
  const to = destinationsOf(verdict, attempt.keys, counts);
  if (to.original) await ports.objects.copy(ref, to.original);

  const reason = summarizeReason(verdict.reason);
  const firstErrors = summarizeErrors(tally.firstErrors);
  const uri = (key: string | null) => (key ? s3Uri(ref.bucket, key) : null);
  const duplicateOf = verdict.kind === 'reject' ? verdict.duplicateOf : null;
  const outcome: FileOutcome = {
    status,
    bucket: ref.bucket,
    key: ref.key,
    versionId: ref.versionId,
    ingestionId: attempt.ingestionId,
    rows: counts.rows,
    written: tally.written,
    rejected: counts.rejected,
    blank: counts.blank,
    reason,
    firstErrors,
    errorsReport: uri(to.errors),
    original: uri(to.original),
    processed: uri(to.processed),
    duplicateOf,
  };
  // Alert before the ledger turns final: if recording the outcome fails, the retry alerts again
  // (a repeated alert is better than a lost one).
  const alertError = needsAlert(status) ? await sendAlert(outcome, ports) : null;

  const finished = ports.now();
  const durationMs = finished.getTime() - attempt.startedAt.getTime();
  await ports.ledger.finish(attempt.pk, attempt.attemptId, {
    status,
    finished_at: finished.toISOString(),
    duration_ms: durationMs,
    fingerprint: tally.fingerprint,
    rows: counts.rows,
    written: tally.written,
    rejected: counts.rejected,
    blank: counts.blank,
    reason,
    duplicate_of: duplicateOf,
    processed_key: to.processed,
    archive_key: loaded ? to.original : null,
    failed_key: loaded ? null : to.original,
    errors_key: to.errors,
    first_errors: firstErrors,
    parts_done: tally.partsDone ?? 1,
    ...(alertError ? { alert_error: alertError } : {}),
  });
  // Counted now that the outcome is final, exactly once: if removing the original fails below,
  // the retry finds the file final and only removes it (the handler publishes metrics either way).
  recordFileMetrics(ports.metrics, {
    status,
    rows: counts.rows,
    written: tally.written,
    rejected: counts.rejected,
    // A rejected file may not have been read to the end; the object's size is what arrived.
    bytes: Math.max(tally.bytes, ref.size),
    durationMs,
  });
  ports.log.info('File handled', {
    status,
    rows: counts.rows,
    written: tally.written,
    rejected: counts.rejected,
    blank: counts.blank,
    reason,
    duration_ms: durationMs,
    destination: to.original,
    errors_report: to.errors,
    processed: to.processed,
  });
  if (to.original) await ports.objects.removeFromLanding(ref);
  return outcome;
}

/** Concludes a file none of whose rows is read again; one rejected as a whole first gets a one-line errors report. */
export async function concludeWithoutRows(attempt: Attempt, verdict: Verdict, tally: Tally, ports: ConcludePorts): Promise<FileOutcome> {
  if (verdict.kind !== 'reject') return conclude(attempt, verdict, tally, ports);
  const error = { line: verdict.line, order_id: null, column: null, reason: verdict.reason };
  await writeRejectionReport(error, ports.objects.upload(attempt.ref.bucket, attempt.keys.errors));
  return conclude(attempt, verdict, { ...tally, firstErrors: [error] }, ports);
}

/**
 * Publishes the alert; returns why it failed, or null. A publish that still fails after the SDK's
 * retries does not fail the file: its data outcome is final and correct, while retrying the
 * record would read and write the whole file again to resend one e-mail, and after the maximum
 * receives leave the outcome unrecorded in the DLQ. The failure is logged with the whole alert
 * text, counted in AlertsFailed (which has an alarm), and recorded on the ledger item.
 */
export async function sendAlert(outcome: FileOutcome, ports: Pick<ConcludePorts, 'alerts' | 'log' | 'metrics' | 'stage' | 'contract'>): Promise<string | null> {
  const alert = renderAlert(outcome, ports.stage, ports.contract?.schema?.identity);
  try {
    await ports.alerts.publish(alert);
    return null;
  } catch (error) {
    const why = describeError(error);
    ports.log.error('Alert could not be sent; the outcome is recorded without it', {
      error: why,
      alert_subject: alert.subject,
      alert_body: alert.body,
    });
    recordAlertFailed(ports.metrics);
    return why;
  }
}
