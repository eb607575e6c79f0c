/**
 * `npm run bench [-- --rows N] [--sweep A,B] [--concurrency 1,4,8] [--peer-budget S] [--no-aws]`
 *
 * Measures on this machine, each measurement in its own process (child.ts):
 *  1. the CSV contract alone (readOrders): rows/s and MB/s on plain and gzip input, and peak
 *     memory at two file sizes to show it does not grow with the file (apart from the id set);
 *  2. the real processor handler against a moto server: wall time, rows/s, BatchWriteItem calls,
 *     conservation (rows = written + rejected, items in the table);
 *  3. the peers' baseline (baseline-peer.ts) on the same file and moto: read-all + PutItem per row,
 *     time-boxed, and what it stores wrongly.
 * Prints tables, writes bench/out/results.json. Timings live here only, never in tests.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatBytes } from '../cli/render/progress.ts';
import { renderTable } from '../cli/render/table.ts';
import { startMoto, type MotoServer } from '../tooling/emulator.ts';
import type { PeerRunResult } from './baseline-peer.ts';
import { runWorker } from './child.ts';
import type { ContractRunResult, ReadAllResult } from './contract-bench.ts';
import { benchFile, OUT_DIR, type BenchFile } from './data.ts';
import { runHostileBench } from './hostile.ts';
import type { ProcessorRunResult } from './processor-bench.ts';
import type { SdkCostResult } from './sdk-bench.ts';
import { createBenchResources, processorEnv } from './setup.ts';

const USAGE = `usage: npm run bench -- [--rows N] [--sweep A,B] [--concurrency C1,C2] [--peer-budget SECONDS]
                        [--multiline-every N] [--seed S] [--live-heap] [--no-aws]
  --rows N             rows of the main file (default 50000)
  --sweep A,B          file sizes for the memory comparison (default 20000,200000)
  --concurrency C,…    WRITE_CONCURRENCY values to run the processor with (default 4)
  --peer-budget S      seconds the peers' baseline may write before it is stopped (default 20; 0 = whole file)
  --multiline-every N  every Nth row gets a quoted product name spanning two lines (default 500; 0 = none)
  --seed S             generator seed (default 7)
  --live-heap          also record the processor's live heap (a forced full GC every second; this
                       slows the processor run, so its times are not comparable)
  --no-aws             only the CSV contract part (no moto)`;

class UsageError extends Error {}

/** Items for the SDK cost measurement (PutItem costs ~0.3 ms each: keep it short). */
const SDK_ITEMS = 10_000;

/** Memory runs force a full GC this often to see the live heap (throughput runs never do). */
const LIVE_HEAP_EVERY_MS = 100;

function intOption(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} ${JSON.stringify(raw)}: expected a whole number ≥ ${min}`);
  return n;
}

function listOption(name: string, raw: string | undefined, fallback: number[], min: number): number[] {
  if (raw === undefined) return fallback;
  const values = raw.split(',').map((part) => intOption(name, part.trim(), 0, min));
  if (values.length === 0) throw new UsageError(`--${name}: expected a comma-separated list`);
  return values;
}

export interface BenchOptions {
  rows: number;
  sweep: number[];
  concurrency: number[];
  peerBudget: number;
  multilineEvery: number;
  seed: number;
  liveHeap: boolean;
  aws: boolean;
}

export function parseBenchArgs(argv: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      rows: { type: 'string' },
      sweep: { type: 'string' },
      concurrency: { type: 'string' },
      'peer-budget': { type: 'string' },
      'multiline-every': { type: 'string' },
      seed: { type: 'string' },
      'live-heap': { type: 'boolean', default: false },
      'no-aws': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  return {
    rows: intOption('rows', values.rows, 50_000, 1),
    sweep: listOption('sweep', values.sweep, [20_000, 200_000], 1),
    concurrency: listOption('concurrency', values.concurrency, [4], 1),
    peerBudget: intOption('peer-budget', values['peer-budget'], 20, 0),
    multilineEvery: intOption('multiline-every', values['multiline-every'], 500, 0),
    seed: intOption('seed', values.seed, 7, 0),
    liveHeap: values['live-heap'] ?? false,
    aws: !values['no-aws'],
  };
}

// ---------- progress and formatting ----------

const started = performance.now();
function say(text: string): void {
  const s = Math.floor((performance.now() - started) / 1000);
  process.stderr.write(`[bench ${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}] ${text}\n`);
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const fixed = (n: number, digits = 1): string => n.toFixed(digits);
const mib = (bytes: number): string => formatBytes(bytes);

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

function motoVersion(): string | null {
  const probe = spawnSync(process.env.PYTHON ?? 'python3', ['-c', 'import moto; print(moto.__version__)'], { encoding: 'utf8' });
  return probe.status === 0 ? probe.stdout.trim() : null;
}

// ---------- the run ----------

interface ProcessorEntry extends ProcessorRunResult {
  motoCpuMs: number | null;
}
interface PeerEntry extends PeerRunResult {
  motoCpuMs: number | null;
}

async function main(argv: string[]): Promise<number> {
  let options: BenchOptions | 'help';
  try {
    options = parseBenchArgs(argv);
  } catch (error) {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    return 64;
  }
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const o = options;
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memory: formatBytes(totalmem()),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    moto: o.aws ? motoVersion() : null,
    /** 1-minute load average at the start and the end: other work on the machine skews every number. */
    loadAverage: { start: loadavg()[0] ?? 0, end: 0 },
  };
  say(`machine: ${machine.cpus} cores (${machine.cpuModel}), ${machine.memory} RAM, node ${machine.node}`);

  // 0. Hostile inputs against validate: time and peak RSS (bench/hostile.ts; BENCH_QUICK=1 shrinks them).
  const hostile = await runHostileBench({ quick: process.env.BENCH_QUICK === '1', say });

  // Files.
  const spec = { seed: o.seed, multilineEvery: o.multilineEvery };
  const input = await benchFile({ ...spec, rows: o.rows, gzip: false }, say);
  const mainGz = await benchFile({ ...spec, rows: o.rows, gzip: true }, say);
  const sweepFiles: BenchFile[] = [];
  for (const rows of o.sweep) sweepFiles.push(await benchFile({ ...spec, rows, gzip: false }, say));
  say(`input: ${int(input.rows)} rows, ${mib(input.bytes)} (gzip ${mib(mainGz.bytes)}), ${int(input.multilineRows)} rows with a quoted line break`);

  // 1. The CSV contract alone.
  const contract: ContractRunResult[] = [];
  for (const [file, label] of [
    [input, `plain ${int(input.rows)}`],
    [mainGz, `gzip ${int(input.rows)}`],
  ] as const) {
    say(`contract: readOrders on ${label}…`);
    contract.push(
      await runWorker<ContractRunResult>('contract', { path: file.path, bytes: file.bytes, textBytes: input.bytes, seed: o.seed, label }, { onProgress: say }),
    );
  }
  const sweep: { rows: number; ours: ContractRunResult; peers: ReadAllResult }[] = [];
  for (const file of sweepFiles) {
    const label = `plain ${int(file.rows)}`;
    say(`memory: readOrders vs read-all on ${label}…`);
    const ours = await runWorker<ContractRunResult>(
      'contract',
      { path: file.path, bytes: file.bytes, textBytes: file.bytes, seed: o.seed, label, liveEveryMs: LIVE_HEAP_EVERY_MS },
      { onProgress: say },
    );
    const peers = await runWorker<ReadAllResult>('read-all', { path: file.path, label, liveEveryMs: LIVE_HEAP_EVERY_MS });
    sweep.push({ rows: file.rows, ours, peers });
  }

  say('sdk: client-side cost of BatchWriteItem and PutItem per item (no network)…');
  const sdk = await runWorker<SdkCostResult>('sdk', { items: SDK_ITEMS });

  // 2 and 3. Against moto.
  const processor: ProcessorEntry[] = [];
  let peer: PeerEntry | null = null;
  let moto: MotoServer | null = null;
  if (o.aws) {
    try {
      say('starting moto…');
      moto = await startMoto();
      say(`moto on ${moto.endpoint} (pid ${moto.pid})`);
      let peerResources = null;
      for (const concurrency of o.concurrency) {
        const resources = await createBenchResources(moto.endpoint, `bench-c${concurrency}`);
        peerResources ??= resources;
        const label = `orders-${o.rows}-c${concurrency}`;
        say(`processor: handler on ${int(input.rows)} rows, WRITE_CONCURRENCY=${concurrency}…`);
        const cpu0 = processCpuMs(moto.pid);
        const result = await runWorker<ProcessorRunResult>(
          'processor',
          { resources, path: input.path, expectedRows: input.rows, writeConcurrency: concurrency, label, liveHeapEveryMs: o.liveHeap ? 1000 : 0 },
          { env: processorEnv(resources, concurrency), onProgress: say },
        );
        const cpu1 = processCpuMs(moto.pid);
        processor.push({ ...result, motoCpuMs: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0 });
        say(`processor: ${fixed(result.seconds)} s, ${int(result.rowsPerSecond)} rows/s, conservation ${result.conservation.ok ? 'OK' : 'BROKEN'}`);
      }
      if (peerResources) {
        say(`peer baseline: read-all + PutItem per row on the same file${o.peerBudget > 0 ? `, stopped after ${o.peerBudget} s` : ''}…`);
        const cpu0 = processCpuMs(moto.pid);
        const result = await runWorker<PeerRunResult>('peer', { resources: peerResources, path: input.path, budgetSeconds: o.peerBudget }, { onProgress: say });
        const cpu1 = processCpuMs(moto.pid);
        peer = { ...result, motoCpuMs: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0 };
      }
    } finally {
      await moto?.stop();
    }
  }

  // Report.
  machine.loadAverage.end = loadavg()[0] ?? 0;
  const out: string[] = [];
  out.push('', `Machine: ${machine.cpus} cores, ${machine.cpuModel}, ${machine.memory} RAM, node ${machine.node}${machine.moto ? `, moto ${machine.moto}` : ''}; ` +
      `load average ${fixed(machine.loadAverage.start, 2)} at start, ${fixed(machine.loadAverage.end, 2)} at end`);
  // The benchmark itself keeps about two processes busy (moto and one worker).
  if (Math.max(machine.loadAverage.start, machine.loadAverage.end) > machine.cpus + 1) {
    out.push(`WARNING: other work was running (1-minute load average above ${machine.cpus + 1}; the benchmark itself accounts for ~2): timings are skewed.`);
  }
  out.push(
    `Input: ${int(input.rows)} generated rows (${mib(input.bytes)}; gzip ${mib(mainGz.bytes)}), ` +
      `${int(input.multilineRows)} with a quoted line break, ~1 in 8 with a quoted comma`,
    '',
  );
  out.push(...hostile.report);
  out.push('1. CSV contract alone (readOrders, local file, no AWS)');
  out.push(
    renderTable(
      ['input', 'rows', 'seconds', 'rows/s', 'input MB/s', 'text MB/s', 'CPU s', 'peak heap +', 'peak RSS'],
      contract.map((c) => [c.label, int(c.counts.rows), fixed(c.seconds, 2), int(c.rowsPerSecond), fixed(c.mbPerSecond), fixed(c.textMbPerSecond), fixed(c.cpuMs / 1000, 2), mib(c.memory.heapGrowthBytes), mib(c.memory.peakRssBytes)]),
    ),
    '',
  );
  out.push('   Memory against file size: live heap = peak of heapUsed after a forced full GC (every 100 ms), minus the baseline;');
  out.push('   id set = a Map of the same order ids (the duplicate check must keep one per row); rest = live heap - id set');
  const live = (m: { liveHeapGrowthBytes: number | null }) => (m.liveHeapGrowthBytes === null ? '-' : mib(m.liveHeapGrowthBytes));
  out.push(
    renderTable(
      ['rows', 'file', 'ours: live heap', 'id set', 'rest', 'peak heap', 'RSS +', 'peers: live heap', 'peak heap', 'RSS +'],
      sweep.map((s) => [
        int(s.rows),
        mib(sweepFiles.find((f) => f.rows === s.rows)?.bytes ?? 0),
        live(s.ours.memory),
        mib(s.ours.idSetHeapBytes),
        mib(Math.max(0, (s.ours.memory.liveHeapGrowthBytes ?? 0) - s.ours.idSetHeapBytes)),
        mib(s.ours.memory.heapGrowthBytes),
        mib(s.ours.memory.rssGrowthBytes),
        live(s.peers.memory),
        mib(s.peers.memory.heapGrowthBytes),
        mib(s.peers.memory.rssGrowthBytes),
      ]),
    ),
    '',
  );
  const parserMicros = (contract[0]?.cpuMs ?? 0) * 1000 / Math.max(1, contract[0]?.counts.rows ?? 1);
  out.push('   CPU per row or item, single core: parser (readOrders, one pass) vs AWS SDK client side (marshal, serialise, sign, parse; no network)');
  out.push(
    renderTable(
      ['work', 'µs per row/item', 'measured over'],
      [
        ['readOrders, one pass (plain)', fixed(parserMicros), `${int(contract[0]?.counts.rows ?? 0)} rows`],
        ['BatchWriteItem, 25 per request', fixed(sdk.batchWrite.microsPerItem), `${int(sdk.batchWrite.requests)} requests`],
        ['PutItem, one per request', fixed(sdk.putItem.microsPerItem), `${int(sdk.putItem.requests)} requests`],
      ],
    ),
    '',
  );
  if (processor.length > 0 || peer) {
    out.push(`2/3. Whole pipeline against moto (same file, ${int(input.rows)} rows; moto is single-process Python sharing the 2 cores)`);
    const rows: string[][] = processor.map((p) => [
      `ours, WRITE_CONCURRENCY=${p.writeConcurrency}`,
      fixed(p.seconds),
      int(p.rowsPerSecond),
      `${int(p.batchWriteCalls)} BatchWriteItem`,
      int(p.ledger?.written ?? 0),
      int(p.itemsInTable),
      p.conservation.ok ? 'OK' : 'BROKEN',
      mib(p.memory.heapGrowthBytes),
      mib(p.memory.peakRssBytes),
      fixed(p.cpuMs / 1000),
      p.motoCpuMs === null ? '-' : fixed(p.motoCpuMs / 1000),
    ]);
    if (peer) {
      const a = peer.analysis;
      rows.push([
        `peers${peer.stats.stoppedEarly ? ` (stopped at ${o.peerBudget} s)` : ''}`,
        peer.stats.stoppedEarly ? `${fixed(peer.seconds)} (~${int(peer.projectedSeconds)} whole file)` : fixed(peer.seconds),
        int(peer.rowsPerSecond),
        `${int(peer.requests.PutItem ?? 0)} PutItem`,
        int(peer.stats.written),
        int(peer.itemsInTable),
        `counts ${int(a.peerRows)} rows for ${int(a.contractRows)}`,
        mib(peer.memory.heapGrowthBytes),
        mib(peer.memory.peakRssBytes),
        fixed(peer.cpuMs / 1000),
        peer.motoCpuMs === null ? '-' : fixed(peer.motoCpuMs / 1000),
      ]);
    }
    out.push(renderTable(['pipeline', 'seconds', 'rows/s', 'DynamoDB calls', 'written', 'items in table', 'conservation', 'peak heap +', 'peak RSS', 'node CPU s', 'moto CPU s'], rows), '');
    for (const p of processor) {
      const failed = p.conservation.checks.filter((c) => !c.ok);
      out.push(
        `   ours (c=${p.writeConcurrency}): ${p.ledger?.status ?? 'no ledger item'}, rows ${int(p.ledger?.rows ?? 0)} = written ${int(p.ledger?.written ?? 0)} + rejected ${int(p.ledger?.rejected ?? 0)}; ` +
          `first write after ${p.secondsToFirstWrite === null ? '-' : fixed(p.secondsToFirstWrite, 2)} s (claim + pass 1)` +
          (p.memory.liveHeapGrowthBytes === null ? '' : `; live heap ${mib(p.memory.liveHeapGrowthBytes)} (forced GC every second: times not comparable)`),
      );
      const rows = Math.max(1, p.ledger?.rows ?? 1);
      out.push(
        `     CPU per row: node ${fixed((p.cpuMs * 1000) / rows)} µs, moto ${p.motoCpuMs === null ? '-' : fixed((p.motoCpuMs * 1000) / rows)} µs; ` +
          `requests ${JSON.stringify(p.requests)}`,
      );
      for (const c of failed) out.push(`   CONSERVATION CHECK FAILED: ${c.name}: ${c.detail}`);
    }
    if (peer) {
      const a = peer.analysis;
      out.push(
        '',
        `   peers, whole file replayed against the contract: ${int(a.peerRows)} rows counted for ${int(a.contractRows)} records; ` +
          `${int(a.exact)} stored exactly, ${int(a.wrongValues)} stored with wrong values, ${int(a.lost)} lost, ${int(a.phantom)} phantom items`,
      );
      out.push(`   peers, ${peer.stats.stoppedEarly ? 'in the time box' : 'whole run'}: ${int(peer.stats.rowsSeen)} rows seen, ${int(peer.stats.written)} written, ${int(peer.stats.skipped)} skipped, ${int(peer.stats.failed)} failed PutItem`);
      for (const e of a.examples.slice(0, 8)) out.push(`     e.g. ${e}`);
      for (const e of peer.stats.firstErrors) out.push(`     e.g. failed ${e}`);
    }
  }
  process.stdout.write(`${out.join('\n')}\n`);

  mkdirSync(OUT_DIR, { recursive: true });
  const resultsPath = join(OUT_DIR, 'results.json');
  writeFileSync(
    resultsPath,
    `${JSON.stringify({ finishedAt: new Date().toISOString(), machine, options: o, input: { main: input, gzip: mainGz, sweep: sweepFiles }, contract, sweep, sdk, processor, peer, hostile: hostile.results }, null, 2)}\n`,
  );
  say(`results written to ${resultsPath} (${fixed((performance.now() - started) / 1000)} s in all)`);
  return processor.every((p) => p.conservation.ok) && hostile.ok ? 0 : 1;
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
