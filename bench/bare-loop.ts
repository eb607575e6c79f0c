/**
 * The write path's own ceiling: a bare BatchWriteItem loop that sends the items the processor
 * would write for the same file (read with the contract and shaped by the processor's toItem
 * before the clock starts), 25 per request, WRITE_CONCURRENCY requests in flight, through the
 * client runtime.ts `clientsFromEnv` builds and the processor's own sender (`orderBatchSender`:
 * AttributeValues built per request, as the processor does). Nothing else runs: no S3, no
 * parsing, no ledger, no retries. Against the instant table this is the SDK's client-side limit;
 * against moto it is moto's.
 *
 * Variants show what the write path's choices are worth: `sdk-defaults` is lib-dynamodb's
 * BatchWriteCommand through a DocumentClient as the SDK builds it (its logger middleware in
 * place: what the processor used before); `document` is lib-dynamodb through the processor's
 * client (logger middleware removed, lib-dynamodb's marshalling instead of orderAttributes);
 * `prebuilt` sends AttributeValues built before the clock starts through the processor's client
 * (the SDK's own cost with no marshalling at all).
 */
import { createReadStream } from 'node:fs';
import { cpuUsage } from 'node:process';
import { BatchWriteItemCommand, DynamoDBClient, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { MAX_BATCH_SIZE, orderAttributes, orderBatchSender } from '../functions/order-processor/adapters/dynamo-writer.ts';
import { readOrders } from '../functions/order-processor/contract/reader.ts';
import { toItem } from '../functions/order-processor/pipeline/write.ts';
import { clientsFromEnv } from '../functions/order-processor/runtime.ts';
import { ORDERS_HASH_KEY } from '../functions/order-processor/resource-names.ts';

export type BareClient = 'processor' | 'sdk-defaults' | 'document' | 'prebuilt';

export interface BareLoopArgs {
  path: string;
  /** The S3 key the processor would name in each item's source_key. */
  sourceKey: string;
  table: string;
  concurrency: number;
  client: BareClient;
}

export interface BareLoopResult {
  client: BareClient;
  concurrency: number;
  /** Items sent in all, the one warm-up request included (what the server should have received). */
  itemsSent: number;
  /** Items sent while the clock ran. */
  items: number;
  requests: number;
  /** Items the server returned as unprocessed (not retried: the loop is bare). */
  unprocessed: number;
  seconds: number;
  itemsPerSecond: number;
  cpuMs: number;
  microsPerItem: number;
}

type Item = Record<string, unknown>;

/** The processor's items for the file's valid rows, in file order. */
async function itemsOf(path: string, sourceKey: string): Promise<Item[]> {
  const now = new Date();
  const ctx = { sourceKey, ingestionId: '20260101T000000Z-bench000', processedAt: now.toISOString(), now };
  const items: Item[] = [];
  for await (const event of readOrders(createReadStream(path), ctx)) {
    if (event.kind === 'valid') items.push(toItem(event.order));
  }
  return items;
}

/** One batch → the number of items the server left unprocessed. */
type SendBatch = (from: number, to: number) => Promise<number>;

/** lib-dynamodb's BatchWriteCommand through `doc`: the items marshalled by the DocumentClient per request. */
function documentSender(doc: DynamoDBDocumentClient, table: string, items: Item[]): { send: SendBatch; destroy: () => void } {
  return {
    send: async (from, to) => {
      const out = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: items.slice(from, to).map((Item) => ({ PutRequest: { Item } })) } }));
      return out.UnprocessedItems?.[table]?.length ?? 0;
    },
    destroy: () => doc.destroy(),
  };
}

function sender(args: BareLoopArgs, items: Item[]): { send: SendBatch; destroy: () => void } {
  const { table } = args;
  if (args.client === 'sdk-defaults') {
    return documentSender(DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }), table, items);
  }
  const { doc, s3, sns } = clientsFromEnv();
  s3.destroy();
  sns.destroy();
  if (args.client === 'document') return documentSender(doc, table, items);
  if (args.client === 'prebuilt') {
    const marshalled: Record<string, AttributeValue>[] = items.map(orderAttributes);
    return {
      send: async (from, to) => {
        const out = await doc.send(new BatchWriteItemCommand({ RequestItems: { [table]: marshalled.slice(from, to).map((Item) => ({ PutRequest: { Item } })) } }));
        return out.UnprocessedItems?.[table]?.length ?? 0;
      },
      destroy: () => doc.destroy(),
    };
  }
  const send = orderBatchSender(doc, table, ORDERS_HASH_KEY);
  return {
    send: async (from, to) => (await send(items.slice(from, to))).length,
    destroy: () => doc.destroy(),
  };
}

export async function measureBareLoop(args: BareLoopArgs, progress: (text: string) => void): Promise<BareLoopResult> {
  const items = await itemsOf(args.path, args.sourceKey);
  const { send, destroy } = sender(args, items);
  // One request outside the clock: credentials, endpoint resolution and the first connection.
  const warmUp = Math.min(MAX_BATCH_SIZE, items.length);
  await send(0, warmUp);

  const inFlight = new Set<Promise<void>>();
  let requests = 0;
  let unprocessed = 0;
  let failure: unknown = null;
  const ticker = setInterval(() => progress(`bare loop (${args.client}): ${(requests * MAX_BATCH_SIZE).toLocaleString('en-US')} / ${items.length.toLocaleString('en-US')} items`), 2000);
  const cpu0 = cpuUsage();
  const t0 = performance.now();
  try {
    for (let from = warmUp; from < items.length && failure === null; from += MAX_BATCH_SIZE) {
      while (inFlight.size >= args.concurrency) await Promise.race(inFlight);
      const request: Promise<void> = send(from, Math.min(items.length, from + MAX_BATCH_SIZE))
        .then((left) => {
          requests++;
          unprocessed += left;
        })
        .catch((error: unknown) => {
          failure ??= error;
        })
        .finally(() => inFlight.delete(request));
      inFlight.add(request);
    }
    await Promise.all(inFlight);
  } finally {
    clearInterval(ticker);
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuUsage(cpu0);
  destroy();
  if (failure !== null) throw failure;
  const measured = items.length - warmUp;
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return {
    client: args.client,
    concurrency: args.concurrency,
    itemsSent: items.length,
    items: measured,
    requests,
    unprocessed,
    seconds,
    itemsPerSecond: measured / seconds,
    cpuMs,
    microsPerItem: (cpuMs * 1000) / Math.max(1, measured),
  };
}
