/**
 * Powertools Logger and Metrics: structured JSON logs, and metrics as EMF lines in the logs
 * (charted and alarmed on as docs/architecture.md, "Monitoring", describes). Created on first use,
 * not at import, so a local poller can set process.env (POWERTOOLS_*, log level) first.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC, METRICS_NAMESPACE, SERVICE_NAME } from './resource-names.ts';
import type { FinalStatus } from './ledger-item.ts';

export interface Observability {
  logger: Logger;
  metrics: Metrics;
}

/** What the processing steps log through (a Powertools Logger, or a plain object in unit tests). */
export type Log = Pick<Logger, 'info' | 'warn' | 'error' | 'appendKeys'>;

/** What the processing steps count through (Powertools Metrics: buffered, published per invocation). */
export type MetricsSink = Pick<Metrics, 'addMetric'>;

let instance: Observability | undefined;

export function observability(): Observability {
  instance ??= {
    logger: new Logger({ serviceName: SERVICE_NAME }),
    metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME }),
  };
  return instance;
}

/** Drops the singletons (tests that change POWERTOOLS_* between cases). */
export function resetObservability(): void {
  instance = undefined;
}

const FILE_METRIC: Record<FinalStatus, string> = {
  PROCESSED: METRIC.filesProcessed,
  PARTIAL: METRIC.filesPartial,
  FAILED: METRIC.filesFailed,
  DUPLICATE: METRIC.filesDuplicate,
};

export interface FileMetrics {
  status: FinalStatus;
  rows: number;
  written: number;
  /** Orders written (an order of several lines counts once). */
  orders: number;
  /** Orders rejected (with order lines, an order with a rejected line is rejected whole). */
  ordersRejected: number;
  rejected: number;
  bytes: number;
  durationMs: number;
}

/** Buffers one file's metrics; the handler publishes them once per invocation. */
export function recordFileMetrics(metrics: MetricsSink, m: FileMetrics): void {
  metrics.addMetric(FILE_METRIC[m.status], MetricUnit.Count, 1);
  metrics.addMetric(METRIC.rowsReceived, MetricUnit.Count, m.rows);
  metrics.addMetric(METRIC.rowsWritten, MetricUnit.Count, m.written);
  metrics.addMetric(METRIC.ordersWritten, MetricUnit.Count, m.orders);
  metrics.addMetric(METRIC.rowsRejected, MetricUnit.Count, m.rejected);
  metrics.addMetric(METRIC.ordersRejected, MetricUnit.Count, m.ordersRejected);
  metrics.addMetric(METRIC.bytesProcessed, MetricUnit.Bytes, m.bytes);
  metrics.addMetric(METRIC.fileProcessingTime, MetricUnit.Milliseconds, m.durationMs);
}

/** Rows a part wrote after its file had failed, added to the file's count (parts/fail-file.ts): its file is not counted again. */
export function recordLateRows(metrics: MetricsSink, rows: number): void {
  metrics.addMetric(METRIC.rowsWritten, MetricUnit.Count, rows);
  metrics.addMetric(METRIC.ordersWritten, MetricUnit.Count, rows);
}

/** An alert could not be sent after the SDK's retries (the alarm on AlertsFailed watches this). */
export function recordAlertFailed(metrics: MetricsSink): void {
  metrics.addMetric(METRIC.alertsFailed, MetricUnit.Count, 1);
}
