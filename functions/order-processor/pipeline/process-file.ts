/**
 * Handling of one S3 object, end to end, as five steps (docs/architecture.md, "Processor"):
 *
 *   claim → scan (pass 1) → decide → write (pass 2) → conclude
 *
 * Two streaming passes over the same object version, so that a whole-file rejection or a
 * duplicate is known before anything is written, and memory never grows with file size. Bad data
 * never throws; infrastructure faults throw (after releasing the claim) so SQS retries.
 *
 * A file of FANOUT_THRESHOLD_MB or more is planned instead (parts/plan-file.ts): the same steps
 * then run part by part in parallel invocations (parts/handle-part.ts), with the same outcome.
 */
import type { ObjectRef } from '../event.ts';
import { claim, type Attempt } from './claim.ts';
import { conclude, concludeWithoutRows, nothingRead, type Tally } from './conclude.ts';
import { decide, decideUpFront, OBJECT_GONE, type Verdict } from './decide.ts';
import { describeError } from './errors.ts';
import type { FileOutcome, FileResult } from './outcome.ts';
import { resumeFromIngest } from './parts/handle-part.ts';
import { planFile } from './parts/plan-file.ts';
import type { ProcessorPorts } from './ports.ts';
import { scan } from './scan.ts';
import { writeRows, writeTargets } from './write.ts';

export async function processFile(eventRef: ObjectRef, ports: ProcessorPorts): Promise<FileResult> {
  const ref = await ports.objects.resolveKey(eventRef);
  if (ref.key !== eventRef.key) {
    ports.log.appendKeys({ s3_key: ref.key });
    ports.log.info('The event carried the key URL-encoded; using the decoded key', { event_key: eventRef.key });
  }
  const claimed = await claim(ref, ports);
  if (claimed.kind === 'skipped') return claimed;
  if (claimed.kind === 'in-parts') return resumeFromIngest(claimed.item, ports);
  const { attempt } = claimed;
  const result = await runAttempt(attempt, ports);
  return 'parts' in result ? { kind: 'planned', parts: result.parts } : { kind: 'done', outcome: result, keys: attempt.keys };
}

/** The steps after the claim. On any fault the claim (and a content claim) is released and the fault rethrown. */
async function runAttempt(attempt: Attempt, ports: ProcessorPorts): Promise<FileOutcome | { parts: number }> {
  let claimedContent: string | null = null;
  try {
    const upFront = decideUpFront(attempt.ref);
    if (upFront) return await concludeWithoutRows(attempt, upFront, nothingRead(), ports);

    const { parts } = ports;
    const inParts = async (): Promise<FileOutcome | { parts: number } | null> => {
      if (!parts) return null;
      const planning = await planFile(attempt, { ...ports, parts });
      if (planning.kind === 'planned') return { parts: planning.parts };
      if (planning.kind === 'verdict') return concludeWithoutRows(attempt, planning.verdict, nothingRead(), ports);
      return null;
    };
    if (parts && attempt.ref.size >= parts.thresholdBytes) {
      const planned = await inParts();
      if (planned) return planned;
    }

    const first = await ports.objects.open(attempt.ref);
    if (!first) return await conclude(attempt, OBJECT_GONE, nothingRead(), ports);
    // A .csv.gz below the threshold may inflate past it: then it is planned after all (only once:
    // planning that backs out to a whole read means the file is read whole to its end).
    const grows = parts && attempt.ref.size < parts.thresholdBytes ? { stopAtBytes: parts.thresholdBytes } : {};
    let scanned = await scan(first, attempt.contract, ports.readOrders, grows);
    if ('tooLarge' in scanned) {
      ports.log.info('The file inflates past FANOUT_THRESHOLD_MB: processing it in parts', { decompressed_bytes_at_least: scanned.bytes });
      const planned = await inParts();
      if (planned) return planned;
      const again = await ports.objects.open(attempt.ref);
      if (!again) return await conclude(attempt, OBJECT_GONE, nothingRead(), ports);
      scanned = await scan(again, attempt.contract, ports.readOrders);
    }
    const decision = await decide(attempt, scanned, ports);
    claimedContent = decision.claimedContent;
    const { verdict } = decision;
    const tally: Tally = { counts: scanned.counts, written: 0, firstErrors: scanned.firstErrors, bytes: scanned.bytes, fingerprint: scanned.fingerprint };
    if (verdict.kind !== 'write') return await concludeWithoutRows(attempt, verdict, tally, ports);

    const second = await ports.objects.open(attempt.ref);
    if (!second) {
      if (claimedContent) await ports.ledger.releaseContent(claimedContent, attempt.pk);
      return await conclude(attempt, OBJECT_GONE, nothingRead(), ports);
    }
    const targets = writeTargets(attempt.ref.bucket, { cleaned: attempt.keys.processed, errors: attempt.keys.errors }, scanned.counts, ports);
    const written = await writeRows(second, attempt.contract, scanned.counts, targets, ports.readOrders);
    return await conclude(attempt, verdict, { ...tally, written: written.written, firstErrors: written.firstErrors }, ports);
  } catch (error) {
    await ports.ledger.release(attempt.pk, attempt.attemptId, describeError(error), claimedContent);
    throw error;
  }
}
