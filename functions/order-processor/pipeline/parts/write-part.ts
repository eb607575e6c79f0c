/**
 * WRITE one part: the part's bytes read again, seeded with the order_ids first seen in earlier
 * parts (and, with order lines, the orders rejected whole and the lines numbered in earlier parts),
 * so every event is exactly a sequential read's; valid rows → the orders table (the same
 * writer as a whole file), the part's slices of the cleaned CSV and of the errors report →
 * staging; then conservation against what DECIDE expects of this part, and with order lines the
 * stale lines of the orders it wrote deleted.
 */
import { OrderIdSet } from '../../contract/order-id-set.ts';
import type { SeenOrderIds } from '../../contract/rules.ts';
import type { Attempt } from '../claim.ts';
import type { ProcessorPorts } from '../ports.ts';
import { writeRows, writeTargets } from '../write.ts';
import { parseOrderSeeds, parseSeeds } from './digests.ts';
import { addLateRows } from './fail-file.ts';
import { openPart, partContext } from './scan-part.ts';
import { stagingKeys, writeStaged, type PartWrite, type StoredDecision, type StoredPlan } from './staging.ts';

type WritePorts = Pick<ProcessorPorts, 'objects' | 'readOrders' | 'openOrderWriter' | 'ledger' | 'orderLines' | 'log' | 'metrics'>;

/** With `signal` aborted (the last-receive guard), the part stops before its next row; what it wrote is noted. */
export async function writePart(attempt: Attempt, stored: StoredPlan, decision: StoredDecision, part: number, ports: WritePorts, signal?: AbortSignal): Promise<PartWrite> {
  const { bucket } = attempt.ref;
  const keys = stagingKeys(attempt.ingestionId);
  const expected = decision.expected[part];
  if (!expected) throw new RangeError(`the decision has no part ${part}`);
  let seen: SeenOrderIds = new OrderIdSet();
  if ((decision.seeded[part] ?? 0) > 0) {
    const text = await ports.objects.getText(bucket, keys.seeds(part));
    if (text === null) throw new Error(`the seeds of part ${part} are missing from staging`);
    seen = parseSeeds(text);
  }
  let orders = {};
  if ((decision.orderSeeded?.[part] ?? 0) > 0) {
    const text = await ports.objects.getText(bucket, keys.orderSeeds(part));
    if (text === null) throw new Error(`the order seeds of part ${part} are missing from staging`);
    orders = parseOrderSeeds(text);
  }
  const targets = writeTargets(bucket, { cleaned: keys.cleaned(part), errors: keys.errors(part) }, expected, ports);
  // A file another part has failed meanwhile gets the rows added to its count (fail-file.ts).
  const noteLoaded = async () => {
    const rows = targets.orders.written;
    if (!(await ports.ledger.notePartLoaded(attempt.pk, attempt.attemptId, part, rows))) await addLateRows(attempt.pk, attempt.attemptId, part, rows, ports);
  };
  const body = await openPart(stored, part, ports);
  let result;
  try {
    result = await writeRows(body, { ...partContext(attempt, stored, part, seen), ...orders }, expected, targets, ports.readOrders, { headerLines: false, ...(signal ? { signal } : {}) });
  } catch (error) {
    // Rows upserted before the failure are in the table: the file's outcome must count them.
    if (targets.orders.written > 0) await noteLoaded();
    throw error;
  }
  // Noted before anything else can fail (pruning, staging the result, counting the part).
  await noteLoaded();
  if (result.orderIds) {
    // Re-import is exact: each order written here keeps only the newest file's lines; the parts
    // of one file share its rank, so no part deletes another part's lines (docs/csv-format.md).
    const pruned = await ports.orderLines.pruneStale(result.orderIds, { processed_at: attempt.contract.processedAt, ingestion_id: attempt.ingestionId });
    ports.log.info('Removed the order lines this file no longer has', { part, ...pruned });
  }
  const { orderIds: _written, ...kept } = result;
  const written: PartWrite = { part, ...kept };
  await writeStaged(ports.objects, bucket, keys.written(part), written);
  return written;
}
