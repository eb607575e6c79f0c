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
import { ConservationError } from './errors.ts';
import type { FileCounts } from '../contract/types.ts';
import type { FileOutcome } from './outcome.ts';
import type { OrderSink, ProcessorPorts } from './ports.ts';
import { scan, type TooLargeForOnePass } from './scan.ts';
import { writeRows, writeTargets } from './write.ts';

/** How far a whole read got, for the router: what to give back if a step throws, what to count if the guard stops it. */
export class WholeRun {
  /** The content fingerprint this attempt holds. */
  claimedContent: string | null = null;
  /** Pass 1's counts, once known. */
  counts: FileCounts | null = null;
  /** Pass 2's order writer, once open (its `written` is what the table confirmed). */
  orders: OrderSink | null = null;
  constructor(readonly signal?: AbortSignal) {}
}

/**
 * Reads the file whole and concludes it. With `stopAtBytes` (the router's threshold for a file that
 * may inflate), pass 1 stops once the decompressed data reaches it, and nothing is concluded.
 */
export async function processWhole(attempt: Attempt, ports: ProcessorPorts, run: WholeRun): Promise<FileOutcome>;
export async function processWhole(attempt: Attempt, ports: ProcessorPorts, run: WholeRun, stopAtBytes: number): Promise<FileOutcome | TooLargeForOnePass>;
export async function processWhole(attempt: Attempt, ports: ProcessorPorts, run: WholeRun, stopAtBytes?: number): Promise<FileOutcome | TooLargeForOnePass> {
  const { signal } = run;
  const first = await ports.objects.open(attempt.ref);
  if (!first) return conclude(attempt, OBJECT_GONE, nothingRead(), ports);
  const scanned = await scan(first, attempt.contract, ports.readOrders, { ...(stopAtBytes === undefined ? {} : { stopAtBytes }), ...(signal ? { signal } : {}) });
  if ('tooLarge' in scanned) return scanned;
  const decision = await decide(attempt, scanned, ports);
  run.claimedContent = decision.claimedContent;
  run.counts = scanned.counts;
  const { verdict } = decision;
  const orders = scanned.rejectedOrders && scanned.orders !== undefined ? { orders: { inFile: scanned.orders, rejected: scanned.rejectedOrders.size } } : {};
  const tally: FileFigures = { counts: scanned.counts, written: 0, firstErrors: scanned.firstErrors, bytes: scanned.bytes, fingerprint: scanned.fingerprint, ...orders };
  if (verdict.kind !== 'write') return concludeWithoutRows(attempt, verdict, tally, ports);

  const second = await ports.objects.open(attempt.ref);
  if (!second) {
    if (decision.claimedContent) await ports.ledger.releaseContent(decision.claimedContent, attempt.pk);
    run.claimedContent = null;
    return conclude(attempt, OBJECT_GONE_BEFORE_WRITES, nothingRead(), ports);
  }
  const targets = writeTargets(attempt.ref.bucket, { cleaned: attempt.keys.processed, errors: attempt.keys.errors }, scanned.counts, ports);
  run.orders = targets.orders;
  const contract = scanned.rejectedOrders ? { ...attempt.contract, rejectedOrders: scanned.rejectedOrders } : attempt.contract;
  const written = await writeRows(second, contract, scanned.counts, targets, ports.readOrders, signal ? { signal } : {});
  if (written.orderIds && tally.orders && written.orderIds.size + tally.orders.rejected !== tally.orders.inFile) {
    throw new ConservationError(`${tally.orders.inFile} orders in pass 1 but ${written.orderIds.size} written and ${tally.orders.rejected} rejected in pass 2`);
  }
  if (written.orderIds) {
    // Re-import is exact: each order written holds only this file's lines (before the outcome is final, so a retry does it again).
    const pruned = await ports.orderLines.pruneStale(written.orderIds, { processed_at: attempt.contract.processedAt, ingestion_id: attempt.ingestionId });
    ports.log.info('Removed the order lines this file no longer has', { ...pruned });
  }
  const ordersWritten = written.orderIds ? { ordersWritten: written.orderIds.size } : {};
  return conclude(attempt, verdict, { ...tally, written: written.written, firstErrors: written.firstErrors, ...ordersWritten }, ports);
}
