/**
 * The write path's own ceiling, in a process of its own: a bare BatchWriteItem loop that sends the
 * items the processor would write for the same file (read with the contract and shaped by the
 * processor's toItem before the clock starts), 25 per request, WRITE_CONCURRENCY requests in
 * flight, through the client the processor builds (`clientsFromEnv`) and its own sender
 * (`orderBatchSender`). Nothing else runs: no S3, no parsing, no ledger, no retries. Against the
 * instant table this is the SDK's client-side limit; against moto it is moto's.
 */
import { createReadStream } from 'node:fs';
import { cpuUsage } from 'node:process';
import { loadWritePath, ORDERS_KEY } from '../functions/order-processor/index.ts';
import { reportToParent } from './child.ts';

export interface BareLoopArgs {
  path: string;
  /** The S3 key the processor would name in each item's source_key. */
  sourceKey: string;
  table: string;
  concurrency: number;
}

export interface BareLoopResult {
  /** Items sent in all, the one warm-up request included (what the server should have received). */
  itemsSent: number;
  /** Items sent while the clock ran. */
  items: number;
  /** Items the server returned as unprocessed (not retried: the loop is bare). */
  unprocessed: number;
  seconds: number;
  itemsPerSecond: number;
  cpuMs: number;
  microsPerItem: number;
}

/** DynamoDB's maximum items per BatchWriteItem. */
const BATCH = 25;

async function measureBareLoop(args: BareLoopArgs): Promise<BareLoopResult> {
  const { readOrders, toItem, orderBatchSender, clientsFromEnv } = await loadWritePath();
  const now = new Date();
  const ctx = { sourceKey: args.sourceKey, ingestionId: '20260101T000000Z-bench000', processedAt: now.toISOString(), now };
  const items: Record<string, unknown>[] = [];
  for await (const event of readOrders(createReadStream(args.path), ctx)) if (event.kind === 'valid') items.push(toItem(event.order));
  const { doc, s3, sns } = clientsFromEnv();
  s3.destroy();
  sns.destroy();
  const sender = orderBatchSender(doc, args.table, ORDERS_KEY);
  const send = async (from: number) => (await sender(items.slice(from, from + BATCH))).length;
  // One request outside the clock: credentials, endpoint resolution and the first connection.
  let unprocessed = await send(0);
  const inFlight = new Set<Promise<void>>();
  let failure: unknown = null;
  const cpu0 = cpuUsage();
  const t0 = performance.now();
  for (let from = BATCH; from < items.length && failure === null; from += BATCH) {
    while (inFlight.size >= args.concurrency) await Promise.race(inFlight);
    const request: Promise<void> = send(from)
      .then((left) => void (unprocessed += left))
      .catch((error: unknown) => void (failure ??= error))
      .finally(() => inFlight.delete(request));
    inFlight.add(request);
  }
  await Promise.all(inFlight);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuUsage(cpu0);
  doc.destroy();
  if (failure !== null) throw failure;
  const measured = Math.max(0, items.length - BATCH);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return { itemsSent: items.length, items: measured, unprocessed, seconds, itemsPerSecond: measured / seconds, cpuMs, microsPerItem: (cpuMs * 1000) / Math.max(1, measured) };
}

if (process.send) await reportToParent(measureBareLoop);
