/**
 * End to end, as a user runs it: `order-pipeline local up` in a child process (moto + the real
 * Terraform stack + the real handler in worker threads), then the CLI's own commands against it —
 * upload the sample files, follow them to their outcomes, and check every outcome in the table, the bucket,
 * the ledger, the captured e-mails and the metrics; a poison message walks to the DLQ and
 * `redrive` brings it back; `pause` holds delivery and `resume` drains it; the load scenario
 * (test/load/load-scenario.ts) at its small size: files dropped at once, processed side by side;
 * and a file eight times the large-file threshold, processed in parts side by side with exactly
 * the outcome `validateFile` gives it (scripts/generate-orders.ts, `largeFile`).
 *
 * The stack is started with FANOUT_THRESHOLD_MB=1 FANOUT_CHUNK_MB=1, so files of 1 MiB and more are
 * split into parts of 1 MiB; every other file here is far smaller and processed whole.
 *
 * Fails (never skips) without moto or terraform: `local up` exits with a message saying how to
 * install them, and the test prints it.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { GetFunctionConfigurationCommand, ListEventSourceMappingsCommand } from '@aws-sdk/client-lambda';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { BatchGetCommand, type BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import { parseString } from '@fast-csv/parse';
import { validateFile } from '../../functions/order-processor/index.ts';
import { queueArn } from '../../deployment/connect.ts';
import { countItems } from '../../deployment/inventory.ts';
import { findMapping } from '../../deployment/event-source-mapping.ts';
import type { LocalOutputs } from '../../deployment/local-home.ts';
import { OUTPUT_NAMES } from '../../modules/outputs.ts';
import { mappingConcurrency } from '../../local/lambda/mapping-poller.ts';
import { parseSampleReadme } from '../../local/sample-expectations.ts';
import { clientConfig, destroyClients, makeClients, type Clients } from '../../tooling/aws-clients.ts';
import { freePort, isAlive } from '../../tooling/emulator.ts';
import { PROJECT_PATHS, PROJECT_ROOT } from '../../tooling/project.ts';
import { writeLargeFile } from '../../scripts/generate-orders.ts';
import { assessLoad, CI_LOAD, describeLoad, planLoad, runLoad } from '../load/load-scenario.ts';

const ROOT = PROJECT_ROOT;
const BIN = PROJECT_PATHS.cli;
const SAMPLES = PROJECT_PATHS.sampleData;

const home = mkdtempSync(join(tmpdir(), 'order-pipeline-local-e2e-'));
const MiB = 1024 * 1024;
/** Large files: from 1 MiB, in parts of 1 MiB (passed through by `local up` to the stack). */
const PARTS_SETTINGS = { FANOUT_THRESHOLD_MB: '1', FANOUT_CHUNK_MB: '1' };
const env = { ...process.env, ...PARTS_SETTINGS, ORDER_PIPELINE_HOME: home, NO_COLOR: '1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `order-pipeline …args` as a user would. */
function cli(...args: string[]): Promise<CliResult> {
  return new Promise((resolvePromise) => {
    execFile(process.execPath, [BIN, ...args], { env, cwd: ROOT, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolvePromise({ code, stdout, stderr });
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (e) {
      last = e;
    }
    await sleep(500);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
}

let upProcess: ChildProcess;
let upOutput = '';
let outputs: LocalOutputs;
let clients: Clients;

interface Depth {
  visible: number;
  inFlight: number;
}

interface StatusJson {
  delivery: { enabled: boolean };
  queues: { ingest: Depth; dead_letter: Depth; parts: Depth; parts_dead_letter: Depth };
  alarms: { name: string; state: string }[];
  ingestions: { key: string; status: string; rows?: number; written?: number; rejected?: number }[];
}

/**
 * An object's bytes. Read without the SDK's response checksum check: moto's CopyObject of an object
 * uploaded in parts gives the copy the source's multipart checksum, which the SDK then takes for
 * the copy's own and rejects (docs/local.md); the tests compare the bytes themselves.
 */
async function objectBytes(key: string): Promise<Buffer> {
  const s3 = new S3Client({ ...clientConfig({ region: outputs.region, endpoint: outputs.endpoint }), responseChecksumValidation: 'WHEN_REQUIRED' });
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: outputs.bucket_name, Key: key }));
    return Buffer.from(await out.Body!.transformToByteArray());
  } finally {
    s3.destroy();
  }
}

/** A CSV the pipeline wrote (RFC 4180, header row) as records by column name. */
function parseCsv(text: string): Promise<Record<string, string>[]> {
  return new Promise((resolvePromise, reject) => {
    const rows: Record<string, string>[] = [];
    parseString(text, { headers: true })
      .on('data', (row: Record<string, string>) => rows.push(row))
      .on('error', reject)
      .on('end', () => resolvePromise(rows));
  });
}

/** The orders table's items of these ids (those that exist; line 1, the one line of an order of a file without a line column). */
async function ordersById(ids: readonly string[]): Promise<Map<string, Record<string, unknown>>> {
  const found = new Map<string, Record<string, unknown>>();
  for (let i = 0; i < ids.length; i += 100) {
    let keys: Record<string, unknown>[] | undefined = ids.slice(i, i + 100).map((order_id) => ({ order_id, line: 1 }));
    while (keys && keys.length > 0) {
      const out: BatchGetCommandOutput = await clients.doc.send(new BatchGetCommand({ RequestItems: { [outputs.orders_table_name]: { Keys: keys } } }));
      for (const item of out.Responses?.[outputs.orders_table_name] ?? []) found.set(String(item.order_id), item);
      keys = out.UnprocessedKeys?.[outputs.orders_table_name]?.Keys;
    }
  }
  return found;
}

/** Items in the orders table (moto's DescribeTable counts live and exactly). */
async function ordersCount(): Promise<number> {
  return (await clients.ddb.send(new DescribeTableCommand({ TableName: outputs.orders_table_name }))).Table?.ItemCount ?? 0;
}

async function status(): Promise<StatusJson> {
  const r = await cli('status', '--json', '--limit', '100');
  if (r.code !== 0) throw new Error(`status failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as StatusJson;
}

beforeAll(async () => {
  const port = await freePort();
  upProcess = spawn(process.execPath, [BIN, 'local', 'up', '--port', String(port)], { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  upProcess.stdout!.on('data', (c: Buffer) => (upOutput += c.toString()));
  upProcess.stderr!.on('data', (c: Buffer) => (upOutput += c.toString()));
  const exited = new Promise<number | null>((r) => upProcess.once('exit', (code) => r(code)));
  const ready = (async () => {
    while (!upOutput.includes('poller: receiving')) await sleep(250);
  })();
  const result = await Promise.race([ready.then(() => 'ready' as const), exited.then((code) => code)]);
  if (result !== 'ready') {
    throw new Error(`\`order-pipeline local up\` exited (${result}) before it was ready:\n${upOutput}`);
  }
  outputs = JSON.parse(readFileSync(join(home, 'outputs.json'), 'utf8')) as LocalOutputs;
  clients = makeClients({ region: outputs.region, endpoint: outputs.endpoint });
}, 420_000);

afterAll(async () => {
  if (upProcess && upProcess.exitCode === null) {
    const exited = new Promise<number | null>((r) => upProcess.once('exit', (code) => r(code)));
    upProcess.kill('SIGINT');
    const code = await Promise.race([exited, sleep(20_000).then(() => 'timeout' as const)]);
    if (code === 'timeout') upProcess.kill('SIGKILL');
  }
  if (clients) destroyClients(clients);
  rmSync(home, { recursive: true, force: true });
}, 60_000);

describe('order-pipeline local up', () => {
  it('writes .local/outputs.json with the endpoint, the region and every Terraform output', () => {
    // Assess
    expect(outputs.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    for (const name of OUTPUT_NAMES) expect(outputs[name], name).toEqual(expect.any(String));
    expect(OUTPUT_NAMES).toEqual(expect.arrayContaining(['parts_queue_url', 'parts_dead_letter_queue_url']));
    expect(upOutput).toContain('terraform: Apply complete!');
  });

  it('passes the large-file settings of its environment to the stack, and says so', async () => {
    // Act
    const fn = await clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: outputs.processor_function_name }));

    // Assess
    const settings = upOutput.split('\n').find((l) => l.includes('settings: ') && l.includes('(from the environment'));
    expect(settings).toContain('FANOUT_THRESHOLD_MB=1');
    expect(settings).toContain('FANOUT_CHUNK_MB=1');
    expect(fn.Environment?.Variables).toMatchObject(PARTS_SETTINGS);
  });

  it('disables the emulator\'s copy of both event-source mappings and polls both queues itself', async () => {
    // Prepare
    const arns = [await queueArn(clients.sqs, outputs.ingest_queue_url), await queueArn(clients.sqs, outputs.parts_queue_url as string)];

    // Act
    const mappings = await Promise.all(arns.map(async (arn) => (await clients.lambda.send(new ListEventSourceMappingsCommand({ EventSourceArn: arn }))).EventSourceMappings ?? []));
    const delivery = JSON.parse(readFileSync(join(home, 'delivery.json'), 'utf8')) as { enabled: boolean; mappings: { queue: string; uuid: string }[] };

    // Assess
    expect(mappings.map((m) => m.map((x) => x.State))).toEqual([['Disabled'], ['Disabled']]);
    expect(delivery.enabled).toBe(true);
    expect(delivery.mappings.map((m) => [m.queue, m.uuid])).toEqual([
      ['ingest', mappings[0]![0]!.UUID],
      ['parts', mappings[1]![0]!.UUID],
    ]);
    expect(upOutput).toMatch(/poller: receiving from the ingest queue \(batch size \d+, up to \d+ invocations at once\) and the parts queue \(batch size 1, up to \d+ invocations at once\)/);
  });

  it('handles every sample file end to end: ledger, table, prefixes, alert e-mails, metrics', async () => {
    // Prepare
    const expected = parseSampleReadme(readFileSync(join(SAMPLES, 'README.md'), 'utf8'));
    const files = expected.map((e) => join(SAMPLES, e.file));
    expect(files.length).toBeGreaterThanOrEqual(8);

    // Act
    const upload = await cli('upload', ...files, '--wait', '--json', '--timeout', '180');

    // Assess: each file's outcome in the ledger, as sample-data/README.md documents it
    const outcomes = JSON.parse(upload.stdout) as { file: string; key: string; outcome: string; ledger: { rows?: number; written?: number; rejected?: number; blank?: number } }[];
    expect(upload.code, upload.stderr).toBe(expected.some((e) => e.status === 'FAILED') ? 1 : 0);
    for (const e of expected) {
      const o = outcomes.find((x) => x.key === `raw-data/${e.file}`);
      expect(o?.outcome, e.file).toBe(e.status);
      if (e.status !== 'FAILED') {
        expect({ file: e.file, rows: o?.ledger.rows, written: o?.ledger.written, rejected: o?.ledger.rejected }).toEqual({
          file: e.file,
          rows: e.rows,
          written: e.valid,
          rejected: e.rejected,
        });
        // Conservation: every data row is written or rejected.
        expect((o?.ledger.written ?? 0) + (o?.ledger.rejected ?? 0)).toBe(o?.ledger.rows);
      } else {
        expect(o?.ledger.written ?? 0, e.file).toBe(0);
      }
    }

    // Assess: the orders table holds exactly the valid rows (order ids are unique across samples)
    expect(await countItems(clients.doc, outputs.orders_table_name)).toBe(expected.reduce((sum, e) => sum + (e.status === 'FAILED' ? 0 : e.valid), 0));

    // Assess: the bucket's prefixes (docs/architecture.md, "Storage")
    const keys = ((await clients.s3.send(new ListObjectsV2Command({ Bucket: outputs.bucket_name }))).Contents ?? []).map((o) => o.Key!);
    const under = (prefix: string) => keys.filter((k) => k.startsWith(prefix));
    expect(under('raw-data/')).toEqual([]);
    const loaded = expected.filter((e) => e.status !== 'FAILED');
    expect(under('processed-data/')).toHaveLength(loaded.length);
    expect(under('archive/')).toHaveLength(loaded.length);
    for (const e of expected) {
      const stem = e.file.replace(/(\.csv)?(\.gz)?$/, '');
      if (e.status === 'FAILED') expect(under('failed-data/').some((k) => k.includes(`/${stem}.`) && !k.endsWith('.errors.csv')), e.file).toBe(true);
      else expect(under('processed-data/').some((k) => k.includes(`/${stem}.`)), e.file).toBe(true);
      if (e.status === 'PARTIAL') expect(under('failed-data/').some((k) => k.includes(`/${stem}.`) && k.endsWith('.errors.csv')), e.file).toBe(true);
    }

    // Assess: one readable alert e-mail per file that was not fully processed
    const needingAlert = expected.filter((e) => e.status !== 'PROCESSED');
    const mails = await eventually(
      'the alert e-mails',
      async () => {
        const r = await cli('alerts', '--json');
        const list = JSON.parse(r.stdout) as { subject: string; text: string }[];
        return list.length >= needingAlert.length ? list : null;
      },
      20_000,
    );
    expect(mails).toHaveLength(needingAlert.length);
    for (const e of needingAlert) {
      const mail = mails.find((m) => m.subject.includes(e.file));
      expect(mail, `alert for ${e.file}`).toBeDefined();
      expect(mail!.text).toMatch(/^From: .+\nTo: .+\nSubject: .+\nDate: .+/);
      expect(mail!.text).toContain(`raw-data/${e.file}`);
    }

    // Assess: the processor's EMF metrics reached the emulator's CloudWatch (via the dashboard)
    const count = (s: string) => expected.filter((e) => e.status === s).length;
    const want = {
      FilesProcessed: count('PROCESSED'),
      FilesPartial: count('PARTIAL'),
      FilesFailed: count('FAILED'),
      RowsWritten: loaded.reduce((sum, e) => sum + e.valid, 0),
    };
    const totals = await eventually(
      'the metrics in GetMetricData',
      async () => {
        const r = await cli('dashboard', '--json', '--hours', '1');
        const data = JSON.parse(r.stdout) as { widgets: { series: { spec: { metricName: string; namespace: string }; total: number | null }[] }[] };
        const got: Record<string, number | null> = {};
        for (const w of data.widgets) for (const s of w.series) if (s.spec.namespace === 'OrderPipeline') got[s.spec.metricName] = s.total;
        return Object.entries(want).every(([k, v]) => got[k] === v) ? got : null;
      },
      20_000,
    );
    expect(totals).toMatchObject(want);
  }, 300_000);

  it('moves a poison message to the DLQ after 3 receives, and `redrive` brings it back', async () => {
    // Act
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: outputs.ingest_queue_url, MessageBody: 'this is not an S3 event' }));

    // Assess: the poller reported each failed delivery, and the emulator's redrive moved it
    const inDlq = await eventually('the poison message in the DLQ', async () => ((await status()).queues.dead_letter.visible === 1 ? true : null), 90_000);
    expect(inDlq).toBe(true);
    expect(upOutput).toMatch(/retry {2}message \S+ \(delivery 3\): message body is not JSON/);
    expect((await status()).queues.ingest.visible).toBe(0);

    // Act
    const redrive = await cli('redrive');

    // Assess: out of the DLQ, back through the ingest queue (and, still poison, back to the DLQ)
    expect(redrive.code, redrive.stderr).toBe(0);
    expect(redrive.stdout).toContain('moved 1 message(s) from the ingest DLQ to the ingest queue; 0 left in the ingest DLQ');
    expect(redrive.stdout).toContain('the parts DLQ is empty; nothing to redrive');
    const deliveriesBefore = (upOutput.match(/message body is not JSON/g) ?? []).length;
    await eventually('a redelivery of the redriven message', async () => (upOutput.match(/message body is not JSON/g) ?? []).length > deliveriesBefore, 30_000);
    await eventually('the redriven message back in the DLQ', async () => ((await status()).queues.dead_letter.visible === 1 ? true : null), 90_000);
  }, 240_000);

  it('`pause` holds files in the ingest queue and `resume` drains them', async () => {
    // Act: pause, then drop a file
    const pause = await cli('pause');
    expect(pause.code, pause.stderr).toBe(0);
    expect(pause.stdout).toMatch(/^paused \(was enabled\): /);
    expect(pause.stdout).toMatch(/event-source mappings \S+ \(ingest queue\) and \S+ \(parts queue\)/);
    await sleep(3000); // a long poll already in progress may still complete
    const upload = await cli('upload', join(SAMPLES, 'orders-minimal.csv'), '--prefix', 'during-pause/');
    expect(upload.code, upload.stderr).toBe(0);
    await sleep(4000);

    // Assess: queued, not processed
    const held = await status();
    expect(held.delivery.enabled).toBe(false);
    expect(held.queues.ingest.visible).toBe(1);
    expect(held.ingestions.some((i) => i.key === 'raw-data/during-pause/orders-minimal.csv')).toBe(false);

    // Act
    const resume = await cli('resume');

    // Assess: delivered and handled — the same bytes as an earlier file, so DUPLICATE
    expect(resume.code, resume.stderr).toBe(0);
    expect(resume.stdout).toMatch(/^resumed \(was paused\): /);
    const handled = await eventually(
      'the held file to be handled',
      async () => (await status()).ingestions.find((i) => i.key === 'raw-data/during-pause/orders-minimal.csv' && i.status !== 'PROCESSING'),
      30_000,
    );
    expect(handled.status).toBe('DUPLICATE');
  }, 120_000);

  it('`replay` puts a failed original back into raw-data/ under its name, and it is handled again', async () => {
    // Prepare
    const before = await status();
    const failed = before.ingestions.find((i) => i.key === 'raw-data/orders-invalid-header.csv' && i.status === 'FAILED') as
      | { failed_key?: string; started_at?: string }
      | undefined;
    expect(failed?.failed_key).toMatch(/^failed-data\/\d{4}\/\d{2}\/\d{2}\/orders-invalid-header\..+\.csv$/);

    // Act
    const replay = await cli('replay', failed!.failed_key!);

    // Assess
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.stdout).toContain('→ s3://' + outputs.bucket_name + '/raw-data/orders-invalid-header.csv');
    const again = await eventually(
      'the replayed file to be handled',
      async () =>
        (await status()).ingestions.find(
          (i) => i.key === 'raw-data/orders-invalid-header.csv' && (i as { started_at?: string }).started_at !== failed!.started_at && i.status === 'FAILED',
        ),
      30_000,
    );
    expect(again.status).toBe('FAILED');
  }, 60_000);

  it('shows hostile keys inert in upload --wait, status, validate, replay and the poller output (no raw control or bidi character)', async () => {
    // Prepare: two files with the same bytes under names holding a clear-screen and a window-title
    // sequence, a bare CR, a bidi override and a zero-width space (the second is a DUPLICATE whose
    // reason names the first one's key)
    const dir = mkdtempSync(join(home, 'hostile-names-'));
    const names = ['\u001b[2J\u001b]0;owned\u0007inv\roice\u202etxt.csv', 'inv\u200boice\u001b[31m copy\u202e.csv'];
    const content = `order_id,customer_name,product_name,quantity,unit_price\nHN-1,Ann,Pen,1,1.50\nHN-2,Bob,Ink,2,abc\n`;
    const files = names.map((name) => join(dir, name));
    for (const file of files) writeFileSync(file, content);
    const pollerOutputBefore = upOutput.length;
    const RAW = /(?!\n)[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;
    const expectInert = (what: string, text: string) => expect(RAW.exec(text)?.[0]?.codePointAt(0)?.toString(16) ?? null, `${what}: ${JSON.stringify(text.slice(0, 400))}`).toBeNull();

    // Act
    const upload = await cli('upload', files[0]!, '--wait', '--timeout', '120');
    const uploadSecond = await cli('upload', files[1]!, '--wait', '--timeout', '120');
    const table = await cli('status', '--limit', '100');
    const json = await cli('status', '--json', '--limit', '100');
    const validateHuman = await cli('validate', ...files);
    const validateJson = await cli('validate', ...files, '--json');
    const handled = (JSON.parse(json.stdout) as { ingestions: { key: string; status: string; archive_key?: string; reason?: string }[] }).ingestions;
    const first = handled.find((i) => i.key === `raw-data/${names[0]}`);
    const replay = await cli('replay', first?.archive_key ?? '');
    await eventually('the replayed file to be handled', async () => (await status()).ingestions.filter((i) => i.key === `raw-data/${names[0]}`).length >= 2, 60_000);

    // Assess
    expect(first?.status).toBe('PARTIAL');
    const duplicate = handled.find((i) => i.key === `raw-data/${names[1]}`);
    expect(duplicate?.status).toBe('DUPLICATE');
    expect(duplicate?.reason).toContain(names[0]);
    for (const [what, run] of Object.entries({ upload, uploadSecond, table, json, validateHuman, validateJson, replay })) {
      expectInert(`${what} stdout`, run.stdout);
      expectInert(`${what} stderr`, run.stderr);
    }
    expect(JSON.parse(json.stdout)).toBeTruthy();
    expect((JSON.parse(validateJson.stdout) as { file: string }[]).map((r) => r.file)).toEqual(files);
    expect(uploadSecond.stdout).toContain('\\u001b[2J\\u001b]0;owned\\u0007inv\\roice\\u202etxt.csv');
    expect(table.stdout).toContain('inv\\u200boice\\u001b[31m copy\\u202e.csv');
    expect(replay.code, replay.stderr).toBe(0);
    const pollerOutput = upOutput.slice(pollerOutputBefore);
    expect(pollerOutput).toContain('DUPLICATE');
    expectInert('poller output', pollerOutput);
  }, 240_000);

  it('brings files dropped at once to the outcome validate reports for each, side by side, with only the poison in the DLQ', async () => {
    // Prepare: the load scenario at its small size (the full one is `npm run test:load`)
    const plan = await planLoad(CI_LOAD, join(home, 'load-files'), 'ci');
    const mapping = await findMapping(clients.lambda, outputs.processor_function_name, await queueArn(clients.sqs, outputs.ingest_queue_url));

    // Act
    const run = await runLoad({ clients, outputs }, plan, { timeoutMs: 180_000 });

    // Assess
    process.stdout.write(`${describeLoad(run)}\n`);
    assessLoad(run, { maxConcurrency: mappingConcurrency(mapping) });
  }, 300_000);

  it('processes a file eight times the threshold in parts side by side, with exactly the outcome validate gives it', async () => {
    // Prepare: 8¼ MiB of fat rows with every hard case on the 1 MiB cuts (scripts/generate-orders.ts)
    const path = join(home, 'big-parts.csv');
    const file = writeLargeFile(path, { minBytes: 8.25 * MiB, chunkBytes: MiB, seed: 2026, idPrefix: 'BIG-' });
    const key = 'raw-data/big-parts.csv';
    const report = await validateFile(path);
    const rejectedLines = new Set(report.errors.map((e) => e.line));
    const valid = file.records.filter((r) => !rejectedLines.has(r.line));
    // The file holds what it was made to hold, as the contract sees it: the cases on the cuts, rows
    // rejected in every part, order_ids repeated in later parts (one first seen on a rejected row).
    expect(file.bytes.length).toBeGreaterThanOrEqual(8 * MiB);
    expect(file.cuts.map((c) => c.case)).toEqual(expect.arrayContaining(['quoted-lf-on-cut', 'quoted-crlf-split', 'record-crlf-split', 'stray-quote-across']));
    expect(file.records.filter((r) => r.kind !== 'valid').map((r) => r.line)).toEqual(report.errors.map((e) => e.line));
    const partOf = (offset: number) => Math.floor(offset / MiB);
    const lineOf = new Map(file.records.map((r) => [r.line, r]));
    const crossPart = report.errors.flatMap((e) => {
      const first = /first seen on line (\d+)/.exec(e.reason);
      const firstRecord = first ? lineOf.get(Number(first[1])) : undefined;
      return firstRecord && partOf(firstRecord.offset) < partOf(lineOf.get(e.line)!.offset) ? [{ first: firstRecord, line: e.line }] : [];
    });
    expect(crossPart.length).toBeGreaterThan(8);
    expect(crossPart.some((d) => rejectedLines.has(d.first.line))).toBe(true);
    expect(report).toMatchObject({ status: 'PARTIAL', reason: `${report.rejected} of ${report.rows} data rows were rejected` });
    expect(report.blank).toBe(file.blankLines);
    const ordersBefore = await ordersCount();

    // Act
    const upload = await cli('upload', path, '--wait', '--json', '--timeout', '600');

    // Assess: the outcome — status and counts as validate gives them, in parts, every part done
    expect(upload.code, upload.stderr).toBe(0);
    const [outcome] = JSON.parse(upload.stdout) as { key: string; outcome: string; ledger: Record<string, unknown> & { errors_key: string; processed_key: string; archive_key: string } }[];
    expect(outcome?.key).toBe(key);
    const ledger = outcome!.ledger;
    expect({ status: ledger.status, rows: ledger.rows, written: ledger.written, rejected: ledger.rejected, blank: ledger.blank }).toEqual({
      status: 'PARTIAL',
      rows: report.rows,
      written: report.valid,
      rejected: report.rejected,
      blank: report.blank,
    });
    expect(ledger.parts).toBeGreaterThanOrEqual(8);
    expect(ledger.parts_done).toBe(ledger.parts);
    // Assess: the progress showed while waiting (plain lines: stderr is not a terminal here)
    expect(upload.stderr).toMatch(new RegExp(`^${key}: (planning \\d+ parts|scanning \\d+/\\d+|scanning \\d+ parts|deciding .*|parts \\d+/\\d+ written|concluding .*)$`, 'm'));

    // Assess: the errors report — every rejected line with its reason, as validate gives them
    const errors = await parseCsv((await objectBytes(ledger.errors_key)).toString('utf8'));
    expect(errors).toEqual(report.errors.map((e) => ({ line: String(e.line), order_id: e.order_id ?? '', column: e.column ?? '', reason: e.reason })));

    // Assess: one cleaned CSV, the valid rows in file order with the file's line numbers
    const cleaned = await parseCsv((await objectBytes(ledger.processed_key)).toString('utf8'));
    expect(cleaned.map((r) => r.order_id)).toEqual(valid.map((r) => r.orderId));
    expect(cleaned.map((r) => Number(r.source_line))).toEqual(valid.map((r) => r.line));
    const keys = ((await clients.s3.send(new ListObjectsV2Command({ Bucket: outputs.bucket_name }))).Contents ?? []).map((o) => o.Key!);
    expect(keys.filter((k) => k.startsWith('processed-data/') && k.includes('/big-parts.'))).toEqual([ledger.processed_key]);
    expect(keys.filter((k) => k.startsWith('failed-data/') && k.includes('/big-parts.'))).toEqual([ledger.errors_key]);
    expect(keys.filter((k) => k === key || k.startsWith('staging/'))).toEqual([]);

    // Assess: the original archived byte for byte
    const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
    expect(sha(await objectBytes(ledger.archive_key))).toBe(sha(file.bytes));

    // Assess: the orders table holds exactly the valid rows (ids only ever on rejected rows are absent)
    expect((await ordersCount()) - ordersBefore).toBe(valid.length);
    const stored = await ordersById(valid.map((r) => r.orderId));
    expect(stored.size).toBe(valid.length);
    expect(valid.filter((r) => stored.get(r.orderId)?.source_line !== r.line).map((r) => r.orderId)).toEqual([]);
    const validIds = new Set(valid.map((r) => r.orderId));
    const neverValid = [...new Set(file.records.filter((r) => !validIds.has(r.orderId)).map((r) => r.orderId))];
    expect(neverValid.length).toBeGreaterThan(100);
    expect((await ordersById(neverValid)).size).toBe(0);

    // Assess: one alert e-mail for the file
    const mails = await eventually(
      'the alert e-mail of the large file',
      async () => {
        const list = JSON.parse((await cli('alerts', '--json')).stdout) as { subject: string; text: string }[];
        const ours = list.filter((m) => m.subject.includes('big-parts.csv'));
        return ours.length > 0 ? ours : null;
      },
      20_000,
    );
    await sleep(2000);
    expect(JSON.parse((await cli('alerts', '--json')).stdout).filter((m: { subject: string }) => m.subject.includes('big-parts.csv'))).toHaveLength(1);
    expect(mails[0]!.subject).toContain('PARTIAL');

    // Assess: every part scanned and written by the poller, several side by side (its own lines)
    const partLines = [...upOutput.matchAll(/part (\d+)\/(\d+) (scan|write) of raw-data\/big-parts\.csv(?: \(delivery \d+\))? in [\d.]+ s \((\d+) parts? at once\)/g)];
    const parts = Number(ledger.parts);
    for (const phase of ['scan', 'write']) {
      expect(new Set(partLines.filter((m) => m[3] === phase).map((m) => m[1])).size, phase).toBe(parts);
    }
    expect(partLines.every((m) => Number(m[2]) === parts)).toBe(true);
    const atOnce = Math.max(...partLines.map((m) => Number(m[4])));
    expect(atOnce).toBeGreaterThan(1);
    const partsMapping = await findMapping(clients.lambda, outputs.processor_function_name, await queueArn(clients.sqs, outputs.parts_queue_url as string));
    expect(atOnce).toBeLessThanOrEqual(mappingConcurrency(partsMapping));

    // Assess: `status` shows the parts of the finished file, and both queues drained
    const table = await cli('status', '--limit', '100');
    expect(table.stdout).toMatch(new RegExp(`${key.replace(/[.]/g, '\\.')}\\s+PARTIAL\\s+${parts}\\s+${report.rows}\\s`));
    const after = await status();
    expect([after.queues.parts.visible, after.queues.parts.inFlight, after.queues.parts_dead_letter.visible]).toEqual([0, 0, 0]);
    process.stdout.write(`large file: ${(file.bytes.length / MiB).toFixed(2)} MiB, ${report.rows} rows in ${parts} parts, up to ${atOnce} parts at once\n`);
  }, 900_000);

  it('stops the poller and the emulator cleanly on Ctrl-C', async () => {
    // Prepare
    const pids = JSON.parse(readFileSync(join(home, 'pids.json'), 'utf8')) as { moto: number };
    const exited = new Promise<number | null>((r) => upProcess.once('exit', (code) => r(code)));

    // Act
    upProcess.kill('SIGINT');

    // Assess
    expect(await exited).toBe(0);
    expect(isAlive(pids.moto)).toBe(false);
    expect(existsSync(join(home, 'outputs.json'))).toBe(false);
    const after = await cli('status');
    expect(after.code).toBe(64);
    expect(after.stderr).toContain('order-pipeline local up');

    // Act: a stale outputs file pointing at the stopped emulator
    writeFileSync(join(home, 'outputs.json'), JSON.stringify(outputs));
    const stale = await cli('status');

    // Assess
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain(`no local emulator answering on ${outputs.endpoint} — start it with \`order-pipeline local up\``);
  }, 60_000);
});
