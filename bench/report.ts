/**
 * The targets (docs/performance.md "Targets"), judged on one run, and the run's tables: printed by
 * `npm run bench`, compared with the recorded baseline (bench/results.json), and written between
 * the `<!-- bench:NAME -->` markers of docs/performance.md when the run is recorded. The prose
 * around the tables is written by hand. `npm run bench:doc` rewrites the tables from
 * bench/results.json alone. A missed target is reported (✗), never a failed exit: only
 * conservation is.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { formatBytes } from '../cli/render/progress.ts';
import { TARGETS as HOSTILE } from './hostile.ts';
import { DOC_PATH, RESULTS_PATH, type BenchResults, type FileRun, type Machine, type TargetResult } from './results.ts';

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

/** Whether other work ran beside the benchmark (which itself keeps about two processes busy). */
export const machineWasBusy = (m: Machine): boolean => Math.max(m.loadAverage.start, m.loadAverage.end) > m.cpus + 1;

/** The memory runs with node's default flags, smallest file first (older results also hold one with the deployed flags). */
const memoryRuns = (r: Pick<BenchResults, 'memory'>): FileRun[] => r.memory.runs.filter((m) => !m.nodeOptions).sort((a, b) => a.rows - b.rows);

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const fixed = (n: number, digits = 1) => n.toFixed(digits);

function target(id: string, what: string, value: number, kind: TargetResult['kind'], limit: number, unit: string): TargetResult {
  return { id, what, value, target: limit, unit, kind, ok: Number.isFinite(value) && (kind === 'min' ? value >= limit : value <= limit) };
}

export function evaluateTargets(r: Omit<BenchResults, 'targets' | 'conservationOk'>): TargetResult[] {
  const [small, big] = memoryRuns(r);
  const idSetBig = r.memory.idSet.find((s) => s.rows === big?.rows)?.bytes ?? NaN;
  const small1mb = r.hostile.filter((h) => h.inflatedBytes <= HOSTILE.smallFileBytes);
  return [
    target('instant-ratio', 'instant table: processor rows/s ÷ bare loop items/s', r.instantTable.processor.rowsPerSecond / r.instantTable.bare.itemsPerSecond, 'min', TARGETS.instantRatio, '×'),
    target('instant-cpu', 'instant table: processor node CPU per row', r.instantTable.processor.microsPerRow, 'max', TARGETS.instantMicrosPerRow, 'µs'),
    target('moto-ratio', "moto: processor rows/s ÷ moto's bare-loop ceiling", r.moto.processor.rowsPerSecond / r.moto.bare.itemsPerSecond, 'min', TARGETS.motoRatio, '×'),
    target('big-rss', `memory: peak RSS at ${int(big?.rows ?? 0)} rows (Lambda bundle)`, big?.maxRssBytes ?? NaN, 'max', TARGETS.bigRssBytes, 'bytes'),
    target('rss-growth', `memory: (peak RSS at ${int(big?.rows ?? 0)} − id set) ÷ peak RSS at ${int(small?.rows ?? 0)}`, ((big?.maxRssBytes ?? NaN) - idSetBig) / (small?.maxRssBytes ?? NaN), 'max', TARGETS.rssGrowthFactor, '×'),
    target('zip', 'cold start: bundle zipped (as deployed, source map included)', r.coldStart.zipBytes, 'max', TARGETS.zipBytes, 'bytes'),
    target('load', 'cold start: module load, median', r.coldStart.medianLoadMs, 'max', TARGETS.loadMs, 'ms'),
    target('hostile-time', 'hostile inputs of at most 1 MiB: slowest `validate --json`', Math.max(...small1mb.map((h) => h.seconds)), 'max', HOSTILE.smallFileSeconds, 's'),
    target('hostile-rss', 'hostile inputs: largest peak RSS of `validate --json`', Math.max(...r.hostile.map((h) => h.maxRssBytes)), 'max', HOSTILE.peakRssBytes, 'bytes'),
  ];
}

/** Every conservation check that failed, as `run: check (detail)`. */
export function conservationFailures(r: BenchResults): string[] {
  const runs = { 'instant table, processor': r.instantTable.processor, 'instant table, bare loop': r.instantTable.bare, 'moto, processor': r.moto.processor, 'moto, bare loop': r.moto.bare };
  const all = [...Object.entries(runs), ...memoryRuns(r).map((m) => [`memory, ${int(m.rows)} rows`, m] as const)];
  const reimport = (r.reimport ?? []).filter((run) => run.status !== 'PROCESSED' || run.written !== run.lines).map((run) => `re-import, ${run.what}: every line written (${run.status}, ${run.written} of ${run.lines})`);
  return [...all.flatMap(([name, run]) => run.conservation.checks.filter((c) => !c.ok).map((c) => `${name}: ${c.name} (${c.detail})`)), ...reimport];
}

const table = (head: string[], rows: (string | number)[][], right = new Set<number>()) =>
  [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (right.has(i) ? '---:' : '---')).join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');

function show(t: Pick<TargetResult, 'value' | 'unit'>): string {
  if (!Number.isFinite(t.value)) return '—';
  if (t.unit === 'bytes') return formatBytes(t.value);
  if (t.unit === '×') return `${fixed(t.value, 2)}×`;
  if (t.unit === 's') return `${fixed(t.value, 2)} s`;
  return `${fixed(t.value, t.unit === 'ms' ? 0 : 1)} ${t.unit}`;
}

/** The targets judged again from the measurements (so older results get the targets added since). */
function targetsTable(r: BenchResults, baseline: BenchResults | null): string {
  const before = new Map(baseline ? evaluateTargets(baseline).map((t) => [t.id, t]) : []);
  const rows = evaluateTargets(r).map((t) => {
    const b = before.get(t.id);
    const limit = `${t.kind === 'min' ? '≥' : '≤'} ${show({ value: t.target, unit: t.unit })}`;
    return [t.what, show(t), ...(baseline ? [b ? show(b) : '—'] : []), limit, t.ok ? '✓' : '✗'];
  });
  const head = ['target', 'measured', ...(baseline ? [`recorded ${baseline.startedAt.slice(0, 10)}`] : []), 'target', 'met'];
  return table(head, rows, new Set([1, 2]));
}

function runsTable(r: BenchResults): string {
  const file = (name: string, run: FileRun) => [name, int(run.rows), fixed(run.seconds, 2), int(run.rowsPerSecond), fixed(run.microsPerRow), run.serverCpuMs === null ? '-' : fixed(run.serverCpuMs / 1000, 2), run.conservation.ok ? 'OK' : 'FAILED'];
  const bare = (name: string, run: BenchResults['moto']['bare']) => [name, int(run.items), fixed(run.seconds, 2), int(run.itemsPerSecond), fixed(run.microsPerItem), run.serverCpuMs === null ? '-' : fixed(run.serverCpuMs / 1000, 2), run.conservation.ok ? 'OK' : 'FAILED'];
  return table(
    ['run', 'rows / items', 'seconds', 'rows/s', 'node CPU µs/row', 'server CPU s', 'conservation'],
    [
      file('instant table: processor', r.instantTable.processor),
      bare("instant table: bare loop (the processor's client and sender)", r.instantTable.bare),
      file('moto: processor', r.moto.processor),
      bare("moto: bare loop (moto's ceiling)", r.moto.bare),
    ],
    new Set([1, 2, 3, 4, 5]),
  );
}

function memoryTable(r: BenchResults): string {
  const idSet = (rows: number) => r.memory.idSet.find((s) => s.rows === rows)?.bytes ?? NaN;
  return table(
    ['rows', 'seconds', 'RSS with bundle loaded', 'peak RSS', 'id set', 'peak RSS − id set'],
    memoryRuns(r).map((m) => [int(m.rows), fixed(m.seconds), m.rssBeforeBytes ? formatBytes(m.rssBeforeBytes) : '-', formatBytes(m.maxRssBytes), formatBytes(idSet(m.rows)), formatBytes(m.maxRssBytes - idSet(m.rows))]),
    new Set([0, 1, 2, 3, 4, 5]),
  );
}

function coldStartTable(r: BenchResults): string {
  const c = r.coldStart;
  return table(['what', 'value'], [
    ...c.files.map((f) => [f.name, `${formatBytes(f.bytes)} (${formatBytes(f.deflatedBytes)} deflated)`]),
    ['zip as deployed (all files)', formatBytes(c.zipBytes)],
    ['zip without the source map', formatBytes(c.zipBytesWithoutMap)],
    [`module load (require), median of ${c.loadMs.length}`, `${fixed(c.medianLoadMs, 0)} ms (${c.loadMs.map((ms) => fixed(ms, 0)).join(', ')})`],
    ['whole node process that loads it, median', `${fixed(c.medianProcessMs, 0)} ms`],
  ]);
}

function hostileTable(r: BenchResults): string {
  const mark = (ok: boolean | null) => (ok === null ? '' : ok ? ' ✓' : ' ✗');
  return table(
    ['input', 'on disk', 'inflated', 'seconds', 'peak RSS', 'outcome'],
    r.hostile.map((h) => [h.name, formatBytes(h.fileBytes), formatBytes(h.inflatedBytes), fixed(h.seconds, 2) + mark(h.timeTarget), formatBytes(h.maxRssBytes) + mark(h.rssTarget), h.outcome]),
    new Set([1, 2, 3, 4]),
  );
}

function machineLine(r: BenchResults): string {
  const m = r.machine;
  const busy = machineWasBusy(m) ? ' **Other work was running: absolute figures are not comparable.**' : '';
  return (
    `${r.startedAt.slice(0, 16).replace('T', ' ')} UTC, ${m.cpus} cores (${m.cpuModel}), Node ${m.node}, moto ${m.moto ?? '?'}; ` +
    `1-minute load average ${fixed(m.loadAverage.start, 2)} at the start and ${fixed(m.loadAverage.end, 2)} at the end (${fixed(r.seconds, 0)} s).${busy}`
  );
}

/** The generated sections of docs/performance.md, by marker name. */
export function sections(r: BenchResults, baseline: BenchResults | null = null): Record<string, string> {
  return { machine: machineLine(r), targets: targetsTable(r, baseline), runs: runsTable(r), memory: memoryTable(r), 'cold-start': coldStartTable(r), hostile: hostileTable(r) };
}

/** `doc` with the text between each `<!-- bench:NAME -->` and `<!-- /bench:NAME -->` replaced. */
export function replaceSections(doc: string, generated: Record<string, string>): string {
  let out = doc;
  for (const [name, text] of Object.entries(generated)) {
    const open = `<!-- bench:${name} -->`;
    const close = `<!-- /bench:${name} -->`;
    const [from, to] = [out.indexOf(open), out.indexOf(close)];
    if (from < 0 || to < from) throw new Error(`docs/performance.md lacks the markers ${open} … ${close}`);
    out = `${out.slice(0, from + open.length)}\n${text}\n${out.slice(to)}`;
  }
  return out;
}

export const readResults = (path = RESULTS_PATH): BenchResults => JSON.parse(readFileSync(path, 'utf8')) as BenchResults;

export function writeDocTables(r: BenchResults, path = DOC_PATH): void {
  writeFileSync(path, replaceSections(readFileSync(path, 'utf8'), sections(r)));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  writeDocTables(readResults());
  process.stderr.write('docs/performance.md: tables rewritten from bench/results.json\n');
}
