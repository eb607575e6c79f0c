/**
 * Hostile inputs against `validate` (docs/csv-format.md "Limits"): time linear in the input and
 * memory bounded whatever a file holds. Each input is generated into bench/out/hostile/, then
 * validated by the real CLI (`order-pipeline validate FILE --json`, the worst case: it lists up to
 * 10,000 rejected rows per file) in a child process of its own, which reports its peak RSS (maxRSS) on exit.
 *
 * Targets: every input of at most 1 MB (decompressed) validates in ≤ 2 s, process start included;
 * peak RSS ≤ 256 MB on every input, gzip bombs included.
 *
 * Run alone with `node --import tsx bench/hostile.ts` (exit 1 when a target is missed), or as
 * part of `npm run bench`. BENCH_QUICK=1 shrinks the large inputs (CI runs it in well under a
 * minute); the 1 MB inputs keep their size.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createGzip } from 'node:zlib';
import { formatBytes } from '../cli/render/progress.ts';
import { renderTable } from '../cli/render/table.ts';
import { PROJECT_PATHS } from '../tooling/project.ts';
import { OUT_DIR } from './data.ts';

const HEADER = 'order_id,customer_name,product_name,quantity,unit_price\n';
const MB = 1 << 20;
export const TARGETS = { smallFileBytes: MB, smallFileSeconds: 2, peakRssBytes: 256 * MB } as const;

/** Prints the child's peak RSS on exit (loaded with --import before the CLI). */
const RSS_PROBE = fileURLToPath(new URL('./report-max-rss.mjs', import.meta.url));

interface HostileInput {
  name: string;
  what: string;
  /** Writes the file; returns its decompressed size in bytes. */
  make: (path: string) => Promise<number>;
  env?: Record<string, string>;
}

export interface HostileResult {
  name: string;
  what: string;
  fileBytes: number;
  inflatedBytes: number;
  seconds: number;
  maxRssBytes: number;
  exitCode: number;
  /** The file's status and counts as `validate --json` printed them. */
  outcome: string;
  outputBytes: number;
  env: Record<string, string>;
  timeTarget: boolean | null;
  rssTarget: boolean;
}

/** Writes `count` copies of `unit` (plain, or gzip-compressed at level 9) and returns count × unit length. */
async function repeated(path: string, parts: { text: string; count: number }[], gzip: boolean): Promise<number> {
  let total = 0;
  async function* chunks(): AsyncGenerator<Buffer> {
    for (const { text, count } of parts) {
      const unit = Buffer.from(text);
      // Batches of about 1 MB: few writes, little memory.
      const perBatch = Math.max(1, Math.floor(MB / Math.max(1, unit.length)));
      const batch = Buffer.concat(Array<Buffer>(Math.min(perBatch, count)).fill(unit));
      let left = count;
      while (left > 0) {
        const n = Math.min(perBatch, left);
        yield n === perBatch ? batch : batch.subarray(0, n * unit.length);
        left -= n;
        total += n * unit.length;
      }
    }
  }
  await (gzip ? pipeline(chunks(), createGzip({ level: 9 }), createWriteStream(path)) : pipeline(chunks(), createWriteStream(path)));
  return total;
}

const once = (text: string) => ({ text, count: 1 });

export function hostileInputs(quick: boolean): HostileInput[] {
  const scale = (full: number, small: number) => (quick ? small : full);
  const kb1000 = (line: string) => Math.floor((1_000_000 - HEADER.length) / line.length);
  return [
    {
      name: 'blank-lines-before-header.csv.gz',
      what: `${scale(32, 3)} KB gzip: ${scale(33, 3.3)} M blank lines, then a header and one order`,
      make: (p) => repeated(p, [{ text: '\n', count: scale(33_000_000, 3_300_000) }, once(HEADER), once('A-1,Ann,Pen,1,1\n')], true),
    },
    {
      name: 'x-y-quotes.csv',
      what: '1 MB of x","y lines: every quote closes and reopens',
      make: (p) => repeated(p, [once(HEADER), { text: 'x","y\n', count: kb1000('x","y\n') }], false),
    },
    {
      name: 'stray-quote-every-line.csv',
      what: '1 MB of rows, each with a stray quote',
      make: (p) => repeated(p, [once(HEADER), { text: 'A-1,"Ann,Pen,1,1\n', count: kb1000('A-1,"Ann,Pen,1,1\n') }], false),
    },
    {
      name: 'never-closed-quote-line.csv',
      what: '1 MB: one line opening a quote that never closes',
      make: (p) => repeated(p, [once(HEADER), once('A-1,Ann,"'), { text: 'x', count: 990_000 }], false),
    },
    {
      name: 'never-closed-quote-lines.csv',
      what: '1 MB: a quote that never closes, then short lines',
      make: (p) => repeated(p, [once(HEADER), once('A-1,Ann,"Pen\n'), { text: ' x\n', count: kb1000(' x\n') }], false),
    },
    {
      name: 'quoted-99-line-values.csv',
      what: '1 MB of records whose quoted value spans 99 lines',
      make: (p) => {
        const record = `A,Ann,"${Array<string>(98).fill('l').join('\n')}\n",1,1\n`;
        return repeated(p, [once(HEADER), { text: record, count: kb1000(record) }], false);
      },
    },
    {
      name: 'blank-lines-after-header.csv',
      what: '1 MB of blank lines after the header',
      make: (p) => repeated(p, [once(HEADER), once('A-1,Ann,Pen,1,1\n'), { text: '\n', count: 1_000_000 - HEADER.length - 16 }], false),
    },
    {
      name: 'one-character-rows.csv',
      what: '1 MB of one-character rows, every one rejected (--json lists the first 10,000)',
      make: (p) => repeated(p, [once(HEADER), { text: 'x\n', count: kb1000('x\n') }], false),
    },
    {
      name: 'orders-1mb.csv',
      what: '1 MB of ordinary valid rows (for comparison)',
      make: async (p) => {
        const rows = Array.from({ length: 40_000 }, (_, i) => `O-${i},Customer ${i},"Widget, ${i % 7}",${(i % 5) + 1},${i % 9}.50\n`).join('');
        writeFileSync(p, HEADER + rows.slice(0, 1_000_000 - HEADER.length).replace(/\n[^\n]*$/, '\n'));
        return statSync(p).size;
      },
    },
    {
      name: 'duplicate-rows.csv.gz',
      what: `${scale(59, 6)} KB gzip: ${scale(2, 0.2)} M copies of one row (--json lists the first 10,000 errors)`,
      make: (p) => repeated(p, [once(HEADER), { text: 'A-1,Ann,Pen,1,1\n', count: scale(2_000_000, 200_000) }], true),
    },
    {
      name: 'gzip-bomb-rows.csv.gz',
      what: `gzip of ${scale(256, 32)} MB of rows, MAX_FILE_MB=8`,
      make: (p) => repeated(p, [once(HEADER), { text: 'A-1,Ann,Pen,1,1\n', count: scale(16 * MB, 2 * MB) }], true),
      env: { MAX_FILE_MB: '8' },
    },
    {
      name: 'gzip-bomb-one-line.csv.gz',
      what: `gzip of one ${scale(1024, 128)} MB line, MAX_FILE_MB=${scale(100, 16)}`,
      make: (p) => repeated(p, [once(HEADER), { text: 'x'.repeat(MB), count: scale(1024, 128) }], true),
      env: { MAX_FILE_MB: String(scale(100, 16)) },
    },
    {
      name: 'one-long-line.csv',
      what: `one ${scale(50, 5)} MB line, then an order`,
      make: (p) => repeated(p, [once(HEADER), { text: 'x'.repeat(MB), count: scale(50, 5) }, once('\nA-1,Ann,Pen,1,1\n')], false),
    },
  ];
}

interface ChildRun {
  seconds: number;
  maxRssBytes: number;
  exitCode: number;
  head: string;
  outputBytes: number;
}

/** Runs `validate FILE --json` in a fresh process; stdout is counted and its head kept. */
function validateInChild(path: string, env: Record<string, string>): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', pathToFileURL(RSS_PROBE).href, PROJECT_PATHS.cli, 'validate', path, '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, MAX_FILE_MB: '', MAX_FILE_LINES: '', ...env },
    });
    let head = '';
    let outputBytes = 0;
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      outputBytes += chunk.length;
      if (head.length < 2000) head += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const rss = /__MAX_RSS_KB__ (\d+)/.exec(stderr);
      if (!rss) return reject(new Error(`validate ${path} reported no peak RSS (exit ${code}):\n${stderr}`));
      resolve({ seconds: (performance.now() - started) / 1000, maxRssBytes: Number(rss[1]) * 1024, exitCode: code ?? -1, head, outputBytes });
    });
  });
}

/** "PARTIAL 1,000 rows (0 valid)" or "REJECTED: <reason>", from the head of the JSON output. */
function outcomeOf(head: string): string {
  const field = (name: string) => new RegExp(`"${name}": ("(?:[^"\\\\]|\\\\.)*"|[^,\\n]+)`).exec(head)?.[1];
  const status = JSON.parse(field('status') ?? '"?"') as string;
  const rows = Number(field('rows') ?? NaN);
  const reason = field('reason');
  if (status === 'REJECTED' && rows === 0 && reason && reason !== 'null') return `REJECTED: ${(JSON.parse(reason) as string).slice(0, 60)}…`;
  return `${status} ${rows.toLocaleString('en-US')} rows (${Number(field('valid') ?? NaN).toLocaleString('en-US')} valid)`;
}

export async function runHostileBench(options: { quick: boolean; say: (text: string) => void }): Promise<{ results: HostileResult[]; report: string[]; completed: boolean; ok: boolean }> {
  const dir = join(OUT_DIR, 'hostile');
  mkdirSync(dir, { recursive: true });
  // The fixed cost of starting node, tsx and the CLI, measured on a two-line file.
  const tiny = join(dir, 'tiny.csv');
  writeFileSync(tiny, `${HEADER}A-1,Ann,Pen,1,1\n`);
  const baseline = await validateInChild(tiny, {});
  options.say(`hostile: process start + tiny file ${baseline.seconds.toFixed(2)} s, peak RSS ${formatBytes(baseline.maxRssBytes)}`);

  const results: HostileResult[] = [];
  for (const input of hostileInputs(options.quick)) {
    const path = join(dir, input.name);
    const inflatedBytes = await input.make(path);
    const env = input.env ?? {};
    options.say(`hostile: validate ${input.name} (${formatBytes(statSync(path).size)} on disk, ${formatBytes(inflatedBytes)} inflated)…`);
    const run = await validateInChild(path, env);
    const small = inflatedBytes <= TARGETS.smallFileBytes;
    results.push({
      name: input.name,
      what: input.what,
      fileBytes: statSync(path).size,
      inflatedBytes,
      seconds: run.seconds,
      maxRssBytes: run.maxRssBytes,
      exitCode: run.exitCode,
      outcome: outcomeOf(run.head),
      outputBytes: run.outputBytes,
      env,
      timeTarget: small ? run.seconds <= TARGETS.smallFileSeconds : null,
      rssTarget: run.maxRssBytes <= TARGETS.peakRssBytes,
    });
  }
  // validate finished on every input (a crash is a correctness failure; time and RSS are targets).
  const completed = results.every((r) => r.exitCode === 0 || r.exitCode === 1 || r.exitCode === 2);
  const ok = completed && results.every((r) => r.rssTarget && r.timeTarget !== false);
  const mark = (target: boolean | null) => (target === null ? '' : target ? ' ✓' : ' ✗');
  const report = [
    `0. Hostile inputs: validate FILE --json, one process each (start-up alone: ${baseline.seconds.toFixed(2)} s, ${formatBytes(baseline.maxRssBytes)} peak RSS)${options.quick ? ' [BENCH_QUICK]' : ''}`,
    `   targets: ≤ ${TARGETS.smallFileSeconds} s for every input of at most 1 MB; peak RSS ≤ ${formatBytes(TARGETS.peakRssBytes)} on every input`,
    renderTable(
      ['input', 'on disk', 'inflated', 'seconds', 'peak RSS', 'JSON out', 'outcome', 'what'],
      results.map((r) => [
        r.name + (Object.keys(r.env).length > 0 ? ` (${Object.entries(r.env).map(([k, v]) => `${k}=${v}`).join(' ')})` : ''),
        formatBytes(r.fileBytes),
        formatBytes(r.inflatedBytes),
        r.seconds.toFixed(2) + mark(r.timeTarget),
        formatBytes(r.maxRssBytes) + mark(r.rssTarget),
        formatBytes(r.outputBytes),
        r.outcome,
        r.what,
      ]),
    ),
    ok ? '   all targets met' : '   TARGET MISSED (✗ above)',
    '',
  ];
  return { results, report, completed, ok };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const quick = process.env.BENCH_QUICK === '1';
  const { report, ok } = await runHostileBench({ quick, say: (text) => process.stderr.write(`[hostile] ${text}\n`) });
  process.stdout.write(`${report.join('\n')}\n`);
  process.exitCode = ok ? 0 : 1;
}
