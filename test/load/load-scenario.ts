/**
 * The load scenario: many files of mixed sizes and kinds dropped into a running local pipeline at
 * once, plus a few poison messages sent straight to the ingest queue; then every file is checked
 * against its own `validateFile` report. Shared by the full load test (`npm run test:load`,
 * test/load/pipeline-load.test.ts) and its small size inside `npm test` (test/e2e/local-pipeline.test.ts).
 */
import { createHash } from 'node:crypto';
import { copyFileSync, createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand, SendMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { expect } from 'vitest';
import { validateFile, type FileReport, type FinalStatus, type LedgerItem } from '../../functions/order-processor/index.ts';
import { queueDepth, waitUntilIdle } from '../../deployment/queues.ts';
import { rawKeyFor, uploadFile, waitForOutcomes, type Uploaded } from '../../deployment/uploads.ts';
import type { Clients } from '../../tooling/aws-clients.ts';
import type { StackOutputs } from '../../tooling/stack-outputs.ts';
import { generateOrders, HEADER } from '../../scripts/generate-orders.ts';

export type FileKind = 'valid' | 'partial' | 'all-invalid' | 'bad-header' | 'duplicate';

export interface PlannedFile {
  name: string;
  path: string;
  kind: FileKind;
  /** Data rows generated (a duplicate has its original's). */
  rows: number;
  /** sha256 of the bytes: files sharing it are exact duplicates. */
  sha256: string;
  /** What the contract says of the file, as `order-pipeline validate` would. */
  report: FileReport;
}

export interface LoadPlan {
  runId: string;
  files: PlannedFile[];
  /** Bodies of the poison messages: JSON, but not an S3 event. */
  poison: string[];
}

export interface LoadSize {
  files: number;
  /** The largest file's data rows. */
  maxRows: number;
  poison: number;
}

/** The full load (`npm run test:load`) and the small one run inside `npm test`. */
export const FULL_LOAD: LoadSize = { files: 200, maxRows: 20_000, poison: 4 };
export const CI_LOAD: LoadSize = { files: 20, maxRows: 5_000, poison: 2 };

/** Mixed sizes: a few of the largest, some mid-sized, most small. */
function rowsFor(i: number, maxRows: number): number {
  if (i % 50 === 0) return maxRows;
  if (i % 20 === 5) return Math.min(5_000, maxRows);
  if (i % 5 === 1) return 1_000;
  return 20 + ((i * 37) % 280);
}

/** A cycle of ten kinds; the duplicates copy a valid and a partial file of the same cycle. */
const CYCLE: { kind: FileKind; invalidRatio?: number; gzip?: boolean; copyOf?: number }[] = [
  { kind: 'valid' },
  { kind: 'valid' },
  { kind: 'partial', invalidRatio: 0.05 },
  { kind: 'valid', gzip: true },
  { kind: 'partial', invalidRatio: 0.2 },
  { kind: 'valid' },
  { kind: 'all-invalid', invalidRatio: 1 },
  { kind: 'duplicate', copyOf: 7 },
  { kind: 'bad-header' },
  { kind: 'duplicate', copyOf: 5 },
];

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** Writes the files of the plan into `dir` (scripts/generate-orders.ts; ids unique across files) and validates each. */
export async function planLoad(size: LoadSize, dir: string, runId: string): Promise<LoadPlan> {
  mkdirSync(dir, { recursive: true });
  const files: PlannedFile[] = [];
  for (let i = 0; i < size.files; i++) {
    const spec = CYCLE[i % CYCLE.length]!;
    const original = spec.copyOf !== undefined ? files[i - spec.copyOf] : undefined;
    const gzip = spec.gzip || original?.name.endsWith('.gz');
    const name = `load-${runId}-${String(i).padStart(3, '0')}-${spec.kind}.csv${gzip ? '.gz' : ''}`;
    const path = join(dir, name);
    let rows = rowsFor(i, size.maxRows);
    if (original) {
      copyFileSync(original.path, path);
      rows = original.rows;
    } else {
      // The seed makes every file's order ids its own: GEN-<seed>-<row>.
      let text: Readable = Readable.from(generateOrders({ rows, seed: 1_000 + i, invalidRatio: spec.invalidRatio ?? 0 }));
      if (spec.kind === 'bad-header') text = Readable.from(replaceHeader(text, HEADER.replace('unit_price', 'not_a_column')));
      await (gzip ? pipeline(text, createGzip(), createWriteStream(path)) : pipeline(text, createWriteStream(path)));
    }
    const report = await validateFile(path, { maxErrors: 0 });
    files.push({ name, path, kind: spec.kind, rows, sha256: sha256(path), report });
  }
  const poison = Array.from({ length: size.poison }, (_, n) => JSON.stringify({ load_test: runId, poison: n + 1, note: 'not an S3 event' }));
  return { runId, files, poison };
}

async function* replaceHeader(chunks: AsyncIterable<string | Buffer>, header: string): AsyncGenerator<string> {
  let first = true;
  for await (const chunk of chunks) {
    const text = String(chunk);
    yield first ? header + text.slice(text.indexOf('\n')) : text;
    first = false;
  }
}

export interface LoadTarget {
  clients: Clients;
  outputs: StackOutputs;
}

export interface LoadRun {
  plan: LoadPlan;
  uploads: Uploaded[];
  /** Each file's final ledger item (null: none within the timeout), in plan order. */
  items: (LedgerItem | null)[];
  /** From the first upload to the last final status. */
  elapsedMs: number;
  /** Putting every file into raw-data/ (part of elapsedMs). */
  uploadMs: number;
  /** After the last final status, until the poison messages were in the DLQ. */
  dlqWaitMs: number;
  ordersAdded: number;
  /** The DLQ's messages that arrived during the run. */
  dlqAdded: number;
  /** Bodies of every message in the DLQ after the run. */
  dlqBodies: string[];
  ingestIdle: boolean;
}

/**
 * Items in a table of the emulator. moto computes DescribeTable's ItemCount live, exactly (AWS
 * refreshes it only every ~6 hours), while a COUNT scan costs moto about a second per 1,000 items.
 */
async function emulatorItemCount(target: LoadTarget, table: string): Promise<number> {
  const out = await target.clients.ddb.send(new DescribeTableCommand({ TableName: table }));
  return out.Table?.ItemCount ?? 0;
}

/** At most `limit` promises in flight. */
async function inParallel<T, R>(items: readonly T[], limit: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await run(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

async function receiveAll(target: LoadTarget, queueUrl: string): Promise<Message[]> {
  const messages: Message[] = [];
  for (let empty = 0; empty < 2; ) {
    const out = await target.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 60 }));
    const got = out.Messages ?? [];
    messages.push(...got);
    empty = got.length === 0 ? empty + 1 : 0;
  }
  return messages;
}

/** Drops every file of the plan at once and the poison messages, then waits for every outcome. */
export async function runLoad(target: LoadTarget, plan: LoadPlan, options: { timeoutMs: number }): Promise<LoadRun> {
  const { clients, outputs } = target;
  const ordersBefore = await emulatorItemCount(target, outputs.orders_table_name);
  const dlqBefore = await queueDepth(clients.sqs, outputs.dead_letter_queue_url);

  const started = Date.now();
  const poisonSent = Promise.all(
    plan.poison.map((body) => clients.sqs.send(new SendMessageCommand({ QueueUrl: outputs.ingest_queue_url, MessageBody: body }))),
  );
  const uploads = await inParallel(plan.files, 16, (f) => uploadFile(clients.s3, outputs.bucket_name, f.path, rawKeyFor(f.name, `load-${plan.runId}/`)));
  await poisonSent;
  const uploadMs = Date.now() - started;
  const items = await waitForOutcomes(clients.doc, outputs.ingestions_table_name, outputs.bucket_name, uploads, {
    timeoutMs: options.timeoutMs,
    intervalMs: 1_000,
  });
  const elapsedMs = Date.now() - started;

  // The poison messages walk to the DLQ after 3 receives (1 s, 2 s backoff locally).
  const deadline = Date.now() + 120_000;
  let dlq = await queueDepth(clients.sqs, outputs.dead_letter_queue_url);
  while (dlq.visible + dlq.inFlight < dlqBefore.visible + dlqBefore.inFlight + plan.poison.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1_000));
    dlq = await queueDepth(clients.sqs, outputs.dead_letter_queue_url);
  }
  const dlqWaitMs = Date.now() - started - elapsedMs;
  const ingestIdle = await waitUntilIdle(clients.sqs, outputs.ingest_queue_url, 30_000);
  const dlqBodies = (await receiveAll(target, outputs.dead_letter_queue_url)).map((m) => m.Body ?? '');
  return {
    plan,
    uploads,
    items,
    elapsedMs,
    uploadMs,
    dlqWaitMs,
    ordersAdded: (await emulatorItemCount(target, outputs.orders_table_name)) - ordersBefore,
    dlqAdded: dlq.visible + dlq.inFlight - dlqBefore.visible - dlqBefore.inFlight,
    dlqBodies,
    ingestIdle,
  };
}

const LEDGER_STATUS: Record<FileReport['status'], FinalStatus> = { VALID: 'PROCESSED', PARTIAL: 'PARTIAL', REJECTED: 'FAILED' };

/** The most files in processing at the same instant, from the ledger's start and finish times. */
export function peakFilesAtOnce(items: readonly (LedgerItem | null)[]): number {
  const edges = items
    .filter((i): i is LedgerItem => Boolean(i?.started_at && i.finished_at))
    .flatMap((i) => [
      { t: Date.parse(i.started_at), d: 1 },
      { t: Date.parse(i.finished_at!), d: -1 },
    ])
    .sort((a, b) => a.t - b.t || a.d - b.d);
  let open = 0;
  let peak = 0;
  for (const e of edges) peak = Math.max(peak, (open += e.d));
  return peak;
}

/**
 * Every file reached a final status that matches its `validateFile` report (one of each set of
 * identical files loaded, the others DUPLICATE), counts are conserved, the orders table gained
 * exactly the rows written, and only the planted poison messages reached the DLQ.
 */
export function assessLoad(run: LoadRun, options: { maxConcurrency: number }): void {
  const { plan, items } = run;
  // The plan covers every outcome the contract has (so a change in the contract cannot quietly make it one-sided).
  expect(new Set(plan.files.map((f) => f.report.status))).toEqual(new Set(['VALID', 'PARTIAL', 'REJECTED']));
  const pending = plan.files.filter((_, i) => !items[i]).map((f) => f.name);
  expect(pending, 'files without a final status').toEqual([]);

  const loadedBySha = new Map<string, number>();
  plan.files.forEach((file, i) => {
    const item = items[i]!;
    const { report } = file;
    const counts = { rows: item.rows, blank: item.blank, written: item.written, rejected: item.rejected };
    expect((item.written ?? 0) + (item.rejected ?? 0), `${file.name}: rows = written + rejected`).toBe(item.rows);
    if (item.status === 'DUPLICATE') {
      expect(report.valid, `${file.name} is DUPLICATE, so it has valid rows`).toBeGreaterThan(0);
      expect(counts, file.name).toEqual({ rows: report.rows, blank: report.blank, written: 0, rejected: report.rows });
      return;
    }
    expect(item.status, file.name).toBe(LEDGER_STATUS[report.status]);
    const written = report.status === 'REJECTED' ? 0 : report.valid;
    const rejected = report.status === 'REJECTED' ? report.rows : report.rejected;
    expect(counts, file.name).toEqual({ rows: report.rows, blank: report.blank, written, rejected });
    if (written > 0) loadedBySha.set(file.sha256, (loadedBySha.get(file.sha256) ?? 0) + 1);
  });
  // Of identical files with valid rows, exactly one is loaded; the others are DUPLICATE.
  const bySha = new Map<string, PlannedFile[]>();
  for (const f of plan.files) bySha.set(f.sha256, [...(bySha.get(f.sha256) ?? []), f]);
  for (const [sha, group] of bySha) {
    if (group[0]!.report.valid > 0) expect(loadedBySha.get(sha), group.map((f) => f.name).join(', ')).toBe(1);
  }
  expect(plan.files.some((f) => f.kind === 'duplicate')).toBe(true);

  const written = items.reduce((sum, i) => sum + (i?.written ?? 0), 0);
  expect(run.ordersAdded, 'orders table items added = rows written (ids are unique across files)').toBe(written);

  expect(run.dlqAdded, 'messages added to the DLQ').toBe(plan.poison.length);
  const ours = run.dlqBodies.filter((b) => b.includes(plan.runId));
  expect(ours.sort()).toEqual([...plan.poison].sort());
  const keys = new Set(run.uploads.map((u) => u.key));
  expect(run.dlqBodies.filter((b) => [...keys].some((k) => b.includes(k))), 'file events in the DLQ').toEqual([]);
  expect(run.ingestIdle, 'the ingest queue drained').toBe(true);

  const peak = peakFilesAtOnce(items);
  expect(peak, 'files processed side by side').toBeGreaterThan(1);
  expect(peak).toBeLessThanOrEqual(options.maxConcurrency);
}

/** One line of figures: files, rows, time, files/s, outcomes, DLQ, parallelism. */
export function describeLoad(run: LoadRun): string {
  const rows = run.plan.files.reduce((sum, f) => sum + f.report.rows, 0);
  const seconds = run.elapsedMs / 1000;
  const outcomes = new Map<string, number>();
  for (const item of run.items) outcomes.set(item?.status ?? 'NONE', (outcomes.get(item?.status ?? 'NONE') ?? 0) + 1);
  const written = run.items.reduce((sum, i) => sum + (i?.written ?? 0), 0);
  return (
    `load: ${run.plan.files.length} files, ${rows.toLocaleString('en-US')} data rows (${written.toLocaleString('en-US')} written), ` +
    `${run.plan.poison.length} poison messages: every file final in ${seconds.toFixed(1)} s ` +
    `(uploads ${(run.uploadMs / 1000).toFixed(1)} s) — ` +
    `${(run.plan.files.length / seconds).toFixed(2)} files/s, ${Math.round(rows / seconds).toLocaleString('en-US')} rows/s; ` +
    [...outcomes].map(([s, n]) => `${s} ${n}`).join(', ') +
    `; DLQ +${run.dlqAdded} (${(run.dlqWaitMs / 1000).toFixed(1)} s after the last file); up to ${peakFilesAtOnce(run.items)} files at once`
  );
}
