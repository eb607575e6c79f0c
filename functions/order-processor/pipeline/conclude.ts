/**
 * Step 5, conclude: route the original, alert, record the final outcome in the ledger, count the
 * file in the metrics, and remove the original from raw-data/. Runs once per file, on plain
 * results: the verdict and the tally of what was read and written.
 */
import type { FileCounts, RowError } from '../contract/types.ts';
import { s3Uri, type DestinationKeys } from '../naming.ts';
import { recordAlertFailed } from '../observability.ts';
import { needsAlert, renderAlert, summarizeErrors, summarizeReason } from '../reports/alerts.ts';
import type { Attempt } from './claim.ts';
import type { Verdict } from './decide.ts';
import { ConservationError, describeError } from './errors.ts';
import { loadedSoFar, type FileOutcome } from './outcome.ts';
import type { ProcessorPorts } from './ports.ts';
import { recordOutcome, type Destinations } from './record-outcome.ts';
import { emptyCounts } from '../contract/tally.ts';
import { writeRejectionReport } from './write.ts';

/** What was read and written for the file. */
export interface FileFigures {
  counts: FileCounts;
  /** Rows the orders table confirmed. */
  written: number;
  firstErrors: RowError[];
  bytes: number;
  fingerprint: string | null;
  /** Parts written (a file in parts); a file read whole is its one part, done. */
  partsDone?: number;
  /** Orders written, when a file's orders may have several lines (else one per row written). */
  ordersWritten?: number;
  /** With order lines: the file's orders, and those rejected whole (a line of theirs was rejected; contract/whole-orders.ts). */
  orders?: { inFile: number; rejected: number };
}

/** The tally of a file decided without reading it. */
export const nothingRead = (): FileFigures => ({ counts: emptyCounts(), written: 0, firstErrors: [], bytes: 0, fingerprint: null });

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

export async function conclude(attempt: Attempt, verdict: Verdict, tally: FileFigures, ports: ConcludePorts): Promise<FileOutcome> {
  const { ref } = attempt;
  let { status } = verdict;
  let why = verdict.reason;
  const loaded = verdict.kind === 'write' && status !== 'FAILED';
  // A file rejected as a whole counts no rows, as `validate` reports it (docs/csv-format.md,
  // "Outcomes"); nothing of any other file that is not loaded is written: each of its data rows
  // counts as rejected.
  const wholeRejection = verdict.kind === 'reject' && verdict.status === 'FAILED';
  const counts = wholeRejection ? emptyCounts() : loaded ? tally.counts : { ...tally.counts, rejected: tally.counts.rows };
  if (counts.rows !== tally.written + counts.rejected) {
    throw new ConservationError(`rows ${counts.rows} ≠ written ${tally.written} + rejected ${counts.rejected}`);
  }
  const to = destinationsOf(verdict, attempt.keys, counts);
  if (to.original && !(await ports.objects.copy(ref, to.original))) {
    // The version was deleted while it was processed: nothing to route. After its rows were
    // written they stay loaded and counted, the outputs stand, and the file is FAILED so that
    // someone looks (it cannot be archived).
    to.original = null;
    if (loaded) {
      status = 'FAILED';
      why = `${GONE_AFTER_WRITES}; ${loadedSoFar(tally.written, 0, attempt.ingestionId)}${why ? `; ${why}` : ''}`;
    }
  }

  const reason = summarizeReason(why);
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
    ordersWritten: tally.ordersWritten ?? tally.written,
    ordersRejected: ordersRejected(tally, counts, wholeRejection ? 'none' : loaded ? 'loaded' : 'not-loaded'),
    rejected: counts.rejected,
    unloaded: 0,
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
  // If removing the original fails below, the retry finds the file final and only removes it.
  const durationMs = await recordOutcome(
    {
      outcome,
      to,
      pk: attempt.pk,
      attemptId: attempt.attemptId,
      startedAt: attempt.startedAt,
      fingerprint: tally.fingerprint,
      partsDone: tally.partsDone ?? 1,
      // A rejected file may not have been read to the end; the object's size is what arrived.
      bytes: Math.max(tally.bytes, ref.size),
      alertError,
    },
    ports,
  );
  ports.log.info('File handled', {
    status,
    rows: counts.rows,
    written: tally.written,
    orders_written: outcome.ordersWritten,
    orders_rejected: outcome.ordersRejected,
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

/**
 * Orders rejected, as rows are: with order lines, the orders rejected whole when the file is loaded,
 * every order of a file that is not (each of its rows counts as rejected), none of a file rejected
 * as a whole (it counts no rows); without order lines, one per rejected row.
 */
function ordersRejected(tally: FileFigures, counts: FileCounts, loading: 'loaded' | 'not-loaded' | 'none'): number {
  if (!tally.orders) return counts.rejected;
  return loading === 'none' ? 0 : loading === 'loaded' ? tally.orders.rejected : tally.orders.inFile;
}

const GONE_AFTER_WRITES = 'the object version was deleted while it was being processed, after its rows were written: the original could not be archived';

/** Concludes a file none of whose rows is read again; one rejected as a whole first gets a one-line errors report. */
export async function concludeWithoutRows(attempt: Attempt, verdict: Verdict, tally: FileFigures, ports: ConcludePorts): Promise<FileOutcome> {
  if (verdict.kind !== 'reject') return conclude(attempt, verdict, tally, ports);
  const error = { line: verdict.line, order_id: null, column: null, reason: verdict.reason };
  await writeRejectionReport(error, ports.objects.upload(attempt.ref.bucket, attempt.keys.errors));
  return conclude(attempt, verdict, { ...tally, firstErrors: [error] }, ports);
}

/** What a file that stopped unfinished read and loaded (rows = written + rejected + unloaded). */
export interface UnfinishedCounts {
  rows: number;
  written: number;
  rejected: number;
  unloaded: number;
  blank: number;
}

/** The counts of a file stopped after pass 1 read `counts` (null: before) and the table confirmed `written` rows. */
export function unfinishedCounts(counts: FileCounts | null, written: number): UnfinishedCounts {
  const read = counts ?? emptyCounts();
  return { rows: read.rows, written, rejected: read.rejected, unloaded: Math.max(0, read.valid - written), blank: read.blank };
}

/**
 * Ends a file that could not finish FAILED, nothing routed (the original stays in raw-data/ for a
 * new upload): `what` happened, then how many rows are loaded. Only the attempt (or plan) holding
 * the claim records it (else LedgerConflictError); the alert follows the recorded outcome, since
 * this delivery is the last. Used by a whole file stopped by its last-receive guard and by a file
 * whose part failed for good (parts/fail-file.ts).
 */
export async function concludeUnfinished(
  attempt: Pick<Attempt, 'ref' | 'ingestionId' | 'pk' | 'attemptId' | 'startedAt'>,
  counts: UnfinishedCounts,
  what: string,
  ports: Omit<ConcludePorts, 'objects'>,
  partsDone = 0,
  /** `written` is a lower bound (rows an earlier, killed attempt noted: pipeline/rows-loaded.ts). */
  atLeast = false,
): Promise<FileOutcome> {
  const { ref } = attempt;
  const reason = summarizeReason(`${what}; ${loadedSoFar(counts.written, counts.unloaded, attempt.ingestionId, atLeast)}`);
  const outcome: FileOutcome = {
    status: 'FAILED',
    bucket: ref.bucket,
    key: ref.key,
    versionId: ref.versionId,
    ingestionId: attempt.ingestionId,
    ...counts,
    reason,
    firstErrors: [],
    errorsReport: null,
    original: null,
    processed: null,
    duplicateOf: null,
  };
  const nowhere = { original: null, errors: null, processed: null };
  const { pk, attemptId, startedAt } = attempt;
  await recordOutcome({ outcome, to: nowhere, pk, attemptId, startedAt, fingerprint: null, partsDone, bytes: ref.size, alertError: null }, ports);
  await sendAlert(outcome, ports);
  ports.log.error('File FAILED: it could not finish', { reason, ...counts });
  return outcome;
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
