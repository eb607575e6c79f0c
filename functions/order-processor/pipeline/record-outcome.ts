/**
 * The one place a file's final outcome is recorded: the ledger item turns final (only for the
 * attempt holding the claim, once) and the file is counted in the metrics, once. Used by the
 * conclusion of every file (conclude.ts) and by a file in parts whose part failed for good
 * (parts/fail-file.ts).
 */
import { recordFileMetrics } from '../observability.ts';
import type { FileOutcome } from './outcome.ts';
import type { ProcessorPorts } from './ports.ts';

/** Where the file's objects went (keys in the data bucket; null: none). */
export interface Destinations {
  original: string | null;
  errors: string | null;
  processed: string | null;
}

export interface OutcomeRecord {
  outcome: FileOutcome;
  to: Destinations;
  /** The ledger's file key, and the attempt (or plan) that holds the claim. */
  pk: string;
  attemptId: string;
  /** When the work on the file started (its duration is measured from here). */
  startedAt: Date;
  fingerprint: string | null;
  /** Parts written: 1 for a file read whole. */
  partsDone: number;
  /** Bytes the metrics count as processed. */
  bytes: number;
  /** Why the alert could not be sent, when it could not. */
  alertError: string | null;
}

/** Records the outcome in the ledger, then the metrics; returns the file's duration in ms. */
export async function recordOutcome(record: OutcomeRecord, ports: Pick<ProcessorPorts, 'ledger' | 'metrics' | 'now'>): Promise<number> {
  const { outcome, to } = record;
  const loaded = outcome.status === 'PROCESSED' || outcome.status === 'PARTIAL';
  const finished = ports.now();
  const durationMs = finished.getTime() - record.startedAt.getTime();
  await ports.ledger.finish(record.pk, record.attemptId, {
    status: outcome.status,
    finished_at: finished.toISOString(),
    duration_ms: durationMs,
    fingerprint: record.fingerprint,
    rows: outcome.rows,
    written: outcome.written,
    orders_written: outcome.ordersWritten ?? outcome.written,
    orders_rejected: outcome.ordersRejected ?? outcome.rejected,
    rejected: outcome.rejected,
    unloaded: outcome.unloaded,
    blank: outcome.blank,
    reason: outcome.reason,
    duplicate_of: outcome.duplicateOf,
    processed_key: to.processed,
    archive_key: loaded ? to.original : null,
    failed_key: loaded ? null : to.original,
    errors_key: to.errors,
    first_errors: outcome.firstErrors,
    parts_done: record.partsDone,
    ...(record.alertError ? { alert_error: record.alertError } : {}),
  });
  // Counted now that the outcome is final, exactly once: a retry finds the file final.
  const { status, rows, written, rejected } = outcome;
  recordFileMetrics(ports.metrics, { status, rows, written, orders: outcome.ordersWritten ?? written, ordersRejected: outcome.ordersRejected ?? rejected, rejected, bytes: record.bytes, durationMs });
  return durationMs;
}
