/**
 * `npm run bench:parts [-- --rows N] [--timeout S]`: one file of about 9 MiB through the real local
 * pipeline twice — processed whole, then split into parts of 1 MiB (FANOUT_THRESHOLD_MB=1
 * FANOUT_CHUNK_MB=1) — each on a fresh local stack started as `local up` starts it (moto, the
 * Terraform stack, the poller playing both event-source mappings). It times each from the upload
 * to the file's final ledger status, records the parts and the most parts seen in flight, compares
 * the two outcomes (ledger counts, every order item, cleaned CSV, errors report) and writes
 * bench/parts-local.json, which `npm run bench:doc` renders in docs/performance.md.
 *
 * Exit status 1 when the outcomes differ or a run breaks conservation: the differences are printed
 * and recorded (sameOutcomeAsUnsplit false), never hidden.
 */
import { cpus } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { describeParts } from '../cli/render/file-progress.ts';
import { describePollerEvent } from '../cli/render/poller-report.ts';
import { formatBytes } from '../cli/render/progress.ts';
import { isFinal } from '../deployment/ledger-view.ts';
import { rawKeyFor, uploadFile, waitForOutcomes } from '../deployment/uploads.ts';
import { validateFile } from '../functions/order-processor/index.ts';
import { mappingConcurrency } from '../local/lambda/mapping-poller.ts';
import { localDown, localUp, startPoller } from '../local/stack.ts';
import { destroyClients } from '../tooling/aws-clients.ts';
import { writeJsonFile } from '../tooling/json-file.ts';
import { PROJECT_ROOT } from '../tooling/project.ts';
import { OUT_DIR } from './data.ts';
import { partsInput, type PartsInput } from './parts-file.ts';
import { conservationProblems, outcomeDifferences, readOutcome, type Outcome } from './parts-outcome.ts';
import { PARTS_PATH, type PartsMeasurement } from './results.ts';

/**
 * ~130 bytes per row: about 8.7 MiB, nine parts of 1 MiB. About 6 minutes in all on two cores,
 * mostly fixed: two Terraform applies (~85 s each) and reading 70,000 items back from moto (~70 s each).
 */
const DEFAULT_ROWS = 70_000;
const SPLIT = { FANOUT_THRESHOLD_MB: '1', FANOUT_CHUNK_MB: '1' };
const FANOUT_SETTINGS = Object.keys(SPLIT);
/** One home for both runs: `local up` clears its state, and the Terraform providers stay for the second. */
const HOME = join(OUT_DIR, 'parts-local');

const started = Date.now();
const say = (line: string) => process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);

interface RunResult {
  seconds: number;
  parts: number;
  /** The most parts the poller ran at once; null for a file processed whole. */
  partsInFlight: number | null;
  partsBound: number | null;
  outcome: Outcome;
}

/** The environment of a run: the operator's settings, with the fan-out ones only where the run sets them. */
function runEnv(settings: Record<string, string>): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of FANOUT_SETTINGS) delete env[name];
  return { ...env, ...settings };
}

async function runOnFreshStack(label: string, input: PartsInput, settings: Record<string, string>, timeoutMs: number): Promise<RunResult> {
  say(`${label}: starting a fresh local stack (${Object.entries(settings).map(([k, v]) => `${k}=${v}`).join(' ') || 'default settings'})`);
  const stack = await localUp({
    home: HOME,
    baseEnv: runEnv(settings),
    onProgress: (line, transient) => {
      if (!transient) say(`${label}: ${line}`);
    },
  });
  let poller: Awaited<ReturnType<typeof startPoller>> | null = null;
  try {
    poller = await startPoller(stack, {
      onEvent: (e) => {
        const line = describePollerEvent(e);
        if (line) say(`${label}:${line}`);
      },
    });
    const { outputs, clients } = stack;
    const key = rawKeyFor(input.path);
    say(`${label}: uploading ${input.name} (${formatBytes(input.bytes)}) → s3://${outputs.bucket_name}/${key}`);
    const uploadStart = Date.now();
    const uploaded = await uploadFile(clients.s3, outputs.bucket_name, input.path, key);
    let lastLine = 0;
    const [item] = await waitForOutcomes(clients.doc, outputs.ingestions_table_name, outputs.bucket_name, [uploaded], {
      timeoutMs,
      intervalMs: 1000,
      onTick: (_done, _total, [current]) => {
        if (Date.now() - lastLine < 3000 && !isFinal(current)) return;
        lastLine = Date.now();
        const parts = current ? describeParts(current) : null;
        say(`${label}: ledger ${current ? `${current.status}${parts ? `, ${parts}` : ''}` : 'no item yet'}`);
      },
    });
    if (!item) throw new Error(`${label}: ${key} reached no final status within ${timeoutMs / 1000} s (logs: ${stack.paths.logs})`);
    // The ledger's own finish time, not the poll that saw it (polls are a second apart).
    const finished = item.finished_at ? Date.parse(item.finished_at) : Date.now();
    const seconds = (finished - uploadStart) / 1000;
    const partsFeed = stack.feeds.find((f) => f.role === 'parts');
    const inFlight = poller.stats().queues.parts?.peakConcurrency ?? 0;
    say(`${label}: ${item.status} in ${seconds.toFixed(1)} s; reading the outcome (ledger, orders table, processed-data/, failed-data/)`);
    const readStart = Date.now();
    const outcome = await readOutcome(clients, outputs, item);
    say(`${label}: outcome read in ${((Date.now() - readStart) / 1000).toFixed(1)} s`);
    return {
      seconds,
      parts: item.parts ?? 1,
      partsInFlight: inFlight > 0 ? inFlight : null,
      partsBound: partsFeed ? mappingConcurrency(partsFeed.mapping) : null,
      outcome,
    };
  } finally {
    // A poller that fails to stop must not keep the emulator running.
    await poller?.stop().catch((e: unknown) => say(`${label}: the poller did not stop cleanly: ${String(e)}`));
    destroyClients(stack.clients);
    // By the PID `local up` recorded: the emulator stops even when the run failed.
    const { stopped } = await localDown(HOME);
    say(`${label}: stopped ${stopped.join(', ') || 'nothing (already stopped)'}`);
  }
}

const n = (value: number | undefined) => (value ?? 0).toLocaleString('en-US');
const counts = (o: Outcome) => `${o.ledger.status}: ${n(o.ledger.rows)} rows, ${n(o.ledger.written)} written, ${n(o.ledger.rejected)} rejected, ${n(o.ledger.blank)} blank`;

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { rows: { type: 'string', default: String(DEFAULT_ROWS) }, timeout: { type: 'string', default: '600' } } });
  const rows = Number(values.rows);
  const timeoutMs = Number(values.timeout) * 1000;
  if (!Number.isInteger(rows) || rows < 1000) throw new Error(`--rows must be an integer ≥ 1000, not "${values.rows}"`);
  if (!(timeoutMs > 0)) throw new Error(`--timeout must be a positive number of seconds, not "${values.timeout}"`);

  // Ctrl-C: stop the emulator of the run in progress (by its recorded PID) before leaving.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void localDown(HOME).finally(() => process.exit(130)));
  }

  const input = await partsInput(rows, say);
  const expected = await validateFile(input.path);
  say(`input: ${relative(PROJECT_ROOT, input.path)}, ${formatBytes(input.bytes)}; validate: ${expected.status}, ${expected.rows} rows, ${expected.valid} valid, ${expected.rejected} rejected, ${expected.blank} blank`);
  if (expected.status !== 'PARTIAL') throw new Error(`the input should be PARTIAL for "same outcome" to mean something; validate says ${expected.status}`);

  const whole = await runOnFreshStack('unsplit', input, {}, timeoutMs);
  const split = await runOnFreshStack('parts', input, SPLIT, timeoutMs);

  const problems = [
    ...conservationProblems(whole.outcome).map((p) => `unsplit: ${p}`),
    ...conservationProblems(split.outcome).map((p) => `parts: ${p}`),
  ];
  const reference = { status: 'PARTIAL', rows: expected.rows, written: expected.valid, rejected: expected.rejected, blank: expected.blank };
  for (const [field, value] of Object.entries(reference)) {
    const got = whole.outcome.ledger[field as keyof Outcome['ledger']];
    if (got !== value) problems.push(`unsplit: ledger ${field} ${String(got)}, validate gives ${String(value)}`);
  }
  const differences = outcomeDifferences(whole.outcome, split.outcome);
  const same = differences.length === 0;
  say(`unsplit: ${counts(whole.outcome)}; ${whole.outcome.orders.size} items`);
  say(`parts:   ${counts(split.outcome)}; ${split.outcome.orders.size} items`);
  say(same ? 'same outcome: ledger, every order item, cleaned CSV and errors report equal' : `DIFFERENT OUTCOMES (first = unsplit, second = parts):\n  ${differences.join('\n  ')}`);
  for (const p of problems) say(`PROBLEM ${p}`);

  const file = `${input.name} (${formatBytes(input.bytes)}; ${input.invalidRows} invalid rows, ${input.duplicateIds} repeated ids, ${input.blankLines} blank line)`;
  const machine = `moto on ${cpus().length} shared cores`;
  const inFlight = split.partsInFlight ?? split.partsBound ?? 1;
  const inFlightNote = split.partsInFlight !== null ? `up to ${split.partsInFlight} parts seen at once` : `parts in flight: the configured bound, not an observation`;
  const measurements: PartsMeasurement[] = [
    { file, rows: whole.outcome.ledger.rows ?? 0, parts: 1, partsInFlight: 1, seconds: whole.seconds, sameOutcomeAsUnsplit: true, outcome: counts(whole.outcome), note: `processed whole (FANOUT_THRESHOLD_MB at its default, 256); ${machine}` },
    {
      file,
      rows: split.outcome.ledger.rows ?? 0,
      parts: split.parts,
      partsInFlight: inFlight,
      seconds: split.seconds,
      sameOutcomeAsUnsplit: same,
      outcome: counts(split.outcome),
      note: `FANOUT_THRESHOLD_MB=1 FANOUT_CHUNK_MB=1; ${inFlightNote} (INGEST_MAX_CONCURRENCY ${split.partsBound ?? '?'}); ${machine}`,
    },
  ];
  writeJsonFile(PARTS_PATH, measurements);
  say(`wrote ${relative(PROJECT_ROOT, PARTS_PATH)}; \`npm run bench:doc\` renders it in docs/performance.md`);
  return same && problems.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`bench:parts failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
