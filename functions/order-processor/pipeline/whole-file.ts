/**
 * A file read whole, after its claim: scan (pass 1) → decide → write (pass 2) → conclude. Two
 * streaming reads of the same object version, so that a whole-file rejection or a duplicate is
 * known before anything is written, and memory never grows with file size. Knows nothing of parts:
 * the router (process-file.ts) hands a file here, or to parts/, and takes it back when a scan
 * finds a small .csv.gz inflating past the threshold.
 */
import type { Attempt } from './claim.ts';
import { conclude, concludeWithoutRows, nothingRead, type FileFigures } from './conclude.ts';
import { decide, OBJECT_GONE, OBJECT_GONE_BEFORE_WRITES } from './decide.ts';
import type { FileOutcome } from './outcome.ts';
import type { ProcessorPorts } from './ports.ts';
import { scan, type TooLargeForOnePass } from './scan.ts';
import { writeRows, writeTargets } from './write.ts';

/** Receives the content fingerprint this attempt holds, so the router can give it back if a later step throws. */
export type HoldContent = (content: string | null) => void;

/**
 * Reads the file whole and concludes it. With `stopAtBytes` (the router's threshold for a file that
 * may inflate), pass 1 stops once the decompressed data reaches it, and nothing is concluded.
 */
export async function processWhole(attempt: Attempt, ports: ProcessorPorts, held: HoldContent): Promise<FileOutcome>;
export async function processWhole(attempt: Attempt, ports: ProcessorPorts, held: HoldContent, stopAtBytes: number): Promise<FileOutcome | TooLargeForOnePass>;
export async function processWhole(attempt: Attempt, ports: ProcessorPorts, held: HoldContent, stopAtBytes?: number): Promise<FileOutcome | TooLargeForOnePass> {
  const first = await ports.objects.open(attempt.ref);
  if (!first) return conclude(attempt, OBJECT_GONE, nothingRead(), ports);
  const scanned = await scan(first, attempt.contract, ports.readOrders, stopAtBytes === undefined ? {} : { stopAtBytes });
  if ('tooLarge' in scanned) return scanned;
  const decision = await decide(attempt, scanned, ports);
  held(decision.claimedContent);
  const { verdict } = decision;
  const tally: FileFigures = { counts: scanned.counts, written: 0, firstErrors: scanned.firstErrors, bytes: scanned.bytes, fingerprint: scanned.fingerprint };
  if (verdict.kind !== 'write') return concludeWithoutRows(attempt, verdict, tally, ports);

  const second = await ports.objects.open(attempt.ref);
  if (!second) {
    if (decision.claimedContent) await ports.ledger.releaseContent(decision.claimedContent, attempt.pk);
    held(null);
    return conclude(attempt, OBJECT_GONE_BEFORE_WRITES, nothingRead(), ports);
  }
  const targets = writeTargets(attempt.ref.bucket, { cleaned: attempt.keys.processed, errors: attempt.keys.errors }, scanned.counts, ports);
  const written = await writeRows(second, attempt.contract, scanned.counts, targets, ports.readOrders);
  return conclude(attempt, verdict, { ...tally, written: written.written, firstErrors: written.firstErrors }, ports);
}
