/**
 * CreateTable requests matching the stack's tables (modules/tables.ts), for tests and the benchmark
 * that create resources on moto directly with the SDK instead of applying the whole stack.
 */
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { LEDGER, ORDERS_HASH_KEY, ORDERS_RANGE_KEY } from '../functions/order-processor/index.ts';

export function ordersTableCommand(name: string): CreateTableCommand {
  return new CreateTableCommand({
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: ORDERS_HASH_KEY, AttributeType: 'S' },
      { AttributeName: ORDERS_RANGE_KEY, AttributeType: 'N' },
    ],
    KeySchema: [
      { AttributeName: ORDERS_HASH_KEY, KeyType: 'HASH' },
      { AttributeName: ORDERS_RANGE_KEY, KeyType: 'RANGE' },
    ],
  });
}

/** The ingestion ledger: hash key `pk` and the sparse by-day index (resource-names.ts LEDGER). */
export function ledgerTableCommand(name: string): CreateTableCommand {
  return new CreateTableCommand({
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: LEDGER.hashKey, AttributeType: 'S' },
      { AttributeName: LEDGER.byDayHashKey, AttributeType: 'S' },
      { AttributeName: LEDGER.byDayRangeKey, AttributeType: 'S' },
    ],
    KeySchema: [{ AttributeName: LEDGER.hashKey, KeyType: 'HASH' }],
    GlobalSecondaryIndexes: [
      {
        IndexName: LEDGER.byDayIndex,
        KeySchema: [
          { AttributeName: LEDGER.byDayHashKey, KeyType: 'HASH' },
          { AttributeName: LEDGER.byDayRangeKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  });
}
