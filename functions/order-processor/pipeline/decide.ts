/**
 * Step 3, decide: the whole-file verdict, before anything is written. From the event alone (the
 * file name), then from pass 1's plain results — both judged by the contract's one verdict
 * (contract/verdict.ts), as `validate` judges them — then the content claim that tells a duplicate.
 */
import { fileVerdict, verdictOnName, type FileRead, type FileVerdict } from '../contract/verdict.ts';
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

/** The contract's verdict (contract/verdict.ts) as a step of the processor: a file rejected as a whole writes no row. */
export function verdictFor(verdict: FileVerdict): Verdict {
  if (verdict.kind === 'rejected') return { kind: 'reject', status: 'FAILED', reason: verdict.reason, line: verdict.line, duplicateOf: null };
  return { kind: 'write', status: verdict.status, reason: verdict.reason };
}

/** The event named a version that no longer exists (deleted or overwritten before we read it). */
export const OBJECT_GONE: Verdict = {
  kind: 'leave',
  status: 'FAILED',
  reason: 'the object version named in the event no longer exists (deleted or overwritten before it was processed)',
};

/** The version disappeared between pass 1 and pass 2: nothing of it was written. */
export const OBJECT_GONE_BEFORE_WRITES: Verdict = {
  kind: 'leave',
  status: 'FAILED',
  reason: 'the object version was deleted while it was being processed, after it was read and before any row was written: nothing was loaded',
};

/**
 * What the event alone decides, before a byte is read; null when the file is to be read. No size
 * is refused here: the caps (MAX_FILE_MB) judge the bytes, a large file is processed in parts,
 * and an original over 5 GiB is copied in parts.
 */
export function decideUpFront(ref: Pick<ObjectRef, 'key'>): Verdict | null {
  const byName = verdictOnName(ref.key);
  return byName ? verdictFor(byName) : null;
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
  scanned: FileRead & Pick<ScanResult, 'fingerprint'>,
  ports: Pick<ProcessorPorts, 'ledger' | 'now'>,
): Promise<Decision> {
  const verdict = verdictFor(fileVerdict(scanned));
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
