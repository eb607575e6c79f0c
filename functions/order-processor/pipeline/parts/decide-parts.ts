/**
 * DECIDE, once every part is scanned: the whole-file verdict before anything is written, exactly
 * as a whole read decides it (decide.ts) — the earliest file-level problem by offset, no data
 * rows, all rows rejected, duplicate content — on counts made exact across parts by merging the
 * parts' order_id digests (an id repeated in a later part is that part's rejected duplicate) and,
 * with order lines, their order digests (contract/part-orders.ts: an order with a rejected row in
 * any part is rejected whole in every part). A file to be written gets its per-part expectations
 * and seeds staged for WRITE.
 */
import { BLOCK_BYTES, treeFingerprint } from '../fingerprint.ts';
import { mergeDigests, type SeedEntry } from '../../contract/part-ids.ts';
import { ordersAcrossParts } from '../../contract/part-orders.ts';
import { hasOrderLines } from '../../contract/whole-orders.ts';
import { firstRejection } from '../../contract/parts.ts';
import { addCounts, emptyCounts } from '../../contract/tally.ts';
import { fileVerdict, type FileRejection } from '../../contract/verdict.ts';
import { cleanedColumnsFor } from '../../reports/csv-output.ts';
import type { Attempt } from '../claim.ts';
import type { FileFigures } from '../conclude.ts';
import { decide, verdictFor, type Verdict } from '../decide.ts';
import type { ProcessorPorts } from '../ports.ts';
import { orderSeedLine, parseOrderDigestLine, seedLine, stagedDigest } from './digests.ts';
import { mapBounded, partIndices, readStaged, STAGING_CONCURRENCY, stagingKeys, writeStaged, type PartScan, type StoredDecision, type StoredPlan } from './staging.ts';

export type PartsDecision =
  /** Nothing is written (a file rejected as a whole, a duplicate): conclude at once. */
  | { kind: 'conclude'; verdict: Verdict; tally: FileFigures }
  | { kind: 'write'; decision: StoredDecision };

/**
 * The content fingerprint of a file in parts, the same as when it is read whole (fingerprint.ts).
 * A gzip file's was computed while it was decompressed (read whole, in order); a plain file's is
 * joined from the block hashes its parts staged, each block hashed by the part it starts in.
 */
export function partsFingerprint(stored: StoredPlan, scans: readonly PartScan[]): string {
  if (stored.originalFingerprint) return stored.originalFingerprint;
  const hashes: string[] = [];
  for (const scan of scans) {
    if (scan.blocks.hashes.length > 0 && scan.blocks.first !== hashes.length) {
      throw new Error(`part ${scan.part} staged blocks from ${scan.blocks.first}, expected block ${hashes.length}`);
    }
    hashes.push(...scan.blocks.hashes);
  }
  const expected = Math.ceil(stored.plan.size / BLOCK_BYTES);
  if (hashes.length !== expected) throw new Error(`the parts staged ${hashes.length} block hashes for ${expected} blocks`);
  return treeFingerprint(hashes);
}

/** The file's file-level problem: the one at the smallest offset of all parts (as a sequential read meets it first). */
export function earliestProblem(scans: readonly PartScan[]): FileRejection | null {
  const first = firstRejection(scans.map((s) => s.problem));
  return first ? { reason: first.reason, line: first.line } : null;
}

type DecidePorts = Pick<ProcessorPorts, 'objects' | 'ledger' | 'now'>;

export async function decideParts(attempt: Attempt, stored: StoredPlan, ports: DecidePorts): Promise<PartsDecision> {
  const { bucket, size } = attempt.ref;
  const keys = stagingKeys(attempt.ingestionId);
  const parts = partIndices(stored.plan.parts.length);
  const scans = await mapBounded(parts, STAGING_CONCURRENCY, (k) => readStaged<PartScan>(ports.objects, bucket, keys.scan(k)));
  const headerLine = stored.plan.headerLine;
  // Rejected as a whole (a part's file-level problem, or no data rows): the demotions below do not change that.
  const asRead = fileVerdict({ counts: addCounts(scans.map((s) => s.counts)), rejection: earliestProblem(scans), headerLine });
  if (asRead.kind === 'rejected') {
    return { kind: 'conclude', verdict: verdictFor(asRead), tally: { counts: emptyCounts(), written: 0, firstErrors: [], bytes: size, fingerprint: null } };
  }

  const seeds = parts.map((): string[] => []);
  const demoted = parts.map(() => 0);
  const digests = scans.map((s) => stagedDigest(ports.objects, bucket, keys.digest(s.part), s.digestBytes));
  const schema = attempt.contract.schema;
  const lines = schema && hasOrderLines(schema) ? schema.lines : 'one';
  async function* seedsOf(): AsyncGenerator<SeedEntry> {
    for await (const seed of mergeDigests(digests)) {
      seeds[seed.part]?.push(seedLine(seed.id, seed.line));
      // With order lines the orders decide which rows the writes reject (below).
      if (seed.demoted && lines === 'one') demoted[seed.part] = (demoted[seed.part] ?? 0) + 1;
      yield seed;
    }
  }
  const orderSeeds = parts.map((): string[] => []);
  let ordersWritten = 0;
  if (lines === 'one') {
    for await (const seed of seedsOf()) void seed;
  } else {
    const orderDigests = scans.map((s) => stagedDigest(ports.objects, bucket, keys.orders(s.part), s.ordersBytes ?? 0, parseOrderDigestLine));
    for await (const order of ordersAcrossParts(orderDigests, seedsOf(), lines)) {
      if (order.loaded) ordersWritten++;
      for (const one of order.parts) {
        demoted[one.part] = (demoted[one.part] ?? 0) + one.demoted;
        // A part's write needs the orders it rejects whole (when it has valid rows of them) and the lines numbered before it.
        if ((one.badLine > 0 && one.demoted > 0) || one.before > 0) orderSeeds[one.part]?.push(orderSeedLine(one));
      }
    }
  }
  const expected = scans.map((s, k) => {
    const moved = demoted[k] ?? 0;
    return { ...s.counts, valid: s.counts.valid - moved, rejected: s.counts.rejected + moved };
  });
  const totals = addCounts(expected);
  const fingerprint = partsFingerprint(stored, scans);
  const { verdict } = await decide(attempt, { counts: totals, rejection: null, headerLine, fingerprint }, ports);
  if (verdict.kind !== 'write') {
    return { kind: 'conclude', verdict, tally: { counts: totals, written: 0, firstErrors: [], bytes: size, fingerprint } };
  }
  await mapBounded(parts, STAGING_CONCURRENCY, async (k) => {
    const seeded = seeds[k] ?? [];
    if (seeded.length > 0) await ports.objects.putText(bucket, keys.seeds(k), seeded.join(''));
    const ordered = orderSeeds[k] ?? [];
    if (ordered.length > 0) await ports.objects.putText(bucket, keys.orderSeeds(k), ordered.join(''));
  });
  const cleanedColumns = [...cleanedColumnsFor(attempt.contract.schema, stored.plan.header)];
  const withOrders = lines === 'one' ? {} : { ordersWritten, orderSeeded: orderSeeds.map((l) => l.length) };
  const decision: StoredDecision = { verdict, fingerprint, totals, expected, seeded: seeds.map((l) => l.length), cleanedColumns, ...withOrders };
  await writeStaged(ports.objects, bucket, keys.decision, decision);
  return { kind: 'write', decision };
}
