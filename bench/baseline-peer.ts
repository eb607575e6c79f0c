/**
 * Part 3: the peers' baseline — what typical portfolio S3→Lambda→DynamoDB pipelines do, written
 * the way they write it, so our numbers have something honest to be compared with:
 *   - the whole object read into memory (`Body.transformToString()`),
 *   - lines split naively on "\n" and fields on ",", mapped by header position,
 *   - `parseInt` / `parseFloat`, a row skipped with a log line when they give NaN,
 *   - one `PutItem` per row, awaited in turn, errors logged and the loop carried on.
 * `peerHandler` is that pipeline; the only addition is `shouldStop`, which lets the benchmark
 * time-box it (one PutItem at a time against moto is ~100 rows/s). `analysePeer` replays the
 * same parsing over the whole file and compares what it would store with the CSV contract's rows.
 */
import type { SQSEvent } from 'aws-lambda';
import { createReadStream } from 'node:fs';
import { cpuUsage } from 'node:process';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { readOrders } from '../functions/order-processor/contract/reader.ts';
import type { Order } from '../functions/order-processor/contract/types.ts';
import { itemCount, RequestCounter, uploadFile } from './aws.ts';
import { objectCreatedEvent } from './events.ts';
import { MemorySampler, type MemoryReport } from './memory.ts';
import { benchClientConfig, type BenchResources } from './setup.ts';

// ---------- the peers' pipeline ----------

/** What a typical peer stores per row. */
export interface PeerItem {
  order_id: string | undefined;
  customer_id: string | undefined;
  customer_name: string | undefined;
  customer_email: string | undefined;
  product_sku: string | undefined;
  product_name: string | undefined;
  quantity: number;
  unit_price: number;
  currency: string;
  order_date: string | undefined;
  total_amount: number;
  processed_at: string;
}

/** The peer's row parsing: split on commas, map by header position, parseInt/parseFloat. */
export function peerParseLine(headers: string[], line: string): PeerItem | null {
  const values = line.split(',');
  const row: Record<string, string | undefined> = {};
  headers.forEach((h, i) => {
    row[h] = values[i]?.trim();
  });
  const quantity = parseInt(row.quantity ?? '', 10);
  const unitPrice = parseFloat(row.unit_price ?? '');
  if (!row.order_id || isNaN(quantity) || isNaN(unitPrice)) return null;
  return {
    order_id: row.order_id,
    customer_id: row.customer_id,
    customer_name: row.customer_name,
    customer_email: row.customer_email,
    product_sku: row.product_sku,
    product_name: row.product_name,
    quantity,
    unit_price: unitPrice,
    currency: row.currency || 'USD',
    order_date: row.order_date,
    total_amount: quantity * unitPrice,
    processed_at: new Date().toISOString(),
  };
}

export interface PeerStats {
  /** Lines the peer took for data rows (non-empty lines after the header). */
  rowsSeen: number;
  written: number;
  skipped: number;
  failed: number;
  firstErrors: string[];
  /** True when shouldStop ended the loop before the last line. */
  stoppedEarly: boolean;
}

export interface PeerDeps {
  s3: S3Client;
  doc: DynamoDBDocumentClient;
  tableName: string;
  /** Benchmark hook: checked before each row. */
  shouldStop?: () => boolean;
  /** Benchmark hook: the peer's memory is at its peak right after reading and splitting. */
  onLoaded?: () => void;
}

export async function peerHandler(event: SQSEvent, deps: PeerDeps): Promise<PeerStats> {
  const stats: PeerStats = { rowsSeen: 0, written: 0, skipped: 0, failed: 0, firstErrors: [], stoppedEarly: false };
  for (const record of event.Records) {
    const body = JSON.parse(record.body) as { detail: { bucket: { name: string }; object: { key: string } } };
    const bucket = body.detail.bucket.name;
    const key = body.detail.object.key;
    const obj = await deps.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const text = (await obj.Body?.transformToString()) ?? '';
    const lines = text.split('\n');
    const headers = (lines[0] ?? '').split(',').map((h) => h.trim());
    deps.onLoaded?.();
    for (let i = 1; i < lines.length; i++) {
      if (deps.shouldStop?.()) {
        stats.stoppedEarly = true;
        break;
      }
      const line = (lines[i] ?? '').trim();
      if (!line) continue;
      stats.rowsSeen++;
      const item = peerParseLine(headers, line);
      if (!item) {
        console.warn(`Skipping invalid row ${i}`);
        stats.skipped++;
        continue;
      }
      try {
        await deps.doc.send(new PutCommand({ TableName: deps.tableName, Item: item }));
        stats.written++;
      } catch (err) {
        console.error(`Failed to write row ${i}`, err);
        stats.failed++;
        if (stats.firstErrors.length < 3) stats.firstErrors.push(`line ${i + 1}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
  return stats;
}

// ---------- what the peer would store, against the contract ----------

export interface PeerAnalysis {
  /** Data records in the file according to the CSV contract (quoted newlines understood). */
  contractRows: number;
  /** Non-empty lines after the header: what the peer counts as rows. */
  peerRows: number;
  /** Items the peer would store with every compared attribute equal to the contract's row. */
  exact: number;
  /** Items stored under a real order_id but with wrong values (shifted columns, quotes kept). */
  wrongValues: number;
  /** Real rows never stored: skipped as invalid, or the PutItem would fail (undefined attribute). */
  lost: number;
  /** Items stored under an order_id that is not in the file (fragments of multi-line records). */
  phantom: number;
  /** A few examples of each problem, for the report. */
  examples: string[];
}

const COMPARED = ['customer_name', 'product_name', 'quantity', 'unit_price', 'currency'] as const;

/** The DocumentClient rejects undefined attributes (without removeUndefinedValues) and NaN numbers. */
const wouldFailToMarshall = (item: PeerItem): boolean =>
  Object.values(item).some((v) => v === undefined || (typeof v === 'number' && !Number.isFinite(v)));

export async function analysePeer(path: string, text: string): Promise<PeerAnalysis> {
  const truth = new Map<string, Pick<Order, (typeof COMPARED)[number]>>();
  const now = new Date();
  for await (const event of readOrders(createReadStream(path), { sourceKey: path, ingestionId: 'bench', processedAt: now.toISOString(), now })) {
    if (event.kind === 'valid') {
      const { customer_name, product_name, quantity, unit_price, currency } = event.order;
      truth.set(event.order.order_id, { customer_name, product_name, quantity, unit_price, currency });
    }
  }
  const lines = text.split('\n');
  const headers = (lines[0] ?? '').split(',').map((h) => h.trim());
  const a: PeerAnalysis = { contractRows: truth.size, peerRows: 0, exact: 0, wrongValues: 0, lost: 0, phantom: 0, examples: [] };
  const stored = new Set<string>();
  let unstored = 0;
  const example = (kind: string, n: number, line: string) => {
    if (n <= 2) a.examples.push(`${kind}, line ${line}`);
  };
  for (let i = 1; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (!line) continue;
    a.peerRows++;
    const item = peerParseLine(headers, line);
    if (!item || wouldFailToMarshall(item) || !item.order_id) {
      unstored++;
      const why = item ? 'PutItem would fail: an attribute is undefined' : 'skipped: order_id, quantity or unit_price unusable';
      example(`not stored (${why})`, unstored, `${i + 1}: ${line.slice(0, 90)}`);
      continue;
    }
    const expected = truth.get(item.order_id);
    if (!expected) {
      a.phantom++;
      example(`phantom item order_id=${JSON.stringify(item.order_id)}`, a.phantom, `${i + 1}: ${line.slice(0, 90)}`);
      continue;
    }
    stored.add(item.order_id);
    const wrong = COMPARED.filter((c) => item[c] !== expected[c]);
    if (wrong.length === 0) a.exact++;
    else {
      a.wrongValues++;
      example(
        `wrong values (${wrong.map((c) => `${c}=${JSON.stringify(item[c])}, expected ${JSON.stringify(expected[c])}`).join('; ')})`,
        a.wrongValues,
        `${i + 1}`,
      );
    }
  }
  for (const id of truth.keys()) if (!stored.has(id)) a.lost++;
  return a;
}

// ---------- the measured run ----------

export interface PeerRunArgs {
  resources: BenchResources;
  path: string;
  /** Stop writing after this many seconds (0 = write the whole file). */
  budgetSeconds: number;
}

export interface PeerRunResult {
  seconds: number;
  /** Rows the peer got through per second (its lines, written or skipped). */
  rowsPerSecond: number;
  /** Whole-file time at that rate (= seconds when not time-boxed). */
  projectedSeconds: number;
  stats: PeerStats;
  itemsInTable: number;
  requests: Record<string, number>;
  cpuMs: number;
  memory: MemoryReport;
  analysis: PeerAnalysis;
}

export async function measurePeer(args: PeerRunArgs, progress: (text: string) => void): Promise<PeerRunResult> {
  const { resources: res } = args;
  const cfg = benchClientConfig(res.endpoint);
  const s3 = new S3Client(cfg);
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient(cfg));
  const obj = await uploadFile(s3, res.bucket, `peer-input/${args.path.split('/').pop() ?? 'orders.csv'}`, args.path);
  const event = objectCreatedEvent(obj);

  const counter = new RequestCounter().start();
  const sampler = new MemorySampler().start();
  const cpu0 = cpuUsage();
  const t0 = performance.now();
  const deadline = args.budgetSeconds > 0 ? t0 + args.budgetSeconds * 1000 : Number.POSITIVE_INFINITY;
  const ticker = setInterval(() => {
    const puts = counter.count('PutItem');
    progress(`peer baseline: ${puts.toLocaleString('en-US')} PutItem calls… ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }, 2000);
  // The peer logs every skipped or failed row; keep that cost, drop the text.
  const { warn, error } = console;
  console.warn = () => undefined;
  console.error = () => undefined;
  let stats: PeerStats;
  try {
    stats = await peerHandler(event, {
      s3,
      doc,
      tableName: res.peerOrdersTable,
      shouldStop: () => performance.now() > deadline,
      onLoaded: () => sampler.sample(),
    });
  } finally {
    console.warn = warn;
    console.error = error;
    clearInterval(ticker);
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuUsage(cpu0);
  const memory = sampler.stop();
  counter.stop();

  const itemsInTable = await itemCount(res.endpoint, res.peerOrdersTable);
  const text = (await (await s3.send(new GetObjectCommand({ Bucket: obj.bucket, Key: obj.key }))).Body?.transformToString()) ?? '';
  const analysis = await analysePeer(args.path, text);
  s3.destroy();
  doc.destroy();

  const rowsPerSecond = stats.rowsSeen / seconds;
  return {
    seconds,
    rowsPerSecond,
    projectedSeconds: stats.stoppedEarly ? analysis.peerRows / rowsPerSecond : seconds,
    stats,
    itemsInTable,
    requests: counter.toJSON(),
    cpuMs: (cpu.user + cpu.system) / 1000,
    memory,
    analysis,
  };
}
