/**
 * One measured run against one server (moto itself, or the instant table in front of it), from
 * the coordinator's side: fresh resources, the file uploaded outside the clock, the measurement
 * in a process of its own, the server's CPU read from /proc around it, conservation checked
 * afterwards. Three kinds: the processor under tsx (processor-bench.ts), the bare BatchWriteItem
 * loop (bare-loop.ts), and the Lambda bundle in plain node for memory (bundle-run.mjs).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { S3Client } from '@aws-sdk/client-s3';
import type { BareClient, BareLoopResult } from './bare-loop.ts';
import { itemCount, uploadFile } from './aws.ts';
import { runChild, runWorker } from './child.ts';
import { bareConservation, fileConservation, ledgerOf, type Conservation, type LedgerSummary } from './conservation.ts';
import type { BenchFile } from './data.ts';
import { benchContext, objectCreatedEvent, type UploadedObject } from './events.ts';
import type { InstantTable } from './instant-table.ts';
import type { ProcessorRunResult } from './processor-bench.ts';
import { benchClientConfig, createBenchResources, processorEnv, type BenchResources } from './setup.ts';

/** Where the measured process sends its AWS calls. */
export interface Server {
  name: 'instant table' | 'moto';
  motoEndpoint: string;
  motoPid: number;
  /** Present for the instant table. */
  proxy: InstantTable | null;
}

export interface RunContext {
  writeConcurrency: number;
  say: (text: string) => void;
}

export interface ProcessorEntry extends ProcessorRunResult {
  server: Server['name'];
  rows: number;
  rowsPerSecond: number;
  /** Node CPU of the measured process per data row. */
  microsPerRow: number;
  /** CPU of moto (and of the proxy) during the run; null where /proc is not readable. */
  serverCpuMs: number | null;
  ledger: LedgerSummary | null;
  conservation: Conservation;
}

export interface BareEntry extends BareLoopResult {
  server: Server['name'];
  serverCpuMs: number | null;
  conservation: Conservation;
}

export interface MemoryEntry {
  rows: number;
  fileBytes: number;
  /** Time to require the bundle in that process (module load, cold). */
  loadMs: number;
  seconds: number;
  rowsPerSecond: number;
  cpuMs: number;
  microsPerRow: number;
  /** RSS with the bundle loaded, before the invocation. */
  rssBeforeBytes: number;
  /** The process's peak RSS (maxRSS), module load and invocation. */
  maxRssBytes: number;
  /** Peaks of V8's heap (reserved, used: garbage included) and of memory outside it (buffers), sampled every 100 ms. */
  peak: { heapTotalBytes: number; heapUsedBytes: number; externalBytes: number };
  /** V8 flags the run had (e.g. a heap cap), if any. */
  nodeOptions: string;
  ledger: LedgerSummary | null;
  conservation: Conservation;
}

const endpointOf = (server: Server) => server.proxy?.endpoint ?? server.motoEndpoint;
const storedWhere = (server: Server) => (server.proxy ? 'items the instant table answered' : 'items in the orders table');

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

/** CPU of moto (and the proxy) and the proxy's counters, around `work`. */
export async function observed<T>(server: Server, work: () => Promise<T>): Promise<{ value: T; serverCpuMs: number | null; answered: number; batchWrites: number }> {
  const pids = [server.motoPid, ...(server.proxy ? [server.proxy.pid] : [])];
  const cpu = () => pids.map(processCpuMs).reduce<number | null>((sum, ms) => (sum === null || ms === null ? null : sum + ms), 0);
  const before = await server.proxy?.stats();
  const cpu0 = cpu();
  const value = await work();
  const cpu1 = cpu();
  const after = await server.proxy?.stats();
  return {
    value,
    serverCpuMs: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0,
    answered: (after?.itemsAnswered ?? 0) - (before?.itemsAnswered ?? 0),
    batchWrites: (after?.batchWriteRequests ?? 0) - (before?.batchWriteRequests ?? 0),
  };
}

/** What a run left on the server: the items it stored (or the instant table answered). */
async function storedItems(server: Server, res: BenchResources, run: { answered: number }): Promise<number> {
  return server.proxy ? run.answered : itemCount(server.motoEndpoint, res.ordersTable);
}

/** A file run's outcome: its ledger item, the items stored, and the rows the ledger counted. */
async function fileOutcome(server: Server, res: BenchResources, obj: UploadedObject, run: { answered: number }) {
  const ledger = await ledgerOf(server.motoEndpoint, res.ingestionsTable, obj);
  const stored = await storedItems(server, res, run);
  return { ledger, stored, rows: ledger?.rows ?? 0 };
}

let runs = 0;

/** Fresh bucket, tables and topic on moto, with the file uploaded to raw-data/. */
async function prepare(server: Server, file: BenchFile, label: string): Promise<{ res: BenchResources; obj: UploadedObject }> {
  const res = await createBenchResources(server.motoEndpoint, `bench-${++runs}`);
  const s3 = new S3Client(benchClientConfig(server.motoEndpoint));
  try {
    const obj = await uploadFile(s3, res.bucket, `raw-data/bench/${label}.csv${file.gzip ? '.gz' : ''}`, file.path);
    return { res, obj };
  } finally {
    s3.destroy();
  }
}

export async function runProcessor(ctx: RunContext, server: Server, file: BenchFile, label: string, profilePath?: string): Promise<ProcessorEntry> {
  const { res, obj } = await prepare(server, file, label);
  const args = { event: objectCreatedEvent(obj), label, expectedRows: file.rows, ...(profilePath ? { profilePath } : {}) };
  const run = await observed(server, () =>
    runWorker<ProcessorRunResult>('processor', args, { env: processorEnv(res, ctx.writeConcurrency, endpointOf(server)), onProgress: ctx.say }),
  );
  const result = run.value;
  const { ledger, stored, rows } = await fileOutcome(server, res, obj, run);
  return {
    ...result,
    server: server.name,
    rows,
    rowsPerSecond: rows / result.seconds,
    microsPerRow: (result.cpuMs * 1000) / Math.max(1, rows),
    serverCpuMs: run.serverCpuMs,
    ledger,
    conservation: fileConservation({
      ledger,
      expectedRows: file.rows,
      batchFailures: result.batchFailures,
      stored,
      storedWhere: storedWhere(server),
      batchWriteCalls: server.proxy ? run.batchWrites : (result.requests.BatchWriteItem ?? 0),
    }),
  };
}

export async function runBareLoop(ctx: RunContext, server: Server, file: BenchFile, client: BareClient): Promise<BareEntry> {
  const res = await createBenchResources(server.motoEndpoint, `bench-${++runs}`);
  const args = { path: file.path, sourceKey: `raw-data/bench/${file.rows}.csv`, table: res.ordersTable, concurrency: ctx.writeConcurrency, client };
  const run = await observed(server, () =>
    runWorker<BareLoopResult>('bare-loop', args, { env: processorEnv(res, ctx.writeConcurrency, endpointOf(server)), onProgress: ctx.say }),
  );
  const stored = await storedItems(server, res, run);
  return { ...run.value, server: server.name, serverCpuMs: run.serverCpuMs, conservation: bareConservation(run.value, stored, storedWhere(server)) };
}

const BUNDLE_RUN = fileURLToPath(new URL('./bundle-run.mjs', import.meta.url));

interface BundleRunResult {
  loadMs: number;
  seconds: number;
  cpuMs: number;
  rssBeforeBytes: number;
  maxRssBytes: number;
  peak: MemoryEntry['peak'];
  batchFailures: number;
}

/** The Lambda bundle's handler on the file, in plain node (no tsx): peak RSS as Lambda would see it. */
export async function runBundle(ctx: RunContext, server: Server, bundleFile: string, file: BenchFile, nodeOptions = ''): Promise<MemoryEntry> {
  const label = `bundle-${file.rows}`;
  const { res, obj } = await prepare(server, file, label);
  const argv = [BUNDLE_RUN, bundleFile, JSON.stringify(objectCreatedEvent(obj)), JSON.stringify(benchContext())];
  const env = { ...processorEnv(res, ctx.writeConcurrency, endpointOf(server)), NODE_OPTIONS: nodeOptions };
  const run = await observed(server, () => runChild<BundleRunResult>(label, argv, { env }));
  const r = run.value;
  const { ledger, stored, rows } = await fileOutcome(server, res, obj, run);
  return {
    rows,
    fileBytes: file.bytes,
    loadMs: r.loadMs,
    seconds: r.seconds,
    rowsPerSecond: rows / r.seconds,
    cpuMs: r.cpuMs,
    microsPerRow: (r.cpuMs * 1000) / Math.max(1, rows),
    rssBeforeBytes: r.rssBeforeBytes,
    maxRssBytes: r.maxRssBytes,
    peak: r.peak,
    nodeOptions,
    ledger,
    conservation: fileConservation({
      ledger,
      expectedRows: file.rows,
      batchFailures: r.batchFailures,
      stored,
      storedWhere: storedWhere(server),
      batchWriteCalls: server.proxy ? run.batchWrites : Math.ceil(stored / 25),
    }),
  };
}
