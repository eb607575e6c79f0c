/**
 * The performance targets (docs/performance.md "Targets"), judged on one run's numbers (ratios within the same run).
 * A missed target is reported (✗ and by how much), never a failed exit: only conservation is.
 */
import type { IdSetSize } from '../contract-bench.ts';
import type { BenchResults, Machine, TargetResult } from '../results.ts';
import type { MemoryEntry } from '../runs.ts';

/** The memory runs with V8's default flags, smallest file first (a heap-capped run is a diagnosis, not the target). */
export const defaultMemoryRuns = (runs: MemoryEntry[]): MemoryEntry[] => runs.filter((m) => m.nodeOptions === '').sort((a, b) => a.rows - b.rows);

/** The memory run with the deployed NODE_OPTIONS on the file of `rows` rows, if the run has one. */
export const deployedMemoryRun = (runs: MemoryEntry[], rows: number | undefined): MemoryEntry | undefined =>
  runs.find((m) => m.nodeOptions !== '' && m.rows === rows);

/** The duplicate-id set measured for `rows` ids, if the run measured that size. */
export const idSetAt = (r: Pick<BenchResults, 'memory'>, rows: number | undefined): IdSetSize | undefined => r.memory.idSet.find((s) => s.rows === rows);

/** One pass of the CSV contract over a local file, node CPU µs per row (NaN without a contract run). */
export function parseMicrosPerRow(r: Pick<BenchResults, 'contract'>): number {
  const c = r.contract[0];
  return c ? (c.cpuMs * 1000) / Math.max(1, c.counts.rows) : NaN;
}

/** Whether other work ran beside the benchmark (which itself keeps about two processes busy). */
export const machineWasBusy = (m: Machine): boolean => Math.max(m.loadAverage.start, m.loadAverage.end) > m.cpus + 1;

const MiB = 1024 * 1024;

export const TARGETS = {
  instantRatio: 0.8,
  instantMicrosPerRow: 80,
  motoRatio: 0.85,
  bigRssBytes: 256 * MiB,
  rssGrowthFactor: 1.3,
  zipBytes: 1.5 * MiB,
  loadMs: 300,
} as const;

function target(id: string, what: string, value: number, kind: TargetResult['kind'], limit: number, unit: string): TargetResult {
  const ok = Number.isFinite(value) && (kind === 'min' ? value >= limit : value <= limit);
  return { id, what, value, target: limit, unit, kind, ok, ratio: value / limit };
}

export function evaluateTargets(r: Omit<BenchResults, 'targets' | 'conservationOk'>): TargetResult[] {
  const { processor, bare } = r.instantTable;
  const [small, big] = defaultMemoryRuns(r.memory.runs);
  const idSetBig = idSetAt(r, big?.rows)?.bytes ?? NaN;
  const rows = (n: number | undefined) => (n ?? 0).toLocaleString('en-US');
  return [
    target(
      'instant-ratio',
      'instant table: processor rows/s ÷ bare loop items/s',
      processor.rowsPerSecond / bare.itemsPerSecond,
      'min',
      TARGETS.instantRatio,
      '×',
    ),
    target('instant-cpu', 'instant table: processor node CPU per row', processor.microsPerRow, 'max', TARGETS.instantMicrosPerRow, 'µs'),
    target('moto-ratio', "moto: processor rows/s ÷ moto's bare-loop ceiling", r.moto.processor.rowsPerSecond / r.moto.bare.itemsPerSecond, 'min', TARGETS.motoRatio, '×'),
    target('big-rss', `memory: peak RSS at ${rows(big?.rows)} rows (Lambda bundle)`, big?.maxRssBytes ?? NaN, 'max', TARGETS.bigRssBytes, 'bytes'),
    target(
      'rss-growth',
      `memory: (peak RSS at ${rows(big?.rows)} − id set) ÷ peak RSS at ${rows(small?.rows)}`,
      ((big?.maxRssBytes ?? NaN) - idSetBig) / (small?.maxRssBytes ?? NaN),
      'max',
      TARGETS.rssGrowthFactor,
      '×',
    ),
    target('zip', 'cold start: bundle zipped (as deployed, source map included)', r.coldStart.zipBytes, 'max', TARGETS.zipBytes, 'bytes'),
    target('load', 'cold start: module load, median', r.coldStart.medianLoadMs, 'max', TARGETS.loadMs, 'ms'),
  ];
}
