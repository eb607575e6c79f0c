/**
 * Step 3, decide: the whole-file verdict, before anything is written. From the event alone (the
 * file name), then from pass 1's plain results (file-level rejection, no data rows, all rows
 * rejected), then the content claim that tells a duplicate.
 */
import { fileNameProblem } from '../contract/file-name.ts';
import type { ObjectRef } from '../event.ts';
import { s3Uri } from '../naming.ts';
import type { Attempt } from './claim.ts';
import type { ProcessorPorts } from './ports.ts';
import type { ScanResult } from './scan.ts';

export type Verdict =
  /** Pass 2 runs: valid rows are loaded (PROCESSED, PARTIAL) or, none being valid, only the errors report is written (FAILED). */
  | { kind: 'write'; status: 'PROCESSED' | 'PARTIAL' | 'FAILED'; reason: string | null }
  /** Nothing of the file is loaded: a one-line errors report names the reason (at `line`); the original goes to failed-data/. */
  | { kind: 'reject'; status: 'FAILED' | 'DUPLICATE'; reason: string; line: number; duplicateOf: string | null }
  /** Nothing is written or moved: the original is gone. */
  | { kind: 'leave'; status: 'FAILED'; reason: string };

const rejectFile = (reason: string, line = 1): Verdict => ({ kind: 'reject', status: 'FAILED', reason, line, duplicateOf: null });

/** The event named a version that no longer exists (deleted or overwritten before we read it). */
export const OBJECT_GONE: Verdict = {
  kind: 'leave',
  status: 'FAILED',
  reason: 'the object version named in the event no longer exists (deleted or overwritten before it was processed)',
};

/**
 * What the event alone decides, before a byte is read; null when the file is to be read. No size
 * is refused here: the caps (MAX_FILE_MB) judge the bytes, a large file is processed in parts,
 * and an original over 5 GiB is copied in parts.
 */
export function decideUpFront(ref: Pick<ObjectRef, 'key'>): Verdict | null {
  const nameProblem = fileNameProblem(ref.key);
  return nameProblem ? rejectFile(nameProblem) : null;
}

/** What pass 1's counts decide (pure). */
export function decideOnScan(scanned: Pick<ScanResult, 'counts' | 'rejection'>): Verdict {
  const { counts, rejection } = scanned;
  if (rejection) return rejectFile(rejection.reason, rejection.line);
  if (counts.rows === 0) return rejectFile('the file has a header but no data rows');
  if (counts.valid === 0) return { kind: 'write', status: 'FAILED', reason: `all ${counts.rows} data rows were rejected` };
  if (counts.rejected > 0) return { kind: 'write', status: 'PARTIAL', reason: `${counts.rejected} of ${counts.rows} data rows were rejected` };
  return { kind: 'write', status: 'PROCESSED', reason: null };
}

export interface Decision {
  verdict: Verdict;
  /** The fingerprint this attempt now holds (given back if the attempt fails before its outcome). */
  claimedContent: string | null;
}

/**
 * The verdict on pass 1's results; a file with rows to load also claims its content, and is a
 * DUPLICATE when another file that can still finish already holds it.
 */
export async function decide(
  attempt: Attempt,
  scanned: Pick<ScanResult, 'counts' | 'rejection' | 'fingerprint'>,
  ports: Pick<ProcessorPorts, 'ledger' | 'now'>,
): Promise<Decision> {
  const verdict = decideOnScan(scanned);
  const fingerprint = scanned.fingerprint;
  if (verdict.kind !== 'write' || scanned.counts.valid === 0 || !fingerprint) return { verdict, claimedContent: null };
  const { ref } = attempt;
  const owner = { pk: attempt.pk, ingestionId: attempt.ingestionId, bucket: ref.bucket, key: ref.key };
  const holder = await ports.ledger.claimContent(fingerprint, owner, ports.now());
  if (!holder) return { verdict, claimedContent: fingerprint };
  const original = await ports.ledger.get(holder);
  const holderUri = original ? s3Uri(original.bucket, original.key) : holder;
  const reason = `same content (sha256 ${fingerprint.slice(0, 12)}…) as ${holderUri}${original ? `, ingestion ${original.ingestion_id}, ${original.status}` : ''}`;
  return { verdict: { kind: 'reject', status: 'DUPLICATE', reason, line: 1, duplicateOf: holder }, claimedContent: null };
}
