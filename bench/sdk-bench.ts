/**
 * Part 1b: the AWS SDK's client-side cost per item, without the network: marshalling, JSON
 * serialisation, SigV4 signing and response parsing of real BatchWriteItem and PutItem commands,
 * with the HTTP send replaced by an empty 200 response (a request handler that answers at once).
 * Three ways: the processor's (runtime.ts `dynamoClient`, adapters/dynamo-writer.ts
 * `orderBatchSender`, 25 per request), and lib-dynamodb's DocumentClient as the SDK builds it,
 * 25 per BatchWriteItem and one per PutItem (the peers' way). Not a test of AWS behaviour
 * (nothing is asserted about DynamoDB); it splits the processor's CPU between the parser and the
 * SDK so "what dominates cost" has a number.
 */
import { Readable } from 'node:stream';
import { cpuUsage } from 'node:process';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { MAX_BATCH_SIZE, orderBatchSender } from '../functions/order-processor/adapters/dynamo-writer.ts';
import { dynamoClient } from '../functions/order-processor/runtime.ts';
import { ORDERS_HASH_KEY } from '../functions/order-processor/resource-names.ts';
import { clientConfig } from '../tooling/aws-clients.ts';

export interface SdkCost {
  requests: number;
  cpuMs: number;
  microsPerItem: number;
}

export interface SdkCostResult {
  items: number;
  /** The processor's client and sender, 25 items per BatchWriteItem (absent in older results). */
  processor?: SdkCost;
  /** lib-dynamodb as the SDK builds it, 25 items per BatchWriteItem. */
  batchWrite: SdkCost;
  /** lib-dynamodb as the SDK builds it, one PutItem per item. */
  putItem: SdkCost;
}

/** An order item shaped like the processor's (process-file.ts toItem), all optional columns set. */
function sampleItem(i: number): Record<string, unknown> {
  return {
    order_id: `GEN-7-${String(i).padStart(9, '0')}`,
    customer_id: 'C-012345',
    customer_name: 'Chloé Dubois',
    customer_email: 'chloe.dubois12345@example.com',
    product_sku: 'SKU-HD-03',
    product_name: 'USB-C hub, 7 ports',
    quantity: 3,
    unit_price: 34.5,
    currency: 'EUR',
    order_date: '2025-06-01T10:20:30.000Z',
    total_amount: 103.5,
    source_key: 'raw-data/bench/orders.csv',
    source_line: i + 1,
    ingestion_id: '20261122T041500Z-1a2b3c4d',
    processed_at: '2026-11-22T04:15:00.000Z',
  };
}

// The request handler is the SDK's only network piece: answer instead of sending. Everything
// before it (marshalling, serialisation, signing, retries) and after it (deserialisation) runs.
function offlineConfig() {
  const requestHandler = {
    handle: async () => ({
      response: {
        statusCode: 200,
        reason: 'OK',
        headers: { 'content-type': 'application/x-amz-json-1.0' },
        body: Readable.from([Buffer.from('{}')]),
      },
    }),
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
  };
  return { ...clientConfig({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9' }), requestHandler };
}

function offlineDocumentClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(offlineConfig()), { marshallOptions: { removeUndefinedValues: true } });
}

async function timed(run: () => Promise<void>): Promise<number> {
  const c0 = cpuUsage();
  await run();
  const c = cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

export async function measureSdkCost(args: { items: number }): Promise<SdkCostResult> {
  const doc = offlineDocumentClient();
  const lean = DynamoDBDocumentClient.from(dynamoClient(offlineConfig()));
  const send = orderBatchSender(lean, 'orders', ORDERS_HASH_KEY);
  const items = Math.max(MAX_BATCH_SIZE, args.items);
  const batches = Math.floor(items / MAX_BATCH_SIZE);
  const batch = (b: number) => Array.from({ length: MAX_BATCH_SIZE }, (_, k) => sampleItem(b * MAX_BATCH_SIZE + k));
  // Warm up every path (module loading, JIT) before measuring.
  for (let i = 0; i < 200; i++) await doc.send(new PutCommand({ TableName: 'orders', Item: sampleItem(i) }));
  for (let b = 0; b < 8; b++) await send(batch(b));
  const processorMs = await timed(async () => {
    for (let b = 0; b < batches; b++) await send(batch(b));
  });
  const batchMs = await timed(async () => {
    for (let b = 0; b < batches; b++) {
      const Items = Array.from({ length: MAX_BATCH_SIZE }, (_, k) => ({ PutRequest: { Item: sampleItem(b * MAX_BATCH_SIZE + k) } }));
      await doc.send(new BatchWriteCommand({ RequestItems: { orders: Items } }));
    }
  });
  const putMs = await timed(async () => {
    for (let i = 0; i < items; i++) await doc.send(new PutCommand({ TableName: 'orders', Item: sampleItem(i) }));
  });
  doc.destroy();
  lean.destroy();
  const batchItems = batches * MAX_BATCH_SIZE;
  return {
    items,
    processor: { requests: batches, cpuMs: processorMs, microsPerItem: (processorMs * 1000) / batchItems },
    batchWrite: { requests: batches, cpuMs: batchMs, microsPerItem: (batchMs * 1000) / batchItems },
    putItem: { requests: items, cpuMs: putMs, microsPerItem: (putMs * 1000) / items },
  };
}
