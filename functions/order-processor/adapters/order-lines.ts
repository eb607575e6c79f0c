/**
 * Re-import is exact (docs/csv-format.md "Orders with several lines"): after a file with order
 * lines is written, each order it wrote holds exactly the file's lines. An order's lines are read
 * with one Query by order_id (key and ingestion_id only), and every line that this ingestion did
 * not write — an earlier file's line that this file no longer has — is deleted, on condition that
 * it still holds the ingestion id it was read with (a line rewritten meanwhile stays). Idempotent:
 * a retry of the same file has the same ingestion id, so it deletes what is left and nothing else.
 */
import { DeleteCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ORDERS_HASH_KEY, ORDERS_RANGE_KEY } from '../resource-names.ts';
import type { OrderLinesPort, PrunedLines } from '../pipeline/ports.ts';
import { isConditionFailure } from './ledger-expressions.ts';

/** Orders pruned at once (each a Query, then its deletes). */
const PRUNE_CONCURRENCY = 8;

export function dynamoOrderLines(doc: DynamoDBDocumentClient, tableName: string, concurrency = PRUNE_CONCURRENCY): OrderLinesPort {
  async function pruneOrder(orderId: string, ingestionId: string, totals: PrunedLines): Promise<void> {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: '#id = :id',
          ProjectionExpression: '#line, ingestion_id',
          ExpressionAttributeNames: { '#id': ORDERS_HASH_KEY, '#line': ORDERS_RANGE_KEY },
          ExpressionAttributeValues: { ':id': orderId },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      totals.reads++;
      start = page.LastEvaluatedKey;
      for (const item of page.Items ?? []) {
        if (item.ingestion_id === ingestionId) continue;
        try {
          await doc.send(
            new DeleteCommand({
              TableName: tableName,
              Key: { [ORDERS_HASH_KEY]: orderId, [ORDERS_RANGE_KEY]: item[ORDERS_RANGE_KEY] },
              ConditionExpression: 'ingestion_id = :seen',
              ExpressionAttributeValues: { ':seen': item.ingestion_id },
            }),
          );
          totals.deleted++;
        } catch (error) {
          if (!isConditionFailure(error)) throw error;
        }
      }
    } while (start);
  }

  return {
    async pruneStale(orderIds, ingestionId) {
      const totals: PrunedLines = { orders: 0, reads: 0, deleted: 0 };
      const ids = orderIds[Symbol.iterator]();
      const worker = async (): Promise<void> => {
        for (let next = ids.next(); !next.done; next = ids.next()) {
          totals.orders++;
          await pruneOrder(next.value, ingestionId, totals);
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      return totals;
    },
  };
}
