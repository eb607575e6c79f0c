/**
 * `npm run bench [-- --quick] [options]` (bench/options.ts): how close the processor is to the
 * write path's own limit, measured on this machine (docs/performance.md, "Method"):
 *  1. the instant table: the whole handler, and a bare BatchWriteItem loop with the same items and
 *     client settings, against a proxy that answers BatchWriteItem at once; a CPU profile;
 *  2. moto itself: moto's own BatchWriteItem ceiling, ours and the peers' baseline on it;
 *  3. memory: the Lambda bundle's peak RSS on the main and the large file, and the id set;
 *  4. cold start: the bundle's zipped size and module load time;
 *  5. the CSV contract alone, the SDK's client-side cost, hostile inputs.
 * Each measurement runs in its own process. Writes bench/results.json and regenerates
 * docs/performance.md from it (--quick: both under bench/out/). Exit status 1 when a
 * conservation check fails or `validate` crashes on a hostile input; a missed target prints ✗.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { relative } from 'node:path';
import { startMoto, type MotoServer } from '../tooling/emulator.ts';
import { writeJsonFile } from '../tooling/json-file.ts';
import { PROJECT_ROOT } from '../tooling/project.ts';
import type { PeerRunResult } from './baseline-peer.ts';
import { runWorker } from './child.ts';
import { buildBundle, measureColdStart } from './cold-start.ts';
import type { ContractRunResult, IdSetSize } from './contract-bench.ts';
import { benchFile } from './data.ts';
import { runHostileBench } from './hostile.ts';
import { startInstantTable, type InstantTable } from './instant-table.ts';
import { parseBenchArgs, USAGE, UsageError, type BenchOptions } from './options.ts';
import { consoleReport } from './report/console.ts';
import { writePerformanceDoc } from './report/doc.ts';
import { evaluateTargets } from './report/targets.ts';
import { conservationFailures } from './report/tables.ts';
import { DOC_PATH, QUICK_DOC_PATH, QUICK_RESULTS_PATH, RESULTS_PATH, type BenchResults, type Machine } from './results.ts';
import { observed, runBareLoop, runBundle, runProcessor, type RunContext, type Server } from './runs.ts';
import type { SdkCostResult } from './sdk-bench.ts';
import { createBenchResources } from './setup.ts';

/**
 * NODE_OPTIONS as modules/processor.ts deploys the function: source maps on, for readable stack
 * traces. The second large memory run uses them, to show what they add to the peak (the map is
 * parsed when the bundle loads).
 */
const DEPLOYED_NODE_OPTIONS = '--enable-source-maps';

const started = performance.now();
function say(text: string): void {
  const s = Math.floor((performance.now() - started) / 1000);
  process.stderr.write(`[bench ${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}] ${text}\n`);
}

function motoVersion(): string | null {
  const probe = spawnSync(process.env.PYTHON ?? 'python3', ['-c', 'import moto; print(moto.__version__)'], { encoding: 'utf8' });
  return probe.status === 0 ? probe.stdout.trim() : null;
}

function machineInfo(): Machine {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryBytes: totalmem(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    moto: motoVersion(),
    loadAverage: { start: loadavg()[0] ?? 0, end: 0 },
  };
}

async function measure(o: BenchOptions): Promise<{ results: BenchResults; hostileReport: string[]; hostileOk: boolean }> {
  const startedAt = new Date().toISOString();
  const machine = machineInfo();
  say(`machine: ${machine.cpus} cores (${machine.cpuModel}), node ${machine.node}, load average ${machine.loadAverage.start.toFixed(2)}${o.quick ? '; quick sizes' : ''}`);
  const hostile = await runHostileBench({ quick: o.quick, say });

  const spec = { seed: o.seed, multilineEvery: o.multilineEvery, gzip: false };
  const files = {
    main: await benchFile({ ...spec, rows: o.rows }, say),
    gzip: await benchFile({ ...spec, rows: o.rows, gzip: true }, say),
    big: await benchFile({ ...spec, rows: o.bigRows }, say),
    moto: await benchFile({ ...spec, rows: o.motoRows }, say),
  };

  const contract: ContractRunResult[] = [];
  for (const [file, label] of [
    [files.main, `plain ${files.main.rows.toLocaleString('en-US')}`],
    [files.gzip, `gzip ${files.gzip.rows.toLocaleString('en-US')}`],
  ] as const) {
    say(`contract: readOrders on ${label}…`);
    contract.push(await runWorker<ContractRunResult>('contract', { path: file.path, bytes: file.bytes, textBytes: files.main.bytes, label }, { onProgress: say }));
  }
  say('id set: heap of a Map of as many order ids as each memory run has…');
  const idSet = await runWorker<IdSetSize[]>('id-set', { seed: o.seed, rows: [files.main.rows, files.big.rows] });
  say('sdk: client-side cost of BatchWriteItem and PutItem per item (no network)…');
  const sdk = await runWorker<SdkCostResult>('sdk', { items: o.sdkItems });

  say('cold start: bundling the processor…');
  const bundle = await buildBundle();
  let moto: MotoServer | null = null;
  let proxy: InstantTable | null = null;
  try {
    const coldStart = measureColdStart(bundle, o.loads);
    say(`cold start: ${(coldStart.zipBytes / 1024).toFixed(0)} KiB zipped, module load ${coldStart.medianLoadMs.toFixed(0)} ms (median)`);

    moto = await startMoto();
    proxy = await startInstantTable(moto.endpoint);
    say(`moto on ${moto.endpoint} (pid ${moto.pid}); instant table on ${proxy.endpoint} (pid ${proxy.pid})`);
    const ctx: RunContext = { writeConcurrency: o.concurrency, say };
    const onMoto: Server = { name: 'moto', motoEndpoint: moto.endpoint, motoPid: moto.pid, proxy: null };
    const instant: Server = { ...onMoto, name: 'instant table', proxy };

    say(`moto: bare BatchWriteItem loop (moto's ceiling) on ${files.moto.rows.toLocaleString('en-US')} items…`);
    const motoBare = await runBareLoop(ctx, onMoto, files.moto, 'processor');
    say('moto: the processor on the same file…');
    const motoProcessor = await runProcessor(ctx, onMoto, files.moto, `moto-${files.moto.rows}`);
    say(`moto: peers' baseline${o.peerBudget > 0 ? `, stopped after ${o.peerBudget} s` : ''}…`);
    const peerResources = await createBenchResources(moto.endpoint, 'bench-peer');
    const peerRun = await observed(onMoto, () =>
      runWorker<PeerRunResult>('peer', { resources: peerResources, path: files.moto.path, budgetSeconds: o.peerBudget }, { onProgress: say }),
    );
    const peer = { ...peerRun.value, motoCpuMs: peerRun.serverCpuMs };

    say('instant table: the processor…');
    const processor = await runProcessor(ctx, instant, files.main, `instant-${files.main.rows}`);
    say("instant table: bare loop, the processor's client and sender…");
    const bare = await runBareLoop(ctx, instant, files.main, 'processor');
    const variants = [];
    for (const client of ['sdk-defaults', 'document', 'prebuilt'] as const) {
      say(`instant table: bare loop, ${client}…`);
      variants.push(await runBareLoop(ctx, instant, files.main, client));
    }
    say('instant table: the processor under the CPU profiler…');
    mkdirSync(`${PROJECT_ROOT}/bench/out/profile`, { recursive: true });
    const profiled = await runProcessor(ctx, instant, files.main, `profiled-${files.main.rows}`, `${PROJECT_ROOT}/bench/out/profile/processor-instant-table.cpuprofile`);
    const memoryRuns = [];
    for (const [file, flags] of [[files.main, ''], [files.big, ''], [files.big, DEPLOYED_NODE_OPTIONS]] as const) {
      say(`memory: the Lambda bundle on ${file.rows.toLocaleString('en-US')} rows${flags ? ` with ${flags}` : ''}…`);
      memoryRuns.push(await runBundle(ctx, instant, bundle.file, file, flags));
    }

    machine.loadAverage.end = loadavg()[0] ?? 0;
    const partial = {
      schema: 1 as const,
      startedAt,
      finishedAt: new Date().toISOString(),
      seconds: (performance.now() - started) / 1000,
      quick: o.quick,
      options: o,
      machine,
      files,
      contract,
      sdk,
      instantTable: { processor, bare, variants, profiled },
      moto: { processor: motoProcessor, bare: motoBare, peer },
      memory: { runs: memoryRuns, idSet },
      coldStart,
      hostile: hostile.results,
    };
    const results: BenchResults = { ...partial, targets: evaluateTargets(partial), conservationOk: false };
    results.conservationOk = conservationFailures(results).length === 0;
    // A hostile input that crashes validate is a correctness failure; its time and RSS bounds are targets (✓/✗).
    return { results, hostileReport: hostile.report, hostileOk: hostile.completed };
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
  const { results, hostileReport, hostileOk } = await measure(options);
  process.stdout.write(`${consoleReport(results, hostileReport)}\n`);

  const resultsPath = options.quick ? QUICK_RESULTS_PATH : RESULTS_PATH;
  writeJsonFile(resultsPath, results);
  say(`results written to ${relative(process.cwd(), resultsPath)}`);
  if (options.doc) {
    const docPath = options.quick ? QUICK_DOC_PATH : DOC_PATH;
    writePerformanceDoc(results, docPath);
    say(`${relative(process.cwd(), docPath)} regenerated from them`);
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
