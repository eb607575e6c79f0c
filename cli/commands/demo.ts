/**
 * `order-pipeline demo` (what `npm start` runs): the whole pipeline on the local emulator in one
 * command — up, drop every sample file, follow each to its outcome, show the results, shut down.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { getDashboardWidgets, loadWidgetData, timeWindow } from '../../deployment/dashboard-data.ts';
import { countByPrefix, countItems } from '../../deployment/inventory.ts';
import { isFinal, prefixesOf, type LedgerItem } from '../../deployment/ledger-view.ts';
import { processorQueues } from '../../deployment/processor-queues.ts';
import { waitUntilIdle } from '../../deployment/queues.ts';
import { rawKeyFor, uploadFile, waitForOutcomes, type Uploaded } from '../../deployment/uploads.ts';
import { emailBody, listOutbox } from '../../local/outbox.ts';
import { parseSampleReadme, type ExpectedOutcome } from '../../local/sample-expectations.ts';
import { localDown, localUp, startPoller } from '../../local/stack.ts';
import type { Clients } from '../../tooling/aws-clients.ts';
import { PROJECT_PATHS } from '../../tooling/project.ts';
import { EXIT, UsageError } from '../exit.ts';
import { parsePort, parseTimeoutSeconds } from '../options.ts';
import { describePollerEvent } from '../render/poller-report.ts';
import { StatusLine, stepPrinter } from '../render/progress.ts';
import { compactNumber, sparkline } from '../render/sparkline.ts';
import { renderTable } from '../render/table.ts';
import { bold, dim, err, green, out, red, yellow } from '../render/terminal.ts';
import { escapeControls, inertLines } from '../render/inert.ts';

export const summary = 'the whole pipeline in one go on the local emulator: sample files in, results out (npm start)';

const HELP = `usage: order-pipeline demo [--data DIR] [--timeout SECONDS] [--port N] [--verbose]

Starts the local pipeline (moto + the real Terraform stack + the processor in worker threads), drops
every file of sample-data/ into raw-data/ — then the first valid file again under another name,
to show duplicate detection —, follows each file through the ledger to its outcome, and prints
the outcomes, the orders table's item count, the objects per prefix, the alert e-mails and the
dashboard's numbers. Then it shuts everything down.
  --data DIR       the files to drop (default: sample-data/)
  --timeout S      how long to wait for every file to be handled (default 240)
  --port N         emulator port (default: a free one)
  --verbose        also show the processor's log lines

The configuration variables of docs/deploy.md in the environment reach the local stack as with
\`order-pipeline local up\` (e.g. FANOUT_THRESHOLD_MB, FANOUT_CHUNK_MB, INGEST_MAX_CONCURRENCY).

Exit status: 0 every file reached a final outcome; 1 something did not (or failed to start).`;

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
      data: { type: 'string', default: PROJECT_PATHS.sampleData },
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
  const timeoutMs = parseTimeoutSeconds(values.timeout) * 1000;
  const port = parsePort(values.port);
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
    out(dim(escapeControls(`  dropped ${original} again as ${again.key} (same bytes, another name)`)));
    const dup: Dropped = { name: `${original} (again)`, uploaded: again, item: null, expected: 'DUPLICATE' };
    dropped.push(dup);
    await waitAll(clients, outputs.ingestions_table_name, bucket, [dup], deadline, () => interrupted);

    // Let the last invocation finish (its metrics are flushed at the end) and the alerts arrive.
    for (const queue of processorQueues(outputs)) await waitUntilIdle(clients.sqs, queue.url, 15_000);
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
    const orders = await countItems(clients.doc, outputs.orders_table_name);
    const written = dropped.reduce((sum, d) => sum + (d.item?.written ?? 0), 0);
    out(`${bold('Orders table')} ${outputs.orders_table_name}: ${orders} items (rows written by the files above: ${written})`);
    const prefixes = await countByPrefix(clients.s3, bucket);
    out(`${bold('Bucket')} s3://${bucket}: ` + Object.entries(prefixes).map(([p, n]) => `${p} ${n}`).join(', '));

    out('');
    const mails = listOutbox(stack.paths.outbox);
    out(bold(`Alert e-mails (${mails.length}, in ${stack.paths.outbox})`));
    for (const m of mails) out(escapeControls(`  ${m.file}  ${m.subject}`));
    const first = mails[0];
    if (first) {
      out(dim(`  --- ${first.file} ---`));
      const text = readFileSync(first.path, 'utf8');
      const headers = text.slice(0, text.indexOf('\n\n')).split('\n').filter((h) => /^(From|To|Subject|Date):/.test(h));
      for (const line of [...headers, '', ...emailBody(text).trimEnd().split('\n')]) out(`  | ${escapeControls(line)}`);
    }

    out('');
    out(bold(`Dashboard ${outputs.dashboard_name}`) + dim(' (custom metrics, last 15 minutes, from GetMetricData)'));
    await printDashboard(clients, outputs.dashboard_name);

    out('');
    out(dim('step 4/4: shut down'));
    if (unhandled.length > 0) {
      out(red(escapeControls(`${unhandled.length} file(s) did not reach an outcome within ${values.timeout} s: ${unhandled.map((d) => d.uploaded.key).join(', ')}`)));
      out(red(`see ${stack.paths.processorLog}`));
    }
  } catch (e) {
    code = EXIT.failure;
    err(red(inertLines(`demo failed: ${(e as Error).message}`)));
    err(`processor log: ${stack.paths.processorLog}`);
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await poller.stop();
    await stack.moto.stop();
    await localDown(stack.paths.home);
  }
  out(`done in ${((Date.now() - started) / 1000).toFixed(1)} s (emulator and poller stopped; alert e-mails and logs kept in ${stack.paths.home})`);
  out('to do this by pointing and clicking: `npx order-pipeline local up --detach`, then `npx order-pipeline console` (docs/console.md)');
  if (interrupted) return 130;
  return code;
}

/** Follows the dropped files through the ledger, with a redrawn "handled n/m" line. */
async function waitAll(clients: Clients, table: string, bucket: string, dropped: Dropped[], deadline: number, stop: () => boolean): Promise<void> {
  const status = new StatusLine();
  const items = await waitForOutcomes(clients.doc, table, bucket, dropped.map((d) => d.uploaded), {
    timeoutMs: Math.max(0, deadline - Date.now()),
    intervalMs: 400,
    stop,
    onTick: (done, total) => status.set(`  handled ${done}/${total} files…`),
  });
  status.clear();
  dropped.forEach((d, i) => (d.item = items[i] ?? null));
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
