/**
 * Handling of one S3 object, end to end, as five steps (docs/architecture.md, "Processor"):
 *
 *   claim → scan (pass 1) → decide → write (pass 2) → conclude
 *
 * Two streaming passes over the same object version, so that a whole-file rejection or a
 * duplicate is known before anything is written, and memory never grows with file size. Bad data
 * never throws; infrastructure faults throw (after releasing the claim) so SQS retries.
 */
import type { ObjectRef } from '../event.ts';
import { claim, type Attempt } from './claim.ts';
import { conclude, nothingRead, type Tally } from './conclude.ts';
import { decide, decideUpFront, OBJECT_GONE, type Verdict } from './decide.ts';
import { describeError } from './errors.ts';
import type { FileOutcome, FileResult } from './outcome.ts';
import type { ProcessorPorts } from './ports.ts';
import { scan } from './scan.ts';
import { fileTargets, writeRejectionReport, writeRows } from './write.ts';

export async function processFile(eventRef: ObjectRef, ports: ProcessorPorts): Promise<FileResult> {
  const ref = await ports.objects.resolveKey(eventRef);
  if (ref.key !== eventRef.key) {
    ports.log.appendKeys({ s3_key: ref.key });
    ports.log.info('The event carried the key URL-encoded; using the decoded key', { event_key: eventRef.key });
  }
  const claimed = await claim(ref, ports);
  if (claimed.kind === 'skipped') return claimed;
  const { attempt } = claimed;
  return { kind: 'done', outcome: await runAttempt(attempt, ports), keys: attempt.keys };
}

/** The steps after the claim. On any fault the claim (and a content claim) is released and the fault rethrown. */
async function runAttempt(attempt: Attempt, ports: ProcessorPorts): Promise<FileOutcome> {
  let claimedContent: string | null = null;
  try {
    const upFront = decideUpFront(attempt.ref);
    if (upFront) return await concludeWithoutRows(attempt, upFront, nothingRead(), ports);

    const first = await ports.objects.open(attempt.ref);
    if (!first) return await conclude(attempt, OBJECT_GONE, nothingRead(), ports);
    const scanned = await scan(first, attempt.contract, ports.readOrders);
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
    const targets = fileTargets(attempt, scanned.counts, ports);
    const written = await writeRows(second, attempt.contract, scanned.counts, targets, ports.readOrders);
    return await conclude(attempt, verdict, { ...tally, written: written.written, firstErrors: written.firstErrors }, ports);
  } catch (error) {
    await ports.ledger.release(attempt.pk, attempt.attemptId, describeError(error), claimedContent);
    throw error;
  }
}

/** Concludes a file none of whose rows is read again; one rejected as a whole first gets a one-line errors report. */
async function concludeWithoutRows(attempt: Attempt, verdict: Verdict, tally: Tally, ports: ProcessorPorts): Promise<FileOutcome> {
  if (verdict.kind !== 'reject') return conclude(attempt, verdict, tally, ports);
  const error = { line: verdict.line, order_id: null, column: null, reason: verdict.reason };
  await writeRejectionReport(error, ports.objects.upload(attempt.ref.bucket, attempt.keys.errors));
  return conclude(attempt, verdict, { ...tally, firstErrors: [error] }, ports);
}
