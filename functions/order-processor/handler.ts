/**
 * order-processor Lambda: an SQS batch of EventBridge "Object Created" events, one file each (the
 * ingest queue), or of part messages of large files (the parts queue); partial batch failures via
 * Powertools. Thin by design: the wiring is runtime.ts, the work pipeline/process-file.ts (a file)
 * and pipeline/parts/handle-part.ts (a part).
 *
 * Environment (settings.ts ENV): ORDERS_TABLE, INGESTIONS_TABLE, ALERTS_TOPIC_ARN (required);
 * DATA_BUCKET, WRITE_CONCURRENCY (default 4), WRITE_RETRY_DEADLINE_MS (default 60000), STAGE,
 * MAX_FILE_MB and MAX_FILE_LINES (the file caps `validate` applies too), PARTS_QUEUE_URL,
 * FANOUT_THRESHOLD_MB, FANOUT_CHUNK_MB and PARTS_MAX_RECEIVES (large files in parts) (optional);
 * AWS_ENDPOINT_URL (emulator; also switches S3 to path-style); POWERTOOLS_* settings.
 * Nothing is read at import: a local poller may import this module, then set process.env.
 */
import { readOrders } from './contract/reader.ts';
import { clientsFromEnv, configFromEnv, createSqsHandler, type RecordDeps } from './runtime.ts';

let deps: RecordDeps | undefined;

/** Forgets clients and configuration, e.g. when a local poller switches environments. */
export function resetHandlerState(): void {
  deps = undefined;
}

export const handler = createSqsHandler(() => {
  deps ??= { ...clientsFromEnv(), config: configFromEnv(), readOrders };
  return deps;
});
