/**
 * What one `npm run bench` run measured: written to bench/out/results.json (the quick run:
 * results-quick.json) and, when recorded, to bench/results.json, the baseline the next run is
 * compared with and docs/performance.md's tables are generated from. Older results hold more
 * fields (measurements since dropped); these are the ones still read.
 */
import { join } from 'node:path';
import { PROJECT_ROOT } from '../tooling/project.ts';
import type { ColdStartResult } from './cold-start.ts';
import type { BenchFile } from './data.ts';
import type { HostileResult } from './hostile.ts';
import type { ReimportRun } from './reimport.ts';

export const RESULTS_PATH = join(PROJECT_ROOT, 'bench', 'results.json');
export const OUT_RESULTS_PATH = (quick: boolean) => join(PROJECT_ROOT, 'bench', 'out', quick ? 'results-quick.json' : 'results.json');
export const DOC_PATH = join(PROJECT_ROOT, 'docs', 'performance.md');

export interface Machine {
  cpus: number;
  cpuModel: string;
  node: string;
  moto: string | null;
  /** 1-minute load average at the start and the end: other work on the machine skews every number. */
  loadAverage: { start: number; end: number };
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface Conservation {
  ok: boolean;
  checks: Check[];
}

/** A run of the processor (the Lambda bundle) on one file. */
export interface FileRun {
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  /** Node CPU of the measured process. */
  cpuMs: number;
  microsPerRow: number;
  /** The process's peak RSS (the kernel's maxRSS: Lambda's "Max Memory Used"). */
  maxRssBytes: number;
  /** RSS with the bundle loaded, before the invocation. */
  rssBeforeBytes?: number;
  /** V8 flags of the run; older results also hold a run with the deployed ones. */
  nodeOptions?: string;
  /** CPU of moto and the proxy during the run; null where /proc is not readable. */
  serverCpuMs: number | null;
  conservation: Conservation;
}

/** The bare BatchWriteItem loop (bare-loop.ts). */
export interface BareRun {
  items: number;
  seconds: number;
  itemsPerSecond: number;
  cpuMs: number;
  microsPerItem: number;
  serverCpuMs: number | null;
  conservation: Conservation;
}

/** Memory held by the contract's duplicate-id set of `rows` order ids. */
export interface IdSetSize {
  rows: number;
  bytes: number;
}

export interface TargetResult {
  id: string;
  what: string;
  value: number;
  target: number;
  unit: string;
  /** 'min': value must be ≥ target; 'max': ≤ target. */
  kind: 'min' | 'max';
  ok: boolean;
}

export interface BenchResults {
  schema: 1 | 2;
  startedAt: string;
  seconds: number;
  quick: boolean;
  machine: Machine;
  files: { main: BenchFile; big: BenchFile; moto: BenchFile };
  instantTable: { processor: FileRun; bare: BareRun };
  moto: { processor: FileRun; bare: BareRun };
  memory: { runs: FileRun[]; idSet: IdSetSize[] };
  coldStart: ColdStartResult;
  hostile: HostileResult[];
  /** The orders table's requests per order of a re-import (bench/reimport.ts); absent from runs before it existed. */
  reimport?: ReimportRun[];
  targets: TargetResult[];
  /** Every conservation check of every run held. */
  conservationOk: boolean;
}
