/**
 * Reading the ingestion ledger (docs/architecture.md, "Tables") for the operator: per file, per day,
 * waiting for outcomes. Keys and statuses come from the processor's public entry, never re-derived.
 */
import { BatchGetCommand, GetCommand, type BatchGetCommandOutput, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { fileLedgerKey, isFinalStatus, LEDGER, FILE_PHASES, type LedgerItem, type FilePhase } from '../functions/order-processor/index.ts';

export type { LedgerItem };

export const isFinal = (item: LedgerItem | null | undefined): boolean => isFinalStatus(item?.status);

export async function getLedgerItem(doc: DynamoDBDocumentClient, table: string, pk: string): Promise<LedgerItem | null> {
  const out = await doc.send(new GetCommand({ TableName: table, Key: { [LEDGER.hashKey]: pk }, ConsistentRead: true }));
  return (out.Item as LedgerItem | undefined) ?? null;
}

/** The items of these keys (consistent reads, 100 keys per request); absent keys are left out. */
export async function getLedgerItems(doc: DynamoDBDocumentClient, table: string, pks: readonly string[]): Promise<Map<string, LedgerItem>> {
  const found = new Map<string, LedgerItem>();
  const unique = [...new Set(pks)];
  for (let i = 0; i < unique.length; i += 100) {
    let keys: Record<string, unknown>[] | undefined = unique.slice(i, i + 100).map((pk) => ({ [LEDGER.hashKey]: pk }));
    // DynamoDB may return some keys unprocessed (throughput); ask again for those.
    for (let round = 0; keys && keys.length > 0 && round < 10; round++) {
      const out: BatchGetCommandOutput = await doc.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: keys, ConsistentRead: true } } }));
      for (const item of (out.Responses?.[table] ?? []) as LedgerItem[]) found.set(item.pk, item);
      keys = out.UnprocessedKeys?.[table]?.Keys;
    }
  }
  return found;
}

/** UTC days, newest first: today, yesterday, … */
export function recentDays(count: number, now = new Date()): string[] {
  return Array.from({ length: count }, (_, i) => new Date(now.getTime() - i * 86_400_000).toISOString().slice(0, 10));
}

/** File items started on the given days, newest first (GSI by-day). */
export async function recentIngestions(
  doc: DynamoDBDocumentClient,
  table: string,
  options: { days?: string[]; limit?: number } = {},
): Promise<LedgerItem[]> {
  const days = options.days ?? recentDays(2);
  const limit = options.limit ?? 20;
  const items: LedgerItem[] = [];
  for (const day of days) {
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await doc.send(
        new QueryCommand({
          TableName: table,
          IndexName: LEDGER.byDayIndex,
          KeyConditionExpression: '#day = :day',
          ExpressionAttributeNames: { '#day': LEDGER.byDayHashKey },
          ExpressionAttributeValues: { ':day': day },
          ScanIndexForward: false,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...((out.Items ?? []) as LedgerItem[]));
      startKey = out.LastEvaluatedKey;
    } while (startKey && items.length < limit);
    if (items.length >= limit) break;
  }
  // The GSI range key sorts within a day; sort across days (and ties) here.
  items.sort((a, b) => (b.started_at ?? '').localeCompare(a.started_at ?? ''));
  return items.slice(0, limit);
}

/** The newest ledger item for an S3 key (any version), from the recent days' index. */
export async function latestForKey(doc: DynamoDBDocumentClient, table: string, bucket: string, key: string): Promise<LedgerItem | null> {
  // Every version of the key shares this prefix: the ledger key is file#<bucket>/<key>#<version>.
  const prefix = fileLedgerKey({ bucket, key, versionId: '', etag: '' });
  const items = await recentIngestions(doc, table, { limit: 1000 });
  return items.find((i) => i.pk.startsWith(prefix)) ?? null;
}

/** Where a handled file went, as one short string. */
export function destinationOf(item: LedgerItem): string {
  const parts: string[] = [];
  if (item.processed_key) parts.push(item.processed_key);
  if (item.failed_key) parts.push(item.failed_key);
  if (item.errors_key) parts.push(item.errors_key);
  if (parts.length === 0 && item.archive_key) parts.push(item.archive_key);
  return parts.join(', ') || '-';
}

/** Where a handled file went, by prefix only: `processed-data/ + archive/`, `failed-data/ (original, errors report)`. */
export function prefixesOf(item: LedgerItem): string {
  const top = (key: string | null | undefined) => (key ? key.slice(0, key.indexOf('/') + 1) : null);
  const parts: string[] = [];
  if (item.processed_key) parts.push(top(item.processed_key)!);
  if (item.archive_key) parts.push(top(item.archive_key)!);
  const failed = [item.failed_key ? 'original' : null, item.errors_key ? 'errors report' : null].filter(Boolean);
  if (failed.length > 0) parts.push(`failed-data/ (${failed.join(', ')})`);
  return parts.join(' + ') || '-';
}

/** How far a file split into parts has come, from its ledger item. */
export interface PartsProgress {
  parts: number;
  /** Parts written (`parts_done`). */
  written: number;
  /** Parts scanned, when the item records it (the size of `parts_scanned`). */
  scanned: number | null;
  /** While PROCESSING; null once final, or when the item names no known phase. */
  phase: FilePhase | null;
}

const count = (value: unknown): number | null => (typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : null);

/** The size of a number set as the document client returns it (a Set), or of a list. */
const setSize = (value: unknown): number | null => (value instanceof Set ? value.size : Array.isArray(value) ? value.length : null);

/**
 * The parts of a file the processor split (docs/architecture.md), or null for a file processed in
 * one piece (`parts` absent, as on items written before parts existed, or 1). Pure.
 */
export function partsProgress(item: LedgerItem): PartsProgress | null {
  // Read as plain attributes: items of older deployments lack them, and their types belong to the processor.
  const raw = item as unknown as Record<string, unknown>;
  const parts = count(raw.parts);
  if (parts === null || parts <= 1) return null;
  const phase = FILE_PHASES.find((p) => p === raw.phase) ?? null;
  return {
    parts,
    written: Math.min(parts, count(raw.parts_done) ?? 0),
    scanned: setSize(raw.parts_scanned),
    phase: isFinal(item) ? null : phase,
  };
}
