/**
 * A file read whole, after its claim: scan (pass 1) → decide → write (pass 2) → conclude. Two
 * streaming reads of the same object version, so that a whole-file rejection or a duplicate is
 * known before anything is written, and memory never grows with file size. Knows nothing of parts:
 * the router (process-file.ts) hands a file here, or to parts/, and takes it back when a scan
 * finds a small .csv.gz inflating past the threshold.
 */
import type { Attempt } from './claim.ts';
import { conclude, concludeUnfinished, concludeWithoutRows, nothingRead, unfinishedCounts, type FileFigures, type UnfinishedCounts } from './conclude.ts';
import { decide, OBJECT_GONE, OBJECT_GONE_BEFORE_WRITES, type Verdict } from './decide.ts';
import { ConservationError } from './errors.ts';
import type { FileCounts } from '../contract/types.ts';
import type { FileOutcome } from './outcome.ts';
import type { OrderSink, ProcessorPorts } from './ports.ts';
import { noteLoadedRows, rowsLoadedBefore } from './rows-loaded.ts';
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
  if (!first) return concludeGone(attempt, OBJECT_GONE, ports);
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
    return concludeGone(attempt, OBJECT_GONE_BEFORE_WRITES, ports);
  }
  // The ledger notes the rows the table confirms (never awaited): a retry that cannot read the file again still counts them.
  const notes = noteLoadedRows(ports.ledger, attempt.pk, scanned.counts, (error) => ports.log.warn('Could not note the rows loaded so far on the ledger; the notes stop, the file goes on', { error: String(error) }));
  const targets = writeTargets(attempt.ref.bucket, { cleaned: attempt.keys.processed, errors: attempt.keys.errors }, scanned.counts, ports, notes);
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

/** An earlier attempt loaded rows, then stopped; this one can no longer read the version. */
export const GONE_AFTER_EARLIER_WRITES =
  'the object version was deleted while it was being processed: an earlier attempt stopped after loading rows into the orders table, and this one could not read the file again';

/**
 * The version is gone before this attempt could read it (again). Rows an earlier attempt loaded
 * are in the table under this ingestion id: the file ends FAILED with the rows its notes counted
 * (a lower bound, said so; pass 1's counts from the ledger, rows = written + rejected + unloaded)
 * instead of denying them; with none noted, the verdict as it stands.
 */
async function concludeGone(attempt: Attempt, verdict: Verdict, ports: ProcessorPorts): Promise<FileOutcome> {
  const item = await ports.ledger.get(attempt.pk);
  const loaded = rowsLoadedBefore(item);
  if (loaded === 0 || !item?.planned) return conclude(attempt, verdict, nothingRead(), ports);
  return concludeUnfinished(attempt, unfinishedCounts(item.planned, loaded), GONE_AFTER_EARLIER_WRITES, ports, 0, true);
}

/**
 * What a whole read stopped by its last-receive guard has loaded: the rows this attempt's writer
 * confirmed, or more if an earlier attempt's note counts more (pipeline/rows-loaded.ts); pass 1's counts from this
 * attempt, or from the ledger when the guard stopped it before its pass 1 ended.
 */
export async function unfinishedWhole(attempt: Attempt, run: WholeRun, ports: Pick<ProcessorPorts, 'ledger'>): Promise<UnfinishedCounts> {
  const item = await ports.ledger.get(attempt.pk);
  const counts = run.counts ?? item?.planned ?? null;
  const written = counts ? Math.max(run.orders?.written ?? 0, rowsLoadedBefore(item)) : 0;
  return unfinishedCounts(counts, written);
}
