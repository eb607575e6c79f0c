/**
 * `npm run bench [-- --quick] [options]` (bench/options.ts): how close the processor is to the
 * write path's own limit, measured on this machine (docs/performance.md, "Method"). Each
 * measurement runs in its own process:
 *  1. hostile inputs through `validate` (hostile.ts);
 *  2. cold start: the Lambda bundle's zipped size and module load time (cold-start.ts);
 *  3. the instant table: the Lambda bundle on the main file, and a bare BatchWriteItem loop with the
 *     same items and client, against a proxy that answers BatchWriteItem at once (instant-table.ts);
 *  4. moto itself: moto's own BatchWriteItem ceiling, and the bundle on the same file;
 *  5. memory: the bundle's peak RSS on the main and the large file, and the duplicate-id set;
 *  6. re-import: the orders table's requests per order, on moto (reimport.ts).
 * Prints the targets next to the recorded baseline (bench/results.json) and the tables; writes
 * bench/out/. A full run on a quiet machine (or with --record) is recorded: bench/results.json
 * and docs/performance.md's tables. Exit status 1 when a conservation check fails or `validate`
 * crashes on a hostile input; a missed target prints ✗.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMoto, type MotoServer } from '../tooling/emulator.ts';
import { writeJsonFile } from '../tooling/json-file.ts';
import { runTypescript } from './child.ts';
import { buildBundle, measureColdStart } from './cold-start.ts';
import { benchFile } from './data.ts';
import { runHostileBench } from './hostile.ts';
import { startInstantTable, type InstantTable } from './instant-table.ts';
import { parseBenchArgs, USAGE, UsageError, type BenchOptions } from './options.ts';
import { conservationFailures, evaluateTargets, machineWasBusy, readResults, sections, writeDocTables } from './report.ts';
import { OUT_RESULTS_PATH, RESULTS_PATH, type BenchResults, type IdSetSize, type Machine } from './results.ts';
import { measureReimport, reimportTable } from './reimport.ts';
import { runBareLoop, runBundle, type Server } from './runs.ts';

const started = performance.now();
function say(text: string): void {
  const s = Math.floor((performance.now() - started) / 1000);
  process.stderr.write(`[bench ${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}] ${text}\n`);
}

function machineInfo(): Machine {
  const probe = spawnSync(process.env.PYTHON ?? 'python3', ['-c', 'import moto; print(moto.__version__)'], { encoding: 'utf8' });
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    moto: probe.status === 0 ? probe.stdout.trim() : null,
    loadAverage: { start: loadavg()[0] ?? 0, end: 0 },
  };
}

const ID_SET = fileURLToPath(new URL('./id-set.ts', import.meta.url));

async function measure(o: BenchOptions): Promise<{ results: BenchResults; hostileOk: boolean }> {
  const startedAt = new Date().toISOString();
  const machine = machineInfo();
  say(`${machine.cpus} cores, node ${machine.node}, load average ${machine.loadAverage.start.toFixed(2)}${o.quick ? '; quick sizes' : ''}`);
  const hostile = await runHostileBench({ quick: o.quick, say });

  const spec = { seed: o.seed, multilineEvery: o.multilineEvery, gzip: false };
  const files = { main: await benchFile({ ...spec, rows: o.rows }, say), big: await benchFile({ ...spec, rows: o.bigRows }, say), moto: await benchFile({ ...spec, rows: o.motoRows }, say) };
  say('id set: memory of the duplicate-id set at each memory run size…');
  const idSet = await runTypescript<IdSetSize[]>(ID_SET, { seed: o.seed, rows: [files.main.rows, files.big.rows] });

  say('cold start: bundling the processor…');
  const bundle = await buildBundle();
  let moto: MotoServer | null = null;
  let proxy: InstantTable | null = null;
  try {
    const coldStart = measureColdStart(bundle, o.loads);
    moto = await startMoto();
    proxy = await startInstantTable(moto.endpoint);
    const onMoto: Server = { motoEndpoint: moto.endpoint, motoPid: moto.pid, proxy: null };
    const instant: Server = { ...onMoto, proxy };
    const c = o.concurrency;

    say(`instant table: the processor on ${files.main.rows.toLocaleString('en-US')} rows, then the bare loop…`);
    const instantTable = { processor: await runBundle(instant, bundle.file, files.main, c), bare: await runBareLoop(instant, files.main, c) };
    say(`moto: the bare loop (moto's ceiling) on ${files.moto.rows.toLocaleString('en-US')} rows, then the processor…`);
    const onMotoRuns = { bare: await runBareLoop(onMoto, files.moto, c), processor: await runBundle(onMoto, bundle.file, files.moto, c) };
    say(`memory: the processor on ${files.big.rows.toLocaleString('en-US')} rows…`);
    const big = await runBundle(instant, bundle.file, files.big, c);
    say('re-import: the orders table\'s requests per order, on moto…');
    const reimport = await measureReimport(onMoto, o.quick, say);

    machine.loadAverage.end = loadavg()[0] ?? 0;
    const partial = {
      schema: 2 as const,
      startedAt,
      seconds: (performance.now() - started) / 1000,
      quick: o.quick,
      machine,
      files,
      instantTable,
      moto: onMotoRuns,
      // The main file's instant-table run is the small memory run.
      memory: { runs: [instantTable.processor, big], idSet },
      coldStart,
      hostile: hostile.results,
      reimport,
    };
    const results: BenchResults = { ...partial, targets: evaluateTargets(partial), conservationOk: false };
    results.conservationOk = conservationFailures(results).length === 0;
    return { results, hostileOk: hostile.completed };
  } finally {
    await proxy?.stop();
    await moto?.stop();
    bundle.remove();
  }
}

async function main(argv: string[]): Promise<number> {
  let options: BenchOptions | 'help';
  try {
    options = parseBenchArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError) && !(error instanceof TypeError)) throw error;
    process.stderr.write(`bench: ${error.message}\n${USAGE}\n`);
    return 64;
  }
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const { results, hostileOk } = await measure(options);
  // The recorded run is of the full sizes: a quick run is not compared with it.
  const baseline = !options.quick && existsSync(RESULTS_PATH) ? readResults() : null;
  const s = sections(results, baseline);
  const failures = conservationFailures(results);
  process.stdout.write(
    [s.machine, '', s.targets, '', s.runs, '', s.memory, '', s['cold-start'], '', s.hostile, '', `Re-import: the orders table's requests per order\n${reimportTable(results.reimport ?? [])}`, '', failures.length === 0 ? 'conservation: every check held' : `CONSERVATION FAILED:\n  ${failures.join('\n  ')}`, ''].join('\n'),
  );
  const out = OUT_RESULTS_PATH(options.quick);
  mkdirSync(dirname(out), { recursive: true });
  writeJsonFile(out, results);
  say(`results written to ${relative(process.cwd(), out)}`);
  const busy = machineWasBusy(results.machine);
  const record = !options.quick && (options.record ?? !busy);
  if (record) {
    writeJsonFile(RESULTS_PATH, results);
    writeDocTables(results);
    say(`recorded: ${relative(process.cwd(), RESULTS_PATH)} and docs/performance.md's tables`);
  } else if (!options.quick) {
    say(`not recorded${busy ? ': the machine was busy (load average above its cores + 1); --record to record anyway' : ''}`);
  }
  say(`done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return results.conservationOk && hostileOk ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
