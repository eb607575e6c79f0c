/**
 * What re-import costs (docs/performance.md "Re-import of orders with several lines"): the
 * DynamoDB requests the processor sends to the orders table per order, counted by a middleware on
 * its own client against moto, and the process CPU per line. Four files of the same orders:
 *  1. single-line orders under the built-in schema (no line column: no Query, no delete);
 *  2. the same orders with one line each under a schema with order lines (sample-data/shop-export/);
 *  3. a first import of three lines per order, then
 *  4. its re-import with two of the three lines (the second changed, the third dropped).
 * Each file in a process of its own (the handler's source, run with tsx, as the tests run it).
 *
 * Run alone with `npm run bench:reimport` (BENCH_QUICK=1: 200 orders instead of 1,000), or as
 * part of `npm run bench`.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { renderTable } from '../cli/render/table.ts';
import { fileLedgerKey, loadHandlerWiring, loadSchemaFile, type LedgerItem } from '../functions/order-processor/index.ts';
import { getLedgerItem } from '../deployment/ledger-view.ts';
import { clientConfig } from '../tooling/aws-clients.ts';
import { lambdaContext, objectCreatedBody, toSqsEvent } from '../tooling/lambda-events.ts';
import { PROJECT_PATHS } from '../tooling/project.ts';
import { reportToParent, runTypescript } from './child.ts';
import { createResources, processorEnv, type Resources, type Server } from './runs.ts';

const REGION = 'us-east-1';
const SHOP_SCHEMA = join(PROJECT_PATHS.sampleData, 'shop-export', 'order-schema.json');
const SHOP_HEADER = 'Order Number,Created at,Billing Name,Email,Currency,Lineitem Name,Lineitem Quantity,Lineitem Price';

/** The orders table's requests by kind. */
export interface TableRequests {
  BatchWriteItem: number;
  PutItem: number;
  Query: number;
  DeleteItem: number;
}

export interface ReimportRun {
  what: string;
  orders: number;
  lines: number;
  requests: TableRequests;
  /** Process CPU of the invocation per line written (reading, writing, pruning, concluding). */
  cpuMicrosPerLine: number;
  status: string;
  written: number;
}

/** One file: `orders` orders named `prefix`-n, each of `lines` as [product, quantity]; a shop-style export under the shop schema, or the built-in layout. */
interface FileSpec {
  what: string;
  prefix: string;
  orders: number;
  lines: readonly (readonly [string, number])[];
  shop: boolean;
}

interface ChildArgs extends FileSpec {
  res: Resources;
}

function ordersCsv({ prefix, orders, lines, shop }: FileSpec): string {
  const out = [shop ? SHOP_HEADER : 'order_id,customer_name,product_name,quantity,unit_price'];
  for (let o = 1; o <= orders; o++) {
    const id = `${prefix}-${o}`;
    lines.forEach(([product, quantity], i) => out.push(shop ? (i === 0 ? `${id},2025-05-01,Ann,,EUR,${product},${quantity},1` : `${id},,,,,${product},${quantity},1`) : `${id},Ann,${product},${quantity},1`));
  }
  return `${out.join('\n')}\n`;
}

/** The child's side: one file through the handler, the orders table's requests counted. */
async function invokeCounted(spec: ChildArgs): Promise<ReimportRun> {
  const { what, orders, res } = spec;
  const key = `raw-data/reimport/${what.replace(/\W+/g, '-')}.csv`;
  const csv = ordersCsv(spec);
  const lines = orders * spec.lines.length;
  const { readOrders, clientsFromEnv, configFromEnv, createSqsHandler } = await loadHandlerWiring();
  const clients = clientsFromEnv();
  const requests: TableRequests = { BatchWriteItem: 0, PutItem: 0, Query: 0, DeleteItem: 0 };
  clients.doc.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { TableName?: string; RequestItems?: Record<string, unknown> };
      const table = input.TableName ?? Object.keys(input.RequestItems ?? {})[0];
      const kind = String(context.commandName).replace(/Command$/, '') as keyof TableRequests;
      if (table === res.ordersTable && kind in requests) requests[kind]++;
      return next(args);
    },
    { step: 'initialize', name: 'countOrdersTableRequests' },
  );
  const config = { ...configFromEnv(), ...(spec.shop ? { schema: loadSchemaFile(SHOP_SCHEMA) } : {}) };
  const handler = createSqsHandler(() => ({ ...clients, config, readOrders }));
  const put = await clients.s3.send(new PutObjectCommand({ Bucket: res.bucket, Key: key, Body: csv }));
  const obj = { bucket: res.bucket, key, etag: (put.ETag ?? '').replaceAll('"', ''), versionId: put.VersionId ?? null, size: Buffer.byteLength(csv) };
  const event = toSqsEvent([{ MessageId: key, ReceiptHandle: key, Body: objectCreatedBody(obj), Attributes: { ApproximateReceiveCount: '1' } }], {
    arn: `arn:aws:sqs:${REGION}:123456789012:order-pipeline-bench-ingest`,
    region: REGION,
  });
  const context = lambdaContext({ functionName: 'order-pipeline-bench-processor', functionArn: `arn:aws:lambda:${REGION}:123456789012:function:order-pipeline-bench-processor`, memoryMb: 1024, timeoutSeconds: 900 });
  const cpu = process.cpuUsage();
  const response = await handler(event, context);
  const used = process.cpuUsage(cpu);
  if (response.batchItemFailures.length > 0) throw new Error(`${what}: the record failed`);
  const ledger: LedgerItem | null = await getLedgerItem(clients.doc, res.ingestionsTable, fileLedgerKey(obj));
  return { what, orders, lines, requests, cpuMicrosPerLine: (used.user + used.system) / lines, status: ledger?.status ?? 'missing', written: ledger?.written ?? 0 };
}

const SELF = fileURLToPath(import.meta.url);

/** The four files, each in a process of its own, against moto at `motoEndpoint` (fresh resources). */
export async function measureReimport(server: Server, quick: boolean, say: (text: string) => void = () => undefined): Promise<ReimportRun[]> {
  const orders = quick ? 200 : 1000;
  const res = await createResources(server);
  const env = processorEnv(server, res, 4);
  // Each kind of file has orders of its own (prefix), except the re-import, which carries the first import's orders.
  const one = async (what: string, prefix: string, lines: FileSpec['lines'], shop: boolean): Promise<ReimportRun> => {
    const started = performance.now();
    const run = await runTypescript<ReimportRun>(SELF, { what, prefix, orders, lines, shop, res } satisfies ChildArgs, { ...env, POWERTOOLS_METRICS_DISABLED: 'true' });
    say(`${what}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return run;
  };
  return [
    await one('single-line orders, built-in schema', 'S', [['Pen', 1]], false),
    await one('single-line orders, schema with order lines', 'SL', [['Pen', 1]], true),
    await one('three lines per order, first import', 'ML', [['Pen', 1], ['Ink', 1], ['Pad', 1]], true),
    await one('re-import: two of the three lines kept', 'ML', [['Pen', 2], ['Pad', 1]], true),
  ];
}

/** The runs as a table: requests per order. */
export function reimportTable(runs: readonly ReimportRun[]): string {
  const per = (n: number, r: ReimportRun) => (n / r.orders).toFixed(2);
  return renderTable(
    ['file', 'orders', 'lines', 'BatchWriteItem/order', 'PutItem/order', 'Query/order', 'DeleteItem/order', 'CPU µs/line', 'outcome'],
    runs.map((r) => [r.what, r.orders, r.lines, per(r.requests.BatchWriteItem, r), per(r.requests.PutItem, r), per(r.requests.Query, r), per(r.requests.DeleteItem, r), r.cpuMicrosPerLine.toFixed(0), `${r.status} ${r.written}`]),
  );
}

if (process.send) {
  await reportToParent(invokeCounted);
} else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { startMoto } = await import('../tooling/emulator.ts');
  const moto = await startMoto();
  try {
    const runs = await measureReimport({ motoEndpoint: moto.endpoint, motoPid: moto.pid, proxy: null }, process.env.BENCH_QUICK === '1', (text) => process.stderr.write(`[reimport] ${text}\n`));
    process.stdout.write(`Re-import: the orders table's requests per order (docs/performance.md "Re-import of orders with several lines")\n${reimportTable(runs)}\n`);
  } finally {
    await moto.stop();
  }
}
