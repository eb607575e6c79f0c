/**
 * The result tables of one run, as plain data (headers and cells): printed by console.ts with
 * renderTable, written into docs/performance.md by doc.ts as Markdown. One place decides what
 * each table shows, so the terminal and the document always agree.
 */
import { formatBytes } from '../../cli/render/progress.ts';
import type { Conservation } from '../conservation.ts';
import type { BenchResults, TargetResult } from '../results.ts';
import type { BareClient } from '../bare-loop.ts';
import type { BareEntry, ProcessorEntry } from '../runs.ts';
import { idSetAt, parseMicrosPerRow } from './targets.ts';

export interface Table {
  headers: string[];
  rows: string[][];
}

export const int = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-');
export const fixed = (n: number, digits = 1): string => (Number.isFinite(n) ? n.toFixed(digits) : '-');
export const pct = (share: number): string => `${(share * 100).toFixed(1)} %`;
export const bytes = (n: number): string => (Number.isFinite(n) ? formatBytes(Math.round(n)) : '-');
const ok = (c: Conservation) => (c.ok ? 'OK' : 'BROKEN');
const serverCpu = (ms: number | null) => (ms === null ? '-' : fixed(ms / 1000, 2));

export function targetValue(t: TargetResult): string {
  if (t.unit === 'bytes') return bytes(t.value);
  if (t.unit === '×') return `${fixed(t.value, 2)}×`;
  return `${fixed(t.value, t.unit === 'ms' ? 0 : 1)} ${t.unit}`;
}

export function targetsTable(targets: TargetResult[]): Table {
  return {
    headers: ['target', 'measured', 'target', 'measured ÷ target', 'met'],
    rows: targets.map((t) => [
      t.what,
      targetValue(t),
      `${t.kind === 'min' ? '≥' : '≤'} ${targetValue({ ...t, value: t.target })}`,
      fixed(t.ratio, 2),
      t.ok ? '✓' : '✗',
    ]),
  };
}

/** One measured run as a row of RUN_HEADERS. */
function runRow(name: string, n: number, seconds: number, rate: number, cpuMs: number, micros: number, serverCpuMs: number | null, c: Conservation): string[] {
  return [name, int(n), fixed(seconds, 2), int(rate), fixed(cpuMs / 1000, 2), fixed(micros), serverCpu(serverCpuMs), ok(c)];
}
const processorRow = (name: string, p: ProcessorEntry) => runRow(name, p.rows, p.seconds, p.rowsPerSecond, p.cpuMs, p.microsPerRow, p.serverCpuMs, p.conservation);
const bareRow = (name: string, b: BareEntry) => runRow(name, b.items, b.seconds, b.itemsPerSecond, b.cpuMs, b.microsPerItem, b.serverCpuMs, b.conservation);
const RUN_HEADERS = ['run', 'rows / items', 'seconds', 'rows/s', 'node CPU s', 'node CPU µs/row', 'server CPU s', 'conservation'];

/** What each bare loop's client does (bare-loop.ts). */
export const BARE_CLIENTS: Record<BareClient, string> = {
  processor: "the processor's client and sender (as clientsFromEnv and orderBatchSender build them)",
  'sdk-defaults': 'lib-dynamodb, DocumentClient as the SDK builds it (logger middleware in place)',
  document: "lib-dynamodb through the processor's client (no logger middleware)",
  prebuilt: "the processor's client, AttributeValues built before the clock",
};

export function instantTable(r: BenchResults): Table {
  const { processor, bare, variants } = r.instantTable;
  return {
    headers: RUN_HEADERS,
    rows: [
      processorRow('processor: whole handler (tsx)', processor),
      ...[bare, ...variants].map((b) => bareRow(`bare loop: ${BARE_CLIENTS[b.client]}`, b)),
      ...r.memory.runs.map((m) =>
        runRow(`processor: Lambda bundle, plain node, ${int(m.rows)} rows${m.nodeOptions ? `, ${m.nodeOptions}` : ''}`, m.rows, m.seconds, m.rowsPerSecond, m.cpuMs, m.microsPerRow, null, m.conservation),
      ),
    ],
  };
}

export function motoTable(r: BenchResults): Table {
  const { processor, bare, peer } = r.moto;
  const ceiling = bare.itemsPerSecond;
  const share = (rate: number) => `${fixed(rate / ceiling, 2)}×`;
  const rows = [
    [...bareRow(`moto's ceiling: bare loop, ${r.options.concurrency} in flight`, bare), '1.00×'],
    [...processorRow('ours: whole handler', processor), share(processor.rowsPerSecond)],
    [
      `peers: one PutItem per row${peer.stats.stoppedEarly ? `, stopped at ${r.options.peerBudget} s` : ''}`,
      int(peer.stats.rowsSeen),
      fixed(peer.seconds, 2),
      int(peer.rowsPerSecond),
      fixed(peer.cpuMs / 1000, 2),
      fixed((peer.cpuMs * 1000) / Math.max(1, peer.stats.rowsSeen)),
      serverCpu(peer.motoCpuMs),
      peer.itemsInTable === peer.stats.written ? `${int(peer.stats.written)} stored` : `BROKEN: ${int(peer.itemsInTable)} in table`,
      share(peer.rowsPerSecond),
    ],
  ];
  return { headers: [...RUN_HEADERS, '÷ ceiling'], rows };
}

export function memoryTable(r: BenchResults): Table {
  return {
    headers: ['rows', 'NODE_OPTIONS', 'seconds', 'RSS with bundle loaded', 'peak RSS', 'id set', 'peak RSS − id set', 'V8 heap reserved / used, peak', 'buffers, peak'],
    rows: r.memory.runs.map((m) => {
      const idSet = idSetAt(r, m.rows)?.bytes ?? NaN;
      return [
        int(m.rows),
        m.nodeOptions || 'defaults',
        fixed(m.seconds, 1),
        bytes(m.rssBeforeBytes),
        bytes(m.maxRssBytes),
        bytes(idSet),
        bytes(m.maxRssBytes - idSet),
        `${bytes(m.peak.heapTotalBytes)} / ${bytes(m.peak.heapUsedBytes)}`,
        bytes(m.peak.externalBytes),
      ];
    }),
  };
}

export function coldStartTable(r: BenchResults): Table {
  const c = r.coldStart;
  return {
    headers: ['what', 'value'],
    rows: [
      ...c.files.map((f) => [`${f.name}`, `${bytes(f.bytes)} (${bytes(f.deflatedBytes)} deflated)`]),
      ['zip as deployed (all files)', bytes(c.zipBytes)],
      ['zip without the source map', bytes(c.zipBytesWithoutMap)],
      [`module load (require), median of ${c.loadMs.length}`, `${fixed(c.medianLoadMs, 0)} ms (fastest ${fixed(Math.min(...c.loadMs), 0)} ms; ${c.loadMs.map((ms) => fixed(ms, 0)).join(', ')})`],
      ['whole node process that loads it, median', `${fixed(c.medianProcessMs, 0)} ms`],
    ],
  };
}

export function contractTable(r: BenchResults): Table {
  return {
    headers: ['input', 'rows', 'seconds', 'rows/s', 'input MB/s', 'text MB/s', 'CPU µs/row', 'peak RSS'],
    rows: r.contract.map((c) => [
      c.label,
      int(c.counts.rows),
      fixed(c.seconds, 2),
      int(c.rowsPerSecond),
      fixed(c.mbPerSecond),
      fixed(c.textMbPerSecond),
      fixed((c.cpuMs * 1000) / Math.max(1, c.counts.rows)),
      bytes(c.memory.peakRssBytes),
    ]),
  };
}

/** Where a row's CPU goes, from the measurements of this run (no profile needed). */
export function cpuBudgetTable(r: BenchResults): Table {
  const parse = parseMicrosPerRow(r);
  const { processor, bare, variants } = r.instantTable;
  return {
    headers: ['work', 'node CPU µs per row / item'],
    rows: [
      ['readOrders, one pass (local file, no AWS)', fixed(parse)],
      ...(r.sdk.processor ? [["SDK BatchWriteItem client side, no network (the processor's client and sender, 25 per request)", fixed(r.sdk.processor.microsPerItem)]] : []),
      ['SDK BatchWriteItem client side, no network (lib-dynamodb as the SDK builds it, 25 per request)', fixed(r.sdk.batchWrite.microsPerItem)],
      ['SDK PutItem client side, no network (lib-dynamodb, one per request)', fixed(r.sdk.putItem.microsPerItem)],
      ...[bare, ...variants].map((b) => [`bare loop to the instant table: ${BARE_CLIENTS[b.client]} (SDK + HTTP)`, fixed(b.microsPerItem)]),
      ['processor, whole handler, instant table', fixed(processor.microsPerRow)],
      ['processor minus bare loop minus two parsing passes (the rest: S3 streams, cleaned CSV, hashing, glue)', fixed(processor.microsPerRow - bare.microsPerItem - 2 * parse)],
    ],
  };
}

export function profileTables(r: BenchResults): { packages: Table; functions: Table; watched: Table } | null {
  const p = r.instantTable.profiled.profile;
  if (!p) return null;
  return {
    packages: { headers: ['package / module', 'self ms', 'share'], rows: p.byPackage.slice(0, 14).map((s) => [s.name, fixed(s.ms, 0), pct(s.share)]) },
    functions: { headers: ['function', 'where', 'self ms', 'share'], rows: p.topFunctions.slice(0, 20).map((f) => [f.name, f.module, fixed(f.ms, 0), pct(f.share)]) },
    watched: { headers: ['inclusive (anywhere on the stack)', 'ms', 'share'], rows: p.watched.map((w) => [w.name, fixed(w.ms, 0), pct(w.share)]) },
  };
}

export function peerCorrectnessTable(r: BenchResults): Table {
  const a = r.moto.peer.analysis;
  return {
    headers: ['', `${int(r.files.moto.rows)}-row file`],
    rows: [
      ['rows according to the CSV contract', int(a.contractRows)],
      ['rows the peers count (non-empty lines)', int(a.peerRows)],
      ['stored exactly', int(a.exact)],
      ['stored with wrong values', `${int(a.wrongValues)} (${pct(a.wrongValues / Math.max(1, a.contractRows))})`],
      ['lost (skipped as invalid, no report)', int(a.lost)],
      ['phantom items', int(a.phantom)],
    ],
  };
}

export function hostileTable(r: BenchResults): Table {
  const mark = (t: boolean | null) => (t === null ? '' : t ? ' ✓' : ' ✗');
  return {
    headers: ['input', 'on disk', 'inflated', 'seconds', 'peak RSS', 'outcome'],
    rows: r.hostile.map((h) => [h.name, bytes(h.fileBytes), bytes(h.inflatedBytes), fixed(h.seconds, 2) + mark(h.timeTarget), bytes(h.maxRssBytes) + mark(h.rssTarget), h.outcome]),
  };
}

/** Every failed conservation check of the run, as lines. */
export function conservationFailures(r: BenchResults): string[] {
  const runs: [string, Conservation][] = [
    ['instant table, processor', r.instantTable.processor.conservation],
    ['instant table, profiled processor', r.instantTable.profiled.conservation],
    ...[r.instantTable.bare, ...r.instantTable.variants].map((b): [string, Conservation] => [`instant table, bare loop (${b.client})`, b.conservation]),
    ['moto, processor', r.moto.processor.conservation],
    ['moto, bare loop', r.moto.bare.conservation],
    ...r.memory.runs.map((m): [string, Conservation] => [`bundle, ${int(m.rows)} rows ${m.nodeOptions}`, m.conservation]),
  ];
  return runs.flatMap(([name, c]) => c.checks.filter((k) => !k.ok).map((k) => `${name}: ${k.name}: ${k.detail}`));
}
