/**
 * The processor's BatchWriteItem sender (adapters/dynamo-writer.ts orderBatchSender), against
 * moto: it stores exactly the attributes lib-dynamodb's DocumentClient stores for the same item,
 * and hands back the caller's own items for those DynamoDB leaves unprocessed.
 */
import { describe, expect, it } from 'vitest';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { orderBatchSender, type WriteItem } from '../../../functions/order-processor/adapters/dynamo-writer.ts';
import { toItem } from '../../../functions/order-processor/pipeline/write.ts';
import { ORDERS_HASH_KEY, ORDERS_KEY, ORDERS_RANGE_KEY } from '../../../functions/order-processor/resource-names.ts';
import { env, ORDERS, useProcessorEnvironment } from './setup.ts';

useProcessorEnvironment();

/** An item as toItem makes it: every column of an order, numbers with and without decimals. */
function orderItem(id: string, line: number, orderLine = 1): WriteItem {
  return toItem({
    order_id: id,
    line: orderLine,
    customer_id: 'C-012345',
    customer_name: 'Chloé "CJ" Dubois, Jr.',
    customer_email: 'chloe@example.com',
    product_sku: 'SKU-HD-03',
    product_name: 'USB-C hub, 7 ports\nGift wrap',
    quantity: 3,
    unit_price: 34.5,
    currency: 'EUR',
    order_date: '2025-06-01T10:20:30.000Z',
    total_amount: 103.5,
    source_key: 'raw-data/orders 2025.csv',
    source_line: line,
    ingestion_id: '20261122T041500Z-1a2b3c4d',
    processed_at: '2026-11-22T04:15:00.000Z',
    schema_version: 1,
  });
}

async function storedAttributes(id: string, orderLine = 1) {
  const ddb = new DynamoDBClient(env.clientConfig);
  try {
    const key = { [ORDERS_HASH_KEY]: { S: id }, [ORDERS_RANGE_KEY]: { N: String(orderLine) } };
    const out = await ddb.send(new GetItemCommand({ TableName: ORDERS, Key: key, ConsistentRead: true }));
    const { [ORDERS_HASH_KEY]: _key, [ORDERS_RANGE_KEY]: _line, ...rest } = out.Item ?? {};
    return rest;
  } finally {
    ddb.destroy();
  }
}

describe('orderBatchSender', () => {
  it('stores the same attributes lib-dynamodb stores for the same item', async () => {
    // Prepare
    const send = orderBatchSender(env.doc, ORDERS, ORDERS_KEY);
    // Act
    const left = await send([orderItem('SENDER-LOW-1', 7)]);
    await env.doc.send(new BatchWriteCommand({ RequestItems: { [ORDERS]: [{ PutRequest: { Item: orderItem('SENDER-DOC-1', 7) } }] } }));
    // Assess
    expect(left).toEqual([]);
    const viaSender = await storedAttributes('SENDER-LOW-1');
    expect(Object.keys(viaSender)).toHaveLength(15);
    expect(viaSender).toEqual(await storedAttributes('SENDER-DOC-1'));
  });

  it('hands back the caller’s items that DynamoDB left unprocessed', async () => {
    // Prepare: a client whose BatchWriteItem sends only the first two items and returns the rest unprocessed
    const ddb = new DynamoDBClient(env.clientConfig);
    ddb.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'BatchWriteItemCommand') return next(args);
        const input = args.input as { RequestItems: Record<string, unknown[]> };
        const requests = input.RequestItems[ORDERS] ?? [];
        const result = await next({ ...args, input: { RequestItems: { [ORDERS]: requests.slice(0, 2) } } });
        (result.output as { UnprocessedItems?: Record<string, unknown[]> }).UnprocessedItems = { [ORDERS]: requests.slice(2) };
        return result;
      },
      { step: 'initialize', name: 'leaveUnprocessed' },
    );
    const send = orderBatchSender(DynamoDBDocumentClient.from(ddb), ORDERS, ORDERS_KEY);
    // two orders of two lines each: the unprocessed ones differ only in their line
    const items = [1, 2, 3, 4].map((n) => orderItem(`SENDER-PART-${n % 2}`, n + 1, n <= 2 ? 1 : 2));
    // Act
    const left = await send(items);
    // Assess
    expect(left).toHaveLength(2);
    expect(left[0]).toBe(items[2]);
    expect(left[1]).toBe(items[3]);
    expect(Object.keys(await storedAttributes('SENDER-PART-1', 1))).toHaveLength(15);
    expect(await storedAttributes('SENDER-PART-1', 2)).toEqual({});
    ddb.destroy();
  });
});
