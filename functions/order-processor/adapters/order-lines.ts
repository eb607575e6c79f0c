/**
 * Re-import is exact (docs/csv-format.md "Re-import is exact"): once a file with order lines is
 * written, each order it wrote holds exactly the lines of one file — the newest that carried it, by rank: the file's `processed_at` (when its first attempt started; a
 * retry keeps it), then its ingestion id. Two steps make that hold under redelivery, a crash and
 * files written at the same time:
 *
 * - every line is written by a conditional PutItem that never replaces a line of a newer file
 *   (BatchWriteItem takes no condition: a line of an older file landing late would otherwise
 *   overwrite the newer file's line, and a pruning pass would then delete it — the order left
 *   with a mix of both files' lines, or none);
 * - after the file's writes, each order's lines are read with one Query (keys and rank only) and
 *   every line of a lower rank than the newest there is deleted, on condition that it still holds
 *   the ingestion id it was read with. A file that finds a newer file's lines so deletes its own.
 *
 * Whichever order the writes land in, the newest file's lines are never replaced nor deleted, and
 * an older line is seen next to one of them by the older file's own pruning or by the newest
 * file's. Idempotent: a retry of the same file has the same rank, so it rewrites its own lines and
 * deletes what is left.
 */
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ORDERS_HASH_KEY, ORDERS_RANGE_KEY } from '../resource-names.ts';
import type { LineRank, OrderLinesPort, PrunedLines } from '../pipeline/ports.ts';
import { isRetryableError, orderAttributes, type BatchSender } from './dynamo-writer.ts';
import { isConditionFailure } from './ledger-expressions.ts';

/** Orders pruned at once (each a Query, then its deletes). */
const PRUNE_CONCURRENCY = 8;

/**
 * -1, 0 or 1 as `a` is older than, the same file as, or newer than `b`. `processed_at` is an ISO
 * 8601 UTC time of fixed width, so text order is time order — as DynamoDB compares it too.
 */
export function compareRanks(a: LineRank, b: LineRank): number {
  if (a.processed_at !== b.processed_at) return a.processed_at < b.processed_at ? -1 : 1;
  if (a.ingestion_id !== b.ingestion_id) return a.ingestion_id < b.ingestion_id ? -1 : 1;
  return 0;
}

/** A line's put succeeds unless the table holds that line from a newer file (the condition is compareRanks in DynamoDB's words). */
const NOT_NEWER =
  'attribute_not_exists(#line) OR attribute_not_exists(processed_at) OR processed_at < :at OR (processed_at = :at AND ingestion_id <= :id)';

/**
 * The writer's sender for a schema with order lines: each item a conditional PutItem (the items
 * of one batch in parallel). A line that a newer file holds is left to it — counted as handled,
 * as it would be had this file been written first and then replaced. Items that failed with an
 * error worth retrying are handed back as unprocessed (the writer retries them with backoff).
 */
export function orderLineSender(client: DynamoDBDocumentClient, tableName: string): BatchSender {
  return async (items) => {
    const left = await Promise.all(
      items.map(async (item) => {
        try {
          await client.send(
            new PutItemCommand({
              TableName: tableName,
              Item: orderAttributes(item),
              ConditionExpression: NOT_NEWER,
              ExpressionAttributeNames: { '#line': ORDERS_RANGE_KEY },
              ExpressionAttributeValues: { ':at': { S: String(item.processed_at) }, ':id': { S: String(item.ingestion_id) } },
            }),
          );
          return null;
        } catch (error) {
          if (isConditionFailure(error)) return null;
          if (isRetryableError(error)) return item;
          throw error;
        }
      }),
    );
    return left.filter((item) => item !== null);
  };
}

export function dynamoOrderLines(doc: DynamoDBDocumentClient, tableName: string, concurrency = PRUNE_CONCURRENCY): OrderLinesPort {
  async function pruneOrder(orderId: string, own: LineRank, totals: PrunedLines): Promise<void> {
    // Every line first (an order of more than 1 MB of keys takes several pages), then the newest rank among them.
    const lines: (LineRank & Record<string, unknown>)[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: '#id = :id',
          ProjectionExpression: '#line, ingestion_id, processed_at',
          ExpressionAttributeNames: { '#id': ORDERS_HASH_KEY, '#line': ORDERS_RANGE_KEY },
          ExpressionAttributeValues: { ':id': orderId },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      totals.reads++;
      start = page.LastEvaluatedKey;
      for (const item of page.Items ?? []) lines.push({ ...item, processed_at: String(item.processed_at ?? ''), ingestion_id: String(item.ingestion_id ?? '') });
    } while (start);
    const newest = lines.reduce<LineRank>((best, line) => (compareRanks(line, best) > 0 ? line : best), own);
    if (compareRanks(newest, own) > 0) totals.superseded++;
    for (const line of lines) {
      if (compareRanks(line, newest) >= 0) continue;
      try {
        await doc.send(
          new DeleteCommand({
            TableName: tableName,
            Key: { [ORDERS_HASH_KEY]: orderId, [ORDERS_RANGE_KEY]: line[ORDERS_RANGE_KEY] },
            ConditionExpression: 'ingestion_id = :seen',
            ExpressionAttributeValues: { ':seen': line.ingestion_id },
          }),
        );
        totals.deleted++;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
  }

  return {
    async pruneStale(orderIds, own) {
      const totals: PrunedLines = { orders: 0, reads: 0, deleted: 0, superseded: 0 };
      const ids = orderIds[Symbol.iterator]();
      const worker = async (): Promise<void> => {
        for (let next = ids.next(); !next.done; next = ids.next()) {
          totals.orders++;
          await pruneOrder(next.value, own, totals);
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      return totals;
    },
  };
}
