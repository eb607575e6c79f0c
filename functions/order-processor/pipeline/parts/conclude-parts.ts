/**
 * CONCLUDE, once every part is written: the staged slices joined in part order into one cleaned
 * CSV and one errors report (each with its header line once), then the same conclusion as a
 * whole file (conclude.ts: the original routed byte-identical, one alert, one ledger outcome,
 * metrics once, the original removed from raw-data/), then the staging objects deleted.
 */
import type { ObjectStore } from '../ports.ts';
import { MAX_ALERT_ERRORS } from '../../reports/alerts.ts';
import { cleanedColumnsFor, cleanedHeaderLine, errorReportHeaderLine } from '../../reports/csv-output.ts';
import type { Attempt } from '../claim.ts';
import { conclude, concludeWithoutRows, type FileFigures } from '../conclude.ts';
import type { Verdict } from '../decide.ts';
import { ConservationError, describeError } from '../errors.ts';
import type { FileOutcome } from '../outcome.ts';
import type { ProcessorPorts } from '../ports.ts';
import { addCounts, sameCounts } from '../../contract/tally.ts';
import { mapBounded, partIndices, readStaged, STAGING_CONCURRENCY, stagingKeys, type PartWrite, type StoredDecision } from './staging.ts';

type ConcludePorts = Pick<ProcessorPorts, 'objects' | 'ledger' | 'alerts' | 'log' | 'metrics' | 'now' | 'stage' | 'contract'>;


/** Concludes a file in parts whose every part is written. */
export async function concludeParts(attempt: Attempt, parts: number, ports: ConcludePorts): Promise<FileOutcome> {
  const { bucket } = attempt.ref;
  const keys = stagingKeys(attempt.ingestionId);
  const decision = await readStaged<StoredDecision>(ports.objects, bucket, keys.decision);
  const writes = await mapBounded(partIndices(parts), STAGING_CONCURRENCY, (k) => readStaged<PartWrite>(ports.objects, bucket, keys.written(k)));
  const counts = addCounts(writes.map((w) => w.counts));
  if (!sameCounts(counts, decision.totals)) {
    throw new ConservationError(`the parts wrote ${JSON.stringify(counts)} but were decided to hold ${JSON.stringify(decision.totals)}`);
  }
  const written = writes.reduce((sum, w) => sum + w.written, 0);
  if (decision.verdict.status !== 'FAILED' && counts.valid > 0) {
    await ports.objects.join(bucket, attempt.keys.processed, cleanedHeaderLine(decision.cleanedColumns ?? cleanedColumnsFor(attempt.contract.schema)), slices(writes, keys.cleaned, 'cleanedBytes'));
  }
  if (counts.rejected > 0) {
    await ports.objects.join(bucket, attempt.keys.errors, errorReportHeaderLine(), slices(writes, keys.errors, 'errorsBytes'));
  }
  const firstErrors = writes.flatMap((w) => w.firstErrors).slice(0, MAX_ALERT_ERRORS);
  const orders = decision.ordersWritten === undefined ? {} : { ordersWritten: decision.ordersWritten };
  const tally: FileFigures = { counts, written, firstErrors, bytes: attempt.ref.size, fingerprint: decision.fingerprint, partsDone: parts, ...orders };
  const outcome = await conclude(attempt, decision.verdict, tally, ports);
  await removeStaging(attempt, ports);
  return outcome;
}

function slices(writes: readonly PartWrite[], keyOf: (part: number) => string, size: 'cleanedBytes' | 'errorsBytes') {
  return writes.filter((w) => w[size] > 0).map((w) => ({ key: keyOf(w.part), size: w[size] }));
}

/** Concludes a file DECIDE settled without writing a row (rejected as a whole, or a duplicate). */
export async function concludeUnwritten(attempt: Attempt, verdict: Verdict, tally: FileFigures, ports: ConcludePorts): Promise<FileOutcome> {
  const outcome = await concludeWithoutRows(attempt, verdict, { ...tally, partsDone: 0 }, ports);
  await removeStaging(attempt, ports);
  return outcome;
}

/** Deletes the file's staging objects; best effort (lifecycle expires whatever is left). */
export async function removeStaging(attempt: Pick<Attempt, 'ref' | 'ingestionId'>, ports: { objects: ObjectStore; log: ProcessorPorts['log'] }): Promise<void> {
  try {
    await ports.objects.removeAll(attempt.ref.bucket, stagingKeys(attempt.ingestionId).prefix);
  } catch (error) {
    ports.log.warn('Could not delete the staging objects; the bucket lifecycle expires them', { error: describeError(error) });
  }
}
