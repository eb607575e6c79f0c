/** `npm run bench` options: the full run's sizes, the quick run's (CI), and overrides. */
import { parseArgs } from 'node:util';

export const USAGE = `usage: npm run bench -- [--quick] [--rows N] [--big-rows N] [--moto-rows N] [--concurrency C]
                        [--multiline-every N] [--seed S] [--record | --no-record]
  --quick              every measurement at a small size (CI; also BENCH_QUICK=1): writes bench/out/ only
  --rows N             rows of the main file: instant table, bare loop, memory (default 100000)
  --big-rows N         rows of the large memory run (default 1000000)
  --moto-rows N        rows of the runs against moto itself (default 50000)
  --concurrency C      WRITE_CONCURRENCY of the processor and of the bare loop (default 4, as deployed)
  --multiline-every N  every Nth row gets a quoted product name spanning two lines (default 500; 0 = none)
  --seed S             generator seed (default 7)
  --record             write bench/results.json and docs/performance.md's tables even on a busy machine
  --no-record          write bench/out/ only (a full run on a quiet machine records by default)`;

export class UsageError extends Error {}

export interface BenchOptions {
  quick: boolean;
  rows: number;
  bigRows: number;
  motoRows: number;
  concurrency: number;
  multilineEvery: number;
  seed: number;
  /** Fresh processes that load the bundle (cold start). */
  loads: number;
  /** true / false when asked for; undefined: record a full run when the machine was quiet. */
  record: boolean | undefined;
}

const FULL = { rows: 100_000, bigRows: 1_000_000, motoRows: 50_000, loads: 10 };
const QUICK = { rows: 5_000, bigRows: 20_000, motoRows: 2_000, loads: 3 };

function intOption(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} ${JSON.stringify(raw)}: expected a whole number ≥ ${min}`);
  return n;
}

export function parseBenchArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      rows: { type: 'string' },
      'big-rows': { type: 'string' },
      'moto-rows': { type: 'string' },
      concurrency: { type: 'string' },
      'multiline-every': { type: 'string' },
      seed: { type: 'string' },
      record: { type: 'boolean' },
      'no-record': { type: 'boolean' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  if (values.record && values['no-record']) throw new UsageError('--record and --no-record exclude each other');
  const quick = (values.quick ?? false) || env.BENCH_QUICK === '1';
  const size = quick ? QUICK : FULL;
  return {
    quick,
    rows: intOption('rows', values.rows, size.rows, 1),
    bigRows: intOption('big-rows', values['big-rows'], size.bigRows, 1),
    motoRows: intOption('moto-rows', values['moto-rows'], size.motoRows, 1),
    concurrency: intOption('concurrency', values.concurrency, 4, 1),
    multilineEvery: intOption('multiline-every', values['multiline-every'], 500, 0),
    seed: intOption('seed', values.seed, 7, 0),
    loads: size.loads,
    record: values.record ? true : values['no-record'] ? false : undefined,
  };
}
