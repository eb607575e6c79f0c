/**
 * What a file's processing left behind on a fresh local stack — its ledger counts, every item of
 * the orders table, the cleaned CSV and the errors report — and how two such outcomes differ, said
 * precisely (`npm run bench:parts` compares a file processed whole with the same file in parts).
 *
 * Each run has its own ingestion_id and start time, which the processor stamps on every order
 * (ingestion_id, processed_at = the ledger's started_at): those two values are replaced by
 * placeholders before comparing, and nothing else is.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { LedgerItem } from '../deployment/ledger-view.ts';
import type { LocalOutputs } from '../deployment/local-home.ts';
import { clientConfig, type Clients } from '../tooling/aws-clients.ts';

const LEDGER_FIELDS = ['status', 'rows', 'written', 'rejected', 'blank', 'reason'] as const;

export interface Outcome {
  ledger: Pick<LedgerItem, (typeof LEDGER_FIELDS)[number]>;
  /** order_id → the item as canonical JSON (sorted keys, per-run values replaced), for every item of the table. */
  orders: Map<string, string>;
  cleanedCsv: string;
  errorsCsv: string;
}

/** Replaces this run's ingestion_id and start time wherever they appear whole. */
function runNeutral(item: LedgerItem): (text: string) => string {
  return (text) => text.split(item.ingestion_id).join('<ingestion_id>').split(item.started_at).join('<started_at>');
}

/**
 * Read without the SDK's response checksum check: moto gives an object assembled by CopyObject
 * from a multipart source that source's checksum, which the SDK then rejects (docs/local.md).
 */
async function objectText(outputs: LocalOutputs, key: string | null | undefined): Promise<string> {
  if (!key) return '';
  const s3 = new S3Client({ ...clientConfig({ region: outputs.region, endpoint: outputs.endpoint }), responseChecksumValidation: 'WHEN_REQUIRED' });
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: outputs.bucket_name, Key: key }));
    return await out.Body!.transformToString('utf8');
  } finally {
    s3.destroy();
  }
}

const canonicalJson = (item: Record<string, unknown>): string =>
  JSON.stringify(Object.fromEntries(Object.entries(item).sort(([a], [b]) => a.localeCompare(b))));

/**
 * Every item of the orders table (the stack is fresh: they are this file's). The slowest step after
 * the Terraform applies: moto sorts the whole table for each Scan page, ~70 s for 70,000 items on
 * two cores (BatchGetItem by key measured no faster).
 */
async function orderItems(clients: Clients, table: string, neutral: (text: string) => string): Promise<Map<string, string>> {
  const orders = new Map<string, string>();
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await clients.doc.send(new ScanCommand({ TableName: table, ExclusiveStartKey: startKey }));
    for (const item of page.Items ?? []) orders.set(String(item.order_id), neutral(canonicalJson(item)));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return orders;
}

/** What the file the ledger `item` describes left on the stack. */
export async function readOutcome(clients: Clients, outputs: LocalOutputs, item: LedgerItem): Promise<Outcome> {
  const neutral = runNeutral(item);
  return {
    ledger: Object.fromEntries(LEDGER_FIELDS.map((f) => [f, item[f] ?? null])) as Outcome['ledger'],
    orders: await orderItems(clients, outputs.orders_table_name, neutral),
    cleanedCsv: neutral(await objectText(outputs, item.processed_key)),
    errorsCsv: neutral(await objectText(outputs, item.errors_key)),
  };
}

/** Conservation within one outcome: rows = written + rejected, and the table holds the written rows. */
export function conservationProblems(o: Outcome): string[] {
  const { rows = 0, written = 0, rejected = 0 } = o.ledger;
  const problems: string[] = [];
  if (rows !== written + rejected) problems.push(`rows ${rows} ≠ written ${written} + rejected ${rejected}`);
  if (o.orders.size !== written) problems.push(`${o.orders.size} items in the orders table ≠ written ${written}`);
  return problems;
}

const SHOWN = 5;
const clip = (text: string) => (text.length > 300 ? `${text.slice(0, 300)}…` : text);
const listed = (values: readonly string[]) => `${values.slice(0, SHOWN).map(clip).join('; ')}${values.length > SHOWN ? `; … (${values.length} in all)` : ''}`;

function textDifferences(what: string, a: string, b: string): string[] {
  if (a === b) return [];
  const la = a.split('\n');
  const lb = b.split('\n');
  const first = la.findIndex((line, i) => line !== lb[i]);
  const at = first === -1 ? la.length : first;
  const diffs = [`${what}: ${a.length} vs ${b.length} bytes, ${la.length} vs ${lb.length} lines; first difference on line ${at + 1}: ${clip(la[at] ?? '<end>')} | ${clip(lb[at] ?? '<end>')}`];
  const inB = new Set(lb);
  const inA = new Set(la);
  const onlyA = la.filter((l) => !inB.has(l));
  const onlyB = lb.filter((l) => !inA.has(l));
  if (onlyA.length + onlyB.length === 0) diffs.push(`${what}: the same lines in another order`);
  if (onlyA.length > 0) diffs.push(`${what}: lines only in the first: ${listed(onlyA)}`);
  if (onlyB.length > 0) diffs.push(`${what}: lines only in the second: ${listed(onlyB)}`);
  return diffs;
}

function orderDifferences(a: Map<string, string>, b: Map<string, string>): string[] {
  const onlyA = [...a.keys()].filter((id) => !b.has(id));
  const onlyB = [...b.keys()].filter((id) => !a.has(id));
  const changed = [...a.entries()].filter(([id, item]) => b.has(id) && b.get(id) !== item).map(([id, item]) => `${item} vs ${b.get(id)}`);
  const diffs: string[] = [];
  if (onlyA.length > 0) diffs.push(`orders table: ${onlyA.length} order_id(s) only in the first: ${listed(onlyA)}`);
  if (onlyB.length > 0) diffs.push(`orders table: ${onlyB.length} order_id(s) only in the second: ${listed(onlyB)}`);
  if (changed.length > 0) diffs.push(`orders table: ${changed.length} item(s) differ: ${listed(changed)}`);
  return diffs;
}

/** Every way the second outcome differs from the first; empty when they are the same. */
export function outcomeDifferences(a: Outcome, b: Outcome): string[] {
  const ledger = LEDGER_FIELDS.filter((f) => a.ledger[f] !== b.ledger[f]).map((f) => `ledger ${f}: ${String(a.ledger[f])} vs ${String(b.ledger[f])}`);
  return [
    ...ledger,
    ...orderDifferences(a.orders, b.orders),
    ...textDifferences('cleaned CSV (processed-data/)', a.cleanedCsv, b.cleanedCsv),
    ...textDifferences('errors report (failed-data/)', a.errorsCsv, b.errorsCsv),
  ];
}
