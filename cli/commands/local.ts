/**
 * `order-pipeline local up|down`: the whole pipeline on this machine (docs/local.md), the local
 * runtime (local/) driven from the terminal.
 */
import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { EXIT, UsageError } from '../exit.ts';
import { parsePort } from '../options.ts';
import { localHome, localPaths, readPids, writePids } from '../../deployment/local-home.ts';
import { attachLocal, localDown, localUp, startPoller, type RunningStack } from '../../local/stack.ts';
import { isAlive } from '../../tooling/emulator.ts';
import { describeMapping, describePollerEvent } from '../render/poller-report.ts';
import { stepPrinter } from '../render/progress.ts';
import { PROJECT_PATHS } from '../../tooling/project.ts';
import { bold, err, out } from '../render/terminal.ts';

export const summary = 'run the whole pipeline on the local emulator (up [--port N] [--detach] | down)';

const HELP = `usage: order-pipeline local up [--port N] [--detach] [--verbose]
       order-pipeline local down

up      starts the moto emulator on 127.0.0.1 (a free port unless --port), applies the real
        synthesized Terraform stack (stage "local") into it, subscribes an alert-capture queue
        to the alerts topic, writes .local/outputs.json, then runs the event-source poller in
        the foreground: the real processor handler with the deployed function's environment,
        fed by the ingest queue (files) and the parts queue (parts of large files), each up to
        its mapping's maximum concurrency (INGEST_MAX_CONCURRENCY) invocations at once, in one
        worker thread per execution environment. Ctrl-C stops the poller and the emulator.
        --detach   run the emulator and the poller in the background; stop with \`local down\`
        --verbose  also print the processor's own log lines (always in .local/logs/processor.log)
down    stops a detached pipeline (by the PIDs in .local/pids.json)

Settings: the configuration variables of docs/deploy.md in the environment are passed to the
local stack, e.g. FANOUT_THRESHOLD_MB=1 FANOUT_CHUNK_MB=1 (split files from 1 MiB into parts of
1 MiB), INGEST_MAX_CONCURRENCY, MAX_FILE_MB, MAX_FILE_LINES, LAMBDA_TIMEOUT_SECONDS, ALERT_EMAILS;
except PIPELINE_STAGE and AWS_REGION (always "local", us-east-1), remote state (TF_STATE_*) and
DELETION_PROTECTION. \`local up\` prints the ones it used (docs/local.md).

Local state lives in .local/ (or $ORDER_PIPELINE_HOME).`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      detach: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    out(HELP);
    return EXIT.ok;
  }
  const [sub, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected argument(s): ${extra.join(' ')}`);
  switch (sub) {
    case 'up':
      return up(values);
    case 'down':
      return down();
    case 'poll':
      // Internal: the background poller of `local up --detach`.
      return pollForeground(values.verbose ?? false, true);
    default:
      throw new UsageError(sub ? `unknown subcommand '${sub}'\n${HELP}` : `missing subcommand\n${HELP}`);
  }
}

async function up(values: { port?: string; detach?: boolean; verbose?: boolean }): Promise<number> {
  const port = parsePort(values.port);
  const started = Date.now();
  const stack = await localUp({
    ...(port ? { port } : {}),
    detached: values.detach ?? false,
    onProgress: stepPrinter(err),
  });
  const paths = stack.paths;
  if (values.detach) {
    const log = openSync(paths.pollerLog, 'a');
    // The CLI's executable loads tsx itself (bin/order-pipeline.js), so plain node runs it.
    const child = spawn(process.execPath, [PROJECT_PATHS.cli, 'local', 'poll', ...(values.verbose ? ['--verbose'] : [])], {
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...process.env, ORDER_PIPELINE_HOME: paths.home },
    });
    child.unref();
    writePids(paths.pids, { ...readPids(paths.pids)!, poller: child.pid ?? -1 });
    out(`local pipeline up in ${((Date.now() - started) / 1000).toFixed(1)} s (detached)`);
    out(`  emulator  ${stack.outputs.endpoint} (pid ${stack.moto.pid})`);
    out(`  poller    pid ${child.pid} (log: ${paths.pollerLog})`);
    out(`  bucket    s3://${stack.outputs.bucket_name}/raw-data/`);
    out('  next      order-pipeline upload sample-data/orders-valid.csv --wait');
    out('  stop      order-pipeline local down');
    return EXIT.ok;
  }
  writePids(paths.pids, { ...readPids(paths.pids)!, poller: process.pid });
  out(bold(`local pipeline up in ${((Date.now() - started) / 1000).toFixed(1)} s`) + ` — emulator ${stack.outputs.endpoint}`);
  out(`  drop files: order-pipeline upload FILE… --wait   (or aws --endpoint-url ${stack.outputs.endpoint} s3 cp FILE s3://${stack.outputs.bucket_name}/raw-data/)`);
  out(`  watch:      order-pipeline status | alerts | dashboard      (another terminal)`);
  out(`  processor log: ${paths.processorLog}`);
  out('  Ctrl-C stops the poller and the emulator.');
  return runPoller(stack, values.verbose ?? false, async () => {
    await stack.moto.stop();
  });
}

/** The detached poller: attaches to the running emulator. */
async function pollForeground(verbose: boolean, detached: boolean): Promise<number> {
  const stack = await attachLocal();
  out(`${new Date().toISOString()} poller attached to ${stack.outputs.endpoint}${detached ? ' (detached)' : ''}`);
  return runPoller(stack, verbose, async () => undefined);
}

async function runPoller(stack: RunningStack, verbose: boolean, onStop: () => Promise<void>): Promise<number> {
  let poller: Awaited<ReturnType<typeof startPoller>>;
  try {
    poller = await startPoller(stack, {
      verbose,
      onEvent: (e) => {
        const line = describePollerEvent(e);
        if (line) out(line);
      },
    });
  } catch (e) {
    await onStop();
    await forgetIfForeground();
    throw e;
  }
  out(`poller: receiving from ${describeMapping(stack)}`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  out('stopping: poller…');
  await poller.stop();
  await poller.drainAlerts().catch(() => undefined);
  await onStop();
  await forgetIfForeground();
  out('stopped.');
  return EXIT.ok;
}

/** A foreground run's emulator is gone with it: remove its outputs and PIDs. */
async function forgetIfForeground(): Promise<void> {
  const pids = readPids(localPaths(localHome()).pids);
  if (pids && pids.poller === process.pid && !isAlive(pids.moto)) await localDown();
}

async function down(): Promise<number> {
  const paths = localPaths(localHome());
  const pids = readPids(paths.pids);
  if (!pids) {
    err(`no local pipeline recorded in ${paths.pids}; nothing to stop`);
    return EXIT.ok;
  }
  const { stopped } = await localDown();
  if (stopped.length === 0) out('nothing was running (stale state removed)');
  for (const s of stopped) out(`stopped ${s}`);
  out(`kept: alert e-mails in ${paths.outbox}, logs in ${paths.logs}`);
  return EXIT.ok;
}

