/**
 * order-processor Lambda: an SQS batch of EventBridge "Object Created" events, one file each (the
 * ingest queue), or of part messages of large files (the parts queue); partial batch failures via
 * Powertools. Thin by design: the wiring is runtime.ts, the work pipeline/process-file.ts (a file)
 * and pipeline/parts/handle-part.ts (a part).
 *
 * Environment: resource-names.ts ENV (their defaults in defaults.ts), AWS_ENDPOINT_URL (emulator; also
 * switches S3 to path-style) and the POWERTOOLS_* settings.
 * Nothing is read at import: a local poller may import this module, then set process.env.
 */
import { createSqsHandler, depsFromEnv, type RecordDeps } from './runtime.ts';

let deps: RecordDeps | undefined;

/** Forgets clients and configuration, e.g. when a local poller switches environments. */
export function resetHandlerState(): void {
  deps = undefined;
}

export const handler = createSqsHandler(() => (deps ??= depsFromEnv()));
