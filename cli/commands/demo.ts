/**
 * `order-pipeline demo` (what `npm start` runs): the whole pipeline on the local emulator in one
 * command — up, drop every sample file, follow each to its outcome, show the results, shut down.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { PREFIX } from '../../functions/order-processor/index.ts';
import type { Clients } from '../../deployment/connect.ts';
import { getDashboardWidgets, loadWidgetData, timeWindow } from '../../deployment/dashboard-data.ts';
import { EXIT, UsageError } from '../exit.ts';
import { getLedgerItem, isFinal, prefixesOf, type LedgerItem } from '../../deployment/ledger-view.ts';
import { fileLedgerKey } from '../../functions/order-processor/index.ts';
import { localDown, localUp, startPoller } from '../../local/stack.ts';
import { emailBody, listOutbox } from '../../local/outbox.ts';
import { describePollerEvent } from '../render/poller-report.ts';
import { StatusLine, stepPrinter } from '../render/progress.ts';
import { queueDepth } from '../../deployment/queues.ts';
import { parseSampleReadme, type ExpectedOutcome } from '../../local/sample-expectations.ts';
import { compactNumber, sparkline } from '../render/sparkline.ts';
import { renderTable } from '../render/table.ts';
import { PROJECT_ROOT } from '../../deployment/target.ts';
import { bold, dim, err, green, out, red, yellow } from '../render/terminal.ts';
import { rawKeyFor, uploadFile, type Uploaded } from '../../deployment/uploads.ts';

export const summary = 'the whole pipeline in one go on the local emulator: sample files in, results out (npm start)';

const HELP = `usage: order-pipeline demo [--data DIR] [--timeout SECONDS] [--port N] [--verbose]

Starts the local pipeline (moto + the real Terraform stack + the in-process processor), drops
every file of sample-data/ into raw-data/ — then the first valid file again under another name,
to show duplicate detection —, follows each file through the ledger to its outcome, and prints
the outcomes, the orders table's item count, the objects per prefix, the alert e-mails and the
dashboard's numbers. Then it shuts everything down.
  --data DIR       the files to drop (default: sample-data/)
  --timeout S      how long to wait for every file to be handled (default 240)
  --port N         emulator port (default: a free one)
  --verbose        also show the processor's log lines

Exit status: 0 every file reached a final outcome; 1 something did not (or failed to start).`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Dropped {
  name: string;
  uploaded: Uploaded;
  item: LedgerItem | null;
  expected?: ExpectedOutcome['status'] | 'DUPLICATE';
}

export function sampleFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /\.csv(\.gz)?$/i.test(f) && statSync(join(dir, f)).isFile())
    .sort();
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: 'string', default: join(PROJECT_ROOT, 'sample-data') },
      timeout: { type: 'string', default: '240' },
      port: { type: 'string' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    out(HELP);
    return EXIT.ok;
  }
  const timeoutMs = Number(values.timeout) * 1000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new UsageError(`--timeout must be a positive number of seconds, not "${values.timeout}"`);
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) throw new UsageError(`--port must be 1–65535, not "${values.port}"`);
  const dataDir = values.data;
  if (!existsSync(dataDir)) throw new UsageError(`${dataDir}: no such directory`);
  const files = sampleFiles(dataDir);
  if (files.length === 0) throw new UsageError(`${dataDir} has no .csv or .csv.gz files`);
  const readme = join(dataDir, 'README.md');
  const expectations = new Map(
    (existsSync(readme) ? parseSampleReadme(readFileSync(readme, 'utf8')) : []).map((e) => [e.file, e.status] as const),
  );

  const started = Date.now();
  out(bold('order-pipeline demo') + ' — S3 → EventBridge → SQS → processor → DynamoDB, on the moto emulator (no AWS account)');
  out(dim('step 1/4: start the emulator and apply the real Terraform stack into it'));
  const stack = await localUp({ ...(port ? { port } : {}), onProgress: stepPrinter(err, (line) => dim(`  ${line}`)) });
  let interrupted = false;
  let poller: Awaited<ReturnType<typeof startPoller>>;
  try {
    poller = await startPoller(stack, {
      verbose: values.verbose,
      onEvent: (e) => {
        if (e.type === 'batch') return;
        const line = describePollerEvent(e);
        if (line) out(line);
      },
    });
  } catch (e) {
    await stack.moto.stop();
    await localDown(stack.paths.home);
    throw e;
  }
  const onSignal = () => {
    interrupted = true;
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const { clients, outputs } = stack;
  const bucket = outputs.bucket_name;
  let code: number = EXIT.ok;
  try {
    out(dim(`step 2/4: drop ${files.length} files from ${dataDir} into s3://${bucket}/raw-data/`));
    const dropped: Dropped[] = [];
    for (const name of files) {
      const uploaded = await uploadFile(clients.s3, bucket, join(dataDir, name), rawKeyFor(name));
      const expected = expectations.get(name);
      dropped.push({ name, uploaded, item: null, ...(expected ? { expected } : {}) });
    }
    const deadline = Date.now() + timeoutMs;
    await waitAll(clients, outputs.ingestions_table_name, bucket, dropped, deadline, () => interrupted);

    // The same bytes under another name: the ledger's content fingerprint marks it DUPLICATE.
    const original = files.find((f) => expectations.get(f) === 'PROCESSED') ?? files[0]!;
    const again = await uploadFile(clients.s3, bucket, join(dataDir, original), rawKeyFor(original, 'resent/'));
    out(dim(`  dropped ${original} again as ${again.key} (same bytes, another name)`));
    const dup: Dropped = { name: `${original} (again)`, uploaded: again, item: null, expected: 'DUPLICATE' };
    dropped.push(dup);
    await waitAll(clients, outputs.ingestions_table_name, bucket, [dup], deadline, () => interrupted);

    // Let the last invocation finish (its metrics are flushed at the end) and the alerts arrive.
    await settle(clients, outputs.ingest_queue_url, 15_000);
    await poller.flushMetrics();
    await poller.drainAlerts();

    out('');
    out(dim('step 3/4: results'));
    out(bold('Files'));
    out(
      renderTable(
        ['file', 'outcome', 'rows', 'written', 'rejected', 'where it went', 'why'],
        dropped.map((d) => {
          const status = d.item?.status ?? 'NOT HANDLED';
          const mark = !d.item ? red(status) : d.expected && d.expected !== status ? yellow(`${status} (expected ${d.expected})`) : green(status);
          const why = !d.item ? `no outcome within ${values.timeout} s` : d.item.status === 'FAILED' || d.item.status === 'DUPLICATE' ? (d.item.reason ?? '') : '';
          return [d.uploaded.key, mark, d.item?.rows ?? '-', d.item?.written ?? '-', d.item?.rejected ?? '-', d.item ? prefixesOf(d.item) : '-', why];
        }),
      ),
    );
    out(dim('(the full object keys are in the per-file lines of step 2)'));
    const unhandled = dropped.filter((d) => !isFinal(d.item));
    if (unhandled.length > 0) code = EXIT.failure;

    out('');
    const orders = await countItems(clients, outputs.orders_table_name);
    const written = dropped.reduce((sum, d) => sum + (d.item?.written ?? 0), 0);
    out(`${bold('Orders table')} ${outputs.orders_table_name}: ${orders} items (rows written by the files above: ${written})`);
    const prefixes = await countPrefixes(clients, bucket);
    out(`${bold('Bucket')} s3://${bucket}: ` + Object.entries(prefixes).map(([p, n]) => `${p} ${n}`).join(', '));

    out('');
    const mails = listOutbox(stack.paths.outbox);
    out(bold(`Alert e-mails (${mails.length}, in ${stack.paths.outbox})`));
    for (const m of mails) out(`  ${m.file}  ${m.subject}`);
    const first = mails[0];
    if (first) {
      out(dim(`  --- ${first.file} ---`));
      const text = readFileSync(first.path, 'utf8');
      const headers = text.slice(0, text.indexOf('\n\n')).split('\n').filter((h) => /^(From|To|Subject|Date):/.test(h));
      for (const line of [...headers, '', ...emailBody(text).trimEnd().split('\n')]) out(`  | ${line}`);
    }

    out('');
    out(bold(`Dashboard ${outputs.dashboard_name}`) + dim(' (custom metrics, last 15 minutes, from GetMetricData)'));
    await printDashboard(clients, outputs.dashboard_name);

    out('');
    out(dim('step 4/4: shut down'));
    if (unhandled.length > 0) {
      out(red(`${unhandled.length} file(s) did not reach an outcome within ${values.timeout} s: ${unhandled.map((d) => d.uploaded.key).join(', ')}`));
      out(red(`see ${stack.paths.processorLog}`));
    }
  } catch (e) {
    code = EXIT.failure;
    err(red(`demo failed: ${(e as Error).message}`));
    err(`processor log: ${stack.paths.processorLog}`);
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await poller.stop();
    await stack.moto.stop();
    await localDown(stack.paths.home);
  }
  out(`done in ${((Date.now() - started) / 1000).toFixed(1)} s (emulator and poller stopped; alert e-mails and logs kept in ${stack.paths.home})`);
  if (interrupted) return 130;
  return code;
}

async function waitAll(clients: Clients, table: string, bucket: string, dropped: Dropped[], deadline: number, stop: () => boolean): Promise<void> {
  const status = new StatusLine();
  while (Date.now() < deadline && !stop()) {
    for (const d of dropped) {
      if (isFinal(d.item)) continue;
      d.item = await getLedgerItem(clients.doc, table, fileLedgerKey({ bucket, key: d.uploaded.key, versionId: d.uploaded.versionId, etag: d.uploaded.etag }));
    }
    const done = dropped.filter((d) => isFinal(d.item)).length;
    status.set(`  handled ${done}/${dropped.length} files…`);
    if (done === dropped.length) break;
    await sleep(400);
  }
  status.clear();
}

/** Waits until the ingest queue has nothing visible or in flight (the poller is idle). */
async function settle(clients: Clients, queueUrl: string, maxMs: number): Promise<void> {
  const deadline = Date.now() + maxMs;
  while (Date.now() < deadline) {
    const d = await queueDepth(clients.sqs, queueUrl);
    if (d.visible === 0 && d.inFlight === 0) return;
    await sleep(300);
  }
}

async function countItems(clients: Clients, table: string): Promise<number> {
  let count = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const res = await clients.doc.send(new ScanCommand({ TableName: table, Select: 'COUNT', ExclusiveStartKey: startKey }));
    count += res.Count ?? 0;
    startKey = res.LastEvaluatedKey;
  } while (startKey);
  return count;
}

async function countPrefixes(clients: Clients, bucket: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const prefix of Object.values(PREFIX)) {
    let n = 0;
    let token: string | undefined;
    do {
      const res = await clients.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
      n += res.KeyCount ?? 0;
      token = res.NextContinuationToken;
    } while (token);
    counts[prefix] = n;
  }
  return counts;
}

async function printDashboard(clients: Clients, name: string): Promise<void> {
  const widgets = (await getDashboardWidgets(clients.cloudwatch, name)).filter((w) => w.metrics.some((m) => m.namespace === 'OrderPipeline'));
  const data = await loadWidgetData(clients.cloudwatch, widgets, timeWindow(0.25, 60));
  for (const w of data) {
    out(`  ${w.title}`);
    const width = Math.max(...w.series.map((s) => s.spec.label.length));
    for (const s of w.series) {
      const total = s.error ? 'unavailable on the emulator' : s.total === null ? 'no data' : compactNumber(s.total);
      out(`    ${s.spec.label.padEnd(width)}  ${sparkline(s.values)}  ${total}`);
    }
  }
}
