/** `npm run bench` options: the full run's sizes, the quick run's (CI), and overrides. */
import { parseArgs } from 'node:util';

export const USAGE = `usage: npm run bench -- [--quick] [--rows N] [--big-rows N] [--moto-rows N] [--concurrency C]
                        [--peer-budget SECONDS] [--multiline-every N] [--seed S] [--no-doc]
  --quick              every measurement at a small size (CI; also BENCH_QUICK=1); writes
                       bench/out/results-quick.json and bench/out/performance-quick.md instead of
                       bench/results.json and docs/performance.md
  --rows N             rows of the main file: instant table, bare loops, profile, memory (default 100000)
  --big-rows N         rows of the large memory run (default 1000000)
  --moto-rows N        rows of the runs against moto itself (default 50000)
  --concurrency C      WRITE_CONCURRENCY of the processor and of the bare loops (default 4, as deployed)
  --peer-budget S      seconds the peers' baseline may write before it is stopped (default 20; 0 = whole file)
  --multiline-every N  every Nth row gets a quoted product name spanning two lines (default 500; 0 = none)
  --seed S             generator seed (default 7)
  --no-doc             do not regenerate the performance document`;

export class UsageError extends Error {}

export interface BenchOptions {
  quick: boolean;
  rows: number;
  bigRows: number;
  motoRows: number;
  concurrency: number;
  peerBudget: number;
  multilineEvery: number;
  seed: number;
  /** Items of the SDK client-cost measurement. */
  sdkItems: number;
  /** Fresh processes that load the bundle (cold start). */
  loads: number;
  doc: boolean;
}

const FULL = { rows: 100_000, bigRows: 1_000_000, motoRows: 50_000, peerBudget: 20, sdkItems: 10_000, loads: 10 };
const QUICK = { rows: 5_000, bigRows: 20_000, motoRows: 2_000, peerBudget: 3, sdkItems: 2_000, loads: 3 };

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
      'peer-budget': { type: 'string' },
      'multiline-every': { type: 'string' },
      seed: { type: 'string' },
      'no-doc': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  const quick = (values.quick ?? false) || env.BENCH_QUICK === '1';
  const size = quick ? QUICK : FULL;
  return {
    quick,
    rows: intOption('rows', values.rows, size.rows, 1),
    bigRows: intOption('big-rows', values['big-rows'], size.bigRows, 1),
    motoRows: intOption('moto-rows', values['moto-rows'], size.motoRows, 1),
    concurrency: intOption('concurrency', values.concurrency, 4, 1),
    peerBudget: intOption('peer-budget', values['peer-budget'], size.peerBudget, 0),
    multilineEvery: intOption('multiline-every', values['multiline-every'], 500, 0),
    seed: intOption('seed', values.seed, 7, 0),
    sdkItems: size.sdkItems,
    loads: size.loads,
    doc: !values['no-doc'],
  };
}
