/**
 * SCAN one part: the contract over the part's bytes (with the file's line numbers), nothing
 * written. Staged for DECIDE: the part's counts, its first file-level problem (reason, line,
 * offset), the hashes of the fingerprint's blocks that start in it, the digest of the
 * order_ids first seen in it, and with order lines the digest of its orders (contract/part-orders.ts).
 */
import { FirstSeenDigest } from '../../contract/part-ids.ts';
import { PartOrders } from '../../contract/part-orders.ts';
import { hasOrderLines } from '../../contract/whole-orders.ts';
import { partReading } from '../../contract/parts.ts';
import { RowTally } from '../../contract/tally.ts';
import { FileRejectedError, type ContractContext } from '../../contract/types.ts';
import type { Attempt } from '../claim.ts';
import { ObjectGoneError } from '../errors.ts';
import type { ProcessorPorts } from '../ports.ts';
import { HashingSource } from '../scan.ts';
import { digestLine, orderDigestLine } from './digests.ts';
import { stagingKeys, writeStaged, type PartProblem, type PartScan, type StoredPlan } from './staging.ts';

type ScanPorts = Pick<ProcessorPorts, 'objects' | 'readOrders'>;

/** The contract context of one part of a planned file (its seen map: `seen`). */
export function partContext(attempt: Attempt, stored: StoredPlan, part: number, seen: ContractContext['seen']): ContractContext {
  return { ...attempt.contract, now: new Date(stored.now), part: partReading(stored.plan, part), ...(seen ? { seen } : {}) };
}

/** Opens the bytes of one part; the source version being gone is a fault of the part (retried, then the file fails). */
export async function openPart(stored: StoredPlan, part: number, ports: Pick<ProcessorPorts, 'objects'>) {
  const planned = stored.plan.parts[part];
  if (!planned) throw new RangeError(`the plan has no part ${part}`);
  const body = await ports.objects.open(stored.source, { start: planned.start.offset, end: planned.end });
  if (!body) throw new ObjectGoneError(`s3://${stored.source.bucket}/${stored.source.key} (the version being processed) no longer exists`);
  return body;
}

export async function scanPart(attempt: Attempt, stored: StoredPlan, part: number, ports: ScanPorts): Promise<PartScan> {
  const body = await openPart(stored, part, ports);
  const planned = stored.plan.parts[part];
  const source = new HashingSource(body, planned?.start.offset ?? 0);
  const digest = new FirstSeenDigest();
  const schema = attempt.contract.schema;
  const orders = schema && hasOrderLines(schema) ? PartOrders.of(schema) : null;
  const tally = new RowTally(0);
  let problem: PartProblem | null = null;

  try {
    for await (const event of ports.readOrders(source, partContext(attempt, stored, part, digest.seen))) {
      digest.observe(event);
      orders?.observe(event);
      tally.observe(event);
    }
    await source.drain();
    // The last block that starts in this part may end past it: read on to its end (a gzip file's
    // fingerprint is its original's, computed while planning).
    const blockEnd = source.blocks.unfinishedBlockEnd;
    const end = planned?.end ?? 0;
    if (blockEnd !== null && end < stored.plan.size && !stored.originalFingerprint) {
      const rest = await ports.objects.open(stored.source, { start: end, end: Math.min(blockEnd, stored.plan.size) });
      if (!rest) throw new ObjectGoneError(`s3://${stored.source.bucket}/${stored.source.key} (the version being processed) no longer exists`);
      try {
        for await (const chunk of rest) source.blocks.update(chunk);
      } finally {
        rest.destroy();
      }
    }
  } catch (error) {
    if (!(error instanceof FileRejectedError)) throw error;
    // The file is rejected as a whole: no fingerprint and no digest are needed.
    const offset = error.offset ?? stored.plan.parts[part]?.start.offset ?? 0;
    problem = { reason: error.reason, line: error.line ?? 1, offset };
  } finally {
    body.destroy();
  }
  const { counts } = tally;
  const keys = stagingKeys(attempt.ingestionId);
  const lines = problem ? '' : digest.entries().map(digestLine).join('');
  // An empty digest is not stored: DECIDE reads a digest only as far as its size says.
  if (lines !== '') await ports.objects.putText(attempt.ref.bucket, keys.digest(part), lines);
  const orderLines = problem || !orders ? '' : orders.entries().map(orderDigestLine).join('');
  if (orderLines !== '') await ports.objects.putText(attempt.ref.bucket, keys.orders(part), orderLines);
  const blocks = problem ? { first: 0, hashes: [] } : { first: source.blocks.first, hashes: source.blocks.finish() };
  const scanned: PartScan = { part, counts, problem, blocks, digestBytes: Buffer.byteLength(lines), ...(orders ? { ordersBytes: Buffer.byteLength(orderLines) } : {}) };
  await writeStaged(ports.objects, attempt.ref.bucket, keys.scan(part), scanned);
  return scanned;
}
