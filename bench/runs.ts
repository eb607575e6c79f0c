/**
 * One measured run against one server (moto itself, or the instant table in front of it): fresh
 * resources, the file uploaded outside the clock, the measurement in a process of its own, the
 * servers' CPU read from /proc around it, conservation checked afterwards (a failed check fails
 * the benchmark). Two kinds: the Lambda bundle in plain node (bundle-run.mjs) and the bare
 * BatchWriteItem loop (bare-loop.ts).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { getLedgerItem } from '../deployment/ledger-view.ts';
import { DEFAULTS, ENV, fileLedgerKey, type LedgerItem } from '../functions/order-processor/index.ts';
import { clientConfig, emulatorEnv } from '../tooling/aws-clients.ts';
import { lambdaContext, objectCreatedBody, toSqsEvent, type CreatedObject } from '../tooling/lambda-events.ts';
import { ledgerTableCommand, ordersTableCommand } from '../tooling/tables.ts';
import type { BareLoopArgs, BareLoopResult } from './bare-loop.ts';
import { runChild, runTypescript } from './child.ts';
import type { BenchFile } from './data.ts';
import type { InstantTable } from './instant-table.ts';
import type { BareRun, Check, Conservation, FileRun } from './results.ts';

const REGION = 'us-east-1';

/** Where the measured process sends its AWS calls: moto, or the instant table in front of it. */
export interface Server {
  motoEndpoint: string;
  motoPid: number;
  proxy: InstantTable | null;
}

export interface Resources {
  bucket: string;
  ordersTable: string;
  ingestionsTable: string;
  topicArn: string;
  /** Every deployment has a parts queue (the processor requires it); the benchmark's files are never split. */
  partsQueueUrl: string;
}

const config = (server: Server) => clientConfig({ endpoint: server.motoEndpoint, region: REGION });
let runs = 0;

/** A versioned bucket, the orders table, the ledger, the alerts topic and the parts queue, fresh for one run. */
export async function createResources(server: Server): Promise<Resources> {
  const name = `order-pipeline-bench-${++runs}`;
  const [s3, ddb, sns, sqs] = [new S3Client(config(server)), new DynamoDBClient(config(server)), new SNSClient(config(server)), new SQSClient(config(server))];
  try {
    const res = { bucket: `${name}-data`, ordersTable: `${name}-orders`, ingestionsTable: `${name}-ingestions`, topicArn: '', partsQueueUrl: '' };
    await s3.send(new CreateBucketCommand({ Bucket: res.bucket }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: res.bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    await ddb.send(ordersTableCommand(res.ordersTable));
    await ddb.send(ledgerTableCommand(res.ingestionsTable));
    res.topicArn = (await sns.send(new CreateTopicCommand({ Name: `${name}-alerts` }))).TopicArn ?? '';
    res.partsQueueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${name}-parts` }))).QueueUrl ?? '';
    return res;
  } finally {
    [s3, ddb, sns, sqs].forEach((c) => c.destroy());
  }
}

/** The environment the stack gives the processor, its AWS calls sent to the server. */
export function processorEnv(server: Server, res: Resources, writeConcurrency: number): Record<string, string> {
  return {
    ...emulatorEnv(server.proxy?.endpoint ?? server.motoEndpoint, REGION),
    [ENV.ordersTable]: res.ordersTable,
    [ENV.ingestionsTable]: res.ingestionsTable,
    [ENV.alertsTopicArn]: res.topicArn,
    [ENV.dataBucket]: res.bucket,
    [ENV.partsQueueUrl]: res.partsQueueUrl,
    // One invocation over the whole file is what is measured: never split it (the default threshold,
    // derived from the function's memory and timeout, is below the memory run's 1,000,000 rows).
    [ENV.fanoutThresholdMb]: String(DEFAULTS.MAX_FILE_MB),
    [ENV.stage]: 'bench',
    [ENV.writeConcurrency]: String(writeConcurrency),
    // WARN: the benchmark measures the work, not per-file INFO lines; metrics stay on, as deployed.
    POWERTOOLS_LOG_LEVEL: 'WARN',
    NODE_OPTIONS: '',
  };
}

/** utime + stime of a process in ms, from /proc (Linux); null elsewhere. */
function processCpuMs(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // Fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

/** `work`, with the servers' CPU and the items the instant table answered meanwhile. */
async function observed<T>(server: Server, work: () => Promise<T>): Promise<{ value: T; serverCpuMs: number | null; answered: number }> {
  const pids = [server.motoPid, ...(server.proxy ? [server.proxy.pid] : [])];
  const cpu = () => pids.map(processCpuMs).reduce<number | null>((sum, ms) => (sum === null || ms === null ? null : sum + ms), 0);
  const [before, cpu0] = [await server.proxy?.stats(), cpu()];
  const value = await work();
  const [cpu1, after] = [cpu(), await server.proxy?.stats()];
  return { value, serverCpuMs: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0, answered: (after?.itemsAnswered ?? 0) - (before?.itemsAnswered ?? 0) };
}

/** Items the run left: those the instant table answered, or those moto's table holds (ItemCount is live in moto). */
async function storedItems(server: Server, table: string, answered: number): Promise<{ stored: number; where: string }> {
  if (server.proxy) return { stored: answered, where: 'items the instant table answered' };
  const ddb = new DynamoDBClient(config(server));
  try {
    return { stored: (await ddb.send(new DescribeTableCommand({ TableName: table }))).Table?.ItemCount ?? 0, where: 'items in the orders table' };
  } finally {
    ddb.destroy();
  }
}

const conservation = (checks: Check[]): Conservation => ({ ok: checks.every((c) => c.ok), checks });

/** The file's ledger accounts for every generated row, and the server received exactly `written` items. */
export function fileConservation(ledger: Pick<LedgerItem, 'status' | 'rows' | 'written' | 'rejected'> | null, generated: number, batchFailures: number, stored: { stored: number; where: string }): Conservation {
  const [status, rows, written, rejected] = [ledger?.status ?? 'missing', ledger?.rows ?? NaN, ledger?.written ?? NaN, ledger?.rejected ?? NaN];
  return conservation([
    { name: 'no failed SQS record', ok: batchFailures === 0, detail: `${batchFailures} batch item failure(s)` },
    { name: 'ledger final', ok: status === 'PROCESSED' || status === 'PARTIAL', detail: `status ${status}` },
    { name: 'rows = written + rejected', ok: rows === written + rejected, detail: `${rows} = ${written} + ${rejected}` },
    { name: 'rows = generated rows', ok: rows === generated, detail: `${rows} vs ${generated} generated` },
    { name: `${stored.where} = written`, ok: stored.stored === written, detail: `${stored.stored} vs ${written} written` },
  ]);
}

const BUNDLE_RUN = fileURLToPath(new URL('./bundle-run.mjs', import.meta.url));

type BundleRunResult = Pick<FileRun, 'seconds' | 'cpuMs' | 'maxRssBytes' | 'rssBeforeBytes'> & { batchFailures: number };

/** The Lambda bundle's handler on the file in plain node (no tsx), as the SQS event Lambda would deliver. */
export async function runBundle(server: Server, bundleFile: string, file: BenchFile, writeConcurrency: number): Promise<FileRun> {
  const res = await createResources(server);
  const s3 = new S3Client(config(server));
  const key = `raw-data/bench/orders-${file.rows}.csv${file.gzip ? '.gz' : ''}`;
  const put = await s3.send(new PutObjectCommand({ Bucket: res.bucket, Key: key, Body: readFileSync(file.path) }));
  s3.destroy();
  const obj: CreatedObject = { bucket: res.bucket, key, etag: (put.ETag ?? '').replaceAll('"', ''), versionId: put.VersionId ?? null, size: file.bytes };
  const event = toSqsEvent([{ MessageId: 'bench-1', ReceiptHandle: 'bench-1', Body: objectCreatedBody(obj), Attributes: { ApproximateReceiveCount: '1' } }], {
    arn: `arn:aws:sqs:${REGION}:123456789012:order-pipeline-bench-ingest`,
    region: REGION,
  });
  const context = lambdaContext({ functionName: 'order-pipeline-bench-processor', functionArn: `arn:aws:lambda:${REGION}:123456789012:function:order-pipeline-bench-processor`, memoryMb: 1024, timeoutSeconds: 900 });
  const argv = [BUNDLE_RUN, bundleFile, JSON.stringify(event), JSON.stringify(context)];
  const run = await observed(server, () => runChild<BundleRunResult>(`bundle ${file.rows}`, argv, processorEnv(server, res, writeConcurrency)));
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient(config(server)));
  const ledger = await getLedgerItem(doc, res.ingestionsTable, fileLedgerKey(obj)).finally(() => doc.destroy());
  const rows = ledger?.rows ?? 0;
  const r = run.value;
  return {
    rows,
    seconds: r.seconds,
    rowsPerSecond: rows / r.seconds,
    cpuMs: r.cpuMs,
    microsPerRow: (r.cpuMs * 1000) / Math.max(1, rows),
    maxRssBytes: r.maxRssBytes,
    rssBeforeBytes: r.rssBeforeBytes,
    serverCpuMs: run.serverCpuMs,
    conservation: fileConservation(ledger, file.rows, r.batchFailures, await storedItems(server, res.ordersTable, run.answered)),
  };
}

const BARE_LOOP = fileURLToPath(new URL('./bare-loop.ts', import.meta.url));

export async function runBareLoop(server: Server, file: BenchFile, writeConcurrency: number): Promise<BareRun> {
  const res = await createResources(server);
  const args: BareLoopArgs = { path: file.path, sourceKey: `raw-data/bench/orders-${file.rows}.csv`, table: res.ordersTable, concurrency: writeConcurrency };
  const run = await observed(server, () => runTypescript<BareLoopResult>(BARE_LOOP, args, processorEnv(server, res, writeConcurrency)));
  const r = run.value;
  const { stored, where } = await storedItems(server, res.ordersTable, run.answered);
  return {
    items: r.items,
    seconds: r.seconds,
    itemsPerSecond: r.itemsPerSecond,
    cpuMs: r.cpuMs,
    microsPerItem: r.microsPerItem,
    serverCpuMs: run.serverCpuMs,
    conservation: conservation([
      { name: `${where} = items sent`, ok: stored === r.itemsSent, detail: `${stored} vs ${r.itemsSent} sent` },
      { name: 'no unprocessed items', ok: r.unprocessed === 0, detail: `${r.unprocessed} unprocessed` },
    ]),
  };
}
