/**
 * Handling of one S3 object, end to end (docs/architecture.md, "The processor"): the claim, then
 * the one routing decision — read whole (whole-file.ts) or in parts (parts/) — then the outcome.
 * The two paths meet only here. Bad data never throws; infrastructure faults throw (after
 * releasing the claim) so SQS retries.
 */
import type { ObjectRef } from '../event.ts';
import { claim, type Attempt } from './claim.ts';
import { concludeUnfinished, concludeWithoutRows, nothingRead } from './conclude.ts';
import { DeadlineError, deadlineGuard } from './deadline.ts';
import { decideUpFront } from './decide.ts';
import { describeError } from './errors.ts';
import type { FileOutcome, FileResult } from './outcome.ts';
import { resumeFromIngest } from './parts/handle-part.ts';
import { planFile } from './parts/plan-file.ts';
import type { LastReceive, ProcessorPorts } from './ports.ts';
import { processWhole, unfinishedWhole, WholeRun } from './whole-file.ts';

/** The delivery of the file's message: its receive count, and on the last receive when to give up. */
export interface Delivery extends LastReceive {
  receiveCount?: number;
}

export async function processFile(eventRef: ObjectRef, ports: ProcessorPorts, delivery: Delivery = {}): Promise<FileResult> {
  const ref = await ports.objects.resolveKey(eventRef);
  if (ref.key !== eventRef.key) {
    ports.log.appendKeys({ s3_key: ref.key });
    ports.log.info('The event carried the key URL-encoded; using the decoded key', { event_key: eventRef.key });
  }
  const claimed = await claim(ref, ports);
  if (claimed.kind === 'skipped') return claimed;
  if (claimed.kind === 'in-parts') return resumeFromIngest(claimed.item, ports);
  const { attempt } = claimed;
  const result = await route(attempt, ports, delivery);
  return 'parts' in result ? { kind: 'planned', parts: result.parts } : { kind: 'done', outcome: result, keys: attempt.keys };
}

/**
 * Where a file goes, decided here only: in parts when its object is FANOUT_THRESHOLD_MB or more
 * (a file of order lines too: it is cut between orders, docs/architecture.md "Large files in parts"),
 * or when it inflates past that while pass 1 reads it (a small .csv.gz: nothing is written during
 * pass 1, so switching there is free); whole otherwise, and whole when planning hands it back
 * (one part only, or a gzip file that does not decompress within the caps). On any fault the
 * claim (and a content claim) is released and the fault rethrown.
 */
async function route(attempt: Attempt, ports: ProcessorPorts, delivery: Delivery): Promise<FileOutcome | { parts: number }> {
  // On the last receive (the ingest and parts queues share PARTS_MAX_RECEIVES), a whole read still
  // running near the function's timeout stops and ends its file FAILED itself, as a part does.
  const stop = new AbortController();
  const run = new WholeRun(stop.signal);
  const last = (delivery.receiveCount ?? 0) >= ports.parts.maxReceives;
  const guard = last && delivery.deadlineMs !== undefined ? deadlineGuard(delivery.deadlineMs, 'the file', async (e) => stop.abort(e)) : undefined;
  const { thresholdBytes } = ports.parts;
  try {
    const upFront = decideUpFront(attempt.ref);
    if (upFront) return await concludeWithoutRows(attempt, upFront, nothingRead(), ports);
    const large = attempt.ref.size >= thresholdBytes;
    if (!large) {
      const read = await processWhole(attempt, ports, run, thresholdBytes);
      if (!('tooLarge' in read)) return read;
      ports.log.info('The file inflates past FANOUT_THRESHOLD_MB: processing it in parts', { decompressed_bytes_at_least: read.bytes });
    }
    // Past the threshold only a gzip file can inflate: planning need not look at its first bytes again.
    const planning = await planFile(attempt, ports, large ? {} : { gzip: true });
    if (planning.kind === 'planned') return { parts: planning.parts };
    if (planning.kind === 'verdict') return await concludeWithoutRows(attempt, planning.verdict, nothingRead(), ports);
    return await processWhole(attempt, ports, run);
  } catch (error) {
    if (error instanceof DeadlineError) {
      if (run.claimedContent) await ports.ledger.releaseContent(run.claimedContent, attempt.pk);
      const why = `${error.message}: raise LAMBDA_TIMEOUT_SECONDS or lower FANOUT_THRESHOLD_MB, then upload the file again`;
      return await concludeUnfinished(attempt, await unfinishedWhole(attempt, run, ports), why, ports);
    }
    await ports.ledger.release(attempt.pk, attempt.attemptId, describeError(error), run.claimedContent);
    throw error;
  } finally {
    await guard?.stop();
  }
}
