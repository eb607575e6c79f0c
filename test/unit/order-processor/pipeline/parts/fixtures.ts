/**
 * In-memory stand-ins for the steps of a file in parts: a ledger that keeps its items (claims,
 * phases, part sets) as the adapter does, a parts queue that records what is sent, and a driver
 * that delivers the queued part messages to handlePart in any order, as the parts queue would.
 */
import { createHash } from 'node:crypto';
import { readOrders } from '../../../../../functions/order-processor/contract/reader.ts';
import type { ObjectRef, PartMessage } from '../../../../../functions/order-processor/event.ts';
import { fileLedgerKey, objectAttributes, type LedgerItem } from '../../../../../functions/order-processor/ledger-item.ts';
import { handlePart, type PartStep } from '../../../../../functions/order-processor/pipeline/parts/handle-part.ts';
import type { ClaimOptions, ClaimResult, ProcessorPorts } from '../../../../../functions/order-processor/pipeline/ports.ts';
import { INGESTION_ID, memoryPorts, MemoryLedger, MemoryPartsQueue, NOW, objectRef } from '../ports.ts';

export { MemoryPartsQueue } from '../ports.ts';

/** A ledger whose claims behave like the adapter's: stored items, leases, files in parts. */
export class StatefulLedger extends MemoryLedger {
  private claims = 0;
  override async claimFile(ref: ObjectRef, options: ClaimOptions): Promise<ClaimResult> {
    const pk = fileLedgerKey(ref);
    const existing = this.items.get(pk);
    if (existing) {
      if (existing.status !== 'PROCESSING') return { kind: 'final', item: existing };
      if (existing.phase && existing.phase !== 'PLAN') return { kind: 'in-parts', item: existing };
      if ((existing.lease_expires_at ?? 0) >= options.now.getTime()) return { kind: 'busy', item: existing };
    }
    const attemptId = `attempt-${++this.claims}`;
    const item: LedgerItem = {
      pk,
      ingestion_id: INGESTION_ID,
      ingest_day: '2026-11-21',
      started_at: '2026-11-21T23:59:59.000Z',
      parts: 1,
      parts_done: 0,
      ...existing,
      status: 'PROCESSING',
      attempt_id: attemptId,
      attempts: (existing?.attempts ?? 0) + 1,
      lease_expires_at: options.now.getTime() + options.leaseMs,
      ...objectAttributes(ref),
    };
    this.items.set(pk, item);
    return { kind: 'claimed', item: structuredClone(item), attemptId };
  }
  override async release(pk: string, attemptId: string, reason: string, content: string | null) {
    await super.release(pk, attemptId, reason, content);
    const item = this.items.get(pk);
    if (item?.attempt_id === attemptId && item.status === 'PROCESSING') Object.assign(item, { lease_expires_at: 0, last_error: reason });
  }
  override async get(pk: string) {
    const item = this.items.get(pk);
    return item ? structuredClone(item) : null;
  }
  item(ref: ObjectRef): LedgerItem | undefined {
    return this.items.get(fileLedgerKey(ref));
  }
}


/** Every port in memory, for a file split in parts of `chunkBytes` once it has `thresholdBytes`. */
export function partsPorts(text: string | Buffer, options: { chunkBytes?: number; thresholdBytes?: number; key?: string; maxReceives?: number } = {}) {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text);
  const ref = objectRef({ key: options.key ?? 'raw-data/orders.csv', size: bytes.length });
  const env = memoryPorts(ref);
  env.objects.bytes.set(ref.key, bytes);
  const ledger = new StatefulLedger();
  const queue = new MemoryPartsQueue();
  const ports = {
    ...env.ports,
    ledger,
    readOrders,
    parts: { queue, thresholdBytes: options.thresholdBytes ?? 1, chunkBytes: options.chunkBytes ?? 64, maxReceives: options.maxReceives ?? 3 },
  } satisfies ProcessorPorts;
  return { ...env, ref, ports, ledger, queue, bytes };
}

/** Delivers the queued part messages, shuffled by `random`, until none is left; returns the steps. */
export async function deliverAll(
  queue: MemoryPartsQueue,
  ports: ProcessorPorts,
  random: () => number = Math.random,
): Promise<PartStep[]> {
  const steps: PartStep[] = [];
  for (let round = 0; round < 100; round++) {
    const messages = queue.take();
    if (messages.length === 0) return steps;
    for (let i = messages.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [messages[i], messages[j]] = [messages[j] as PartMessage, messages[i] as PartMessage];
    }
    for (const message of messages) steps.push(await handlePart(message, 1, ports));
  }
  throw new Error('part messages kept coming');
}

export const sha256 = (text: string | Buffer): string => createHash('sha256').update(text).digest('hex');
export { NOW };
