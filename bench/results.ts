/**
 * What one `npm run bench` run measured: written to bench/results.json (committed; the quick run
 * writes bench/out/results-quick.json), and the only source docs/performance.md is generated from.
 */
import { join } from 'node:path';
import { PROJECT_ROOT } from '../tooling/project.ts';
import type { PeerRunResult } from './baseline-peer.ts';
import type { ColdStartResult } from './cold-start.ts';
import type { ContractRunResult, IdSetSize } from './contract-bench.ts';
import type { BenchFile } from './data.ts';
import type { HostileResult } from './hostile.ts';
import type { BenchOptions } from './options.ts';
import type { BareEntry, MemoryEntry, ProcessorEntry } from './runs.ts';
import type { SdkCostResult } from './sdk-bench.ts';

export const RESULTS_PATH = join(PROJECT_ROOT, 'bench', 'results.json');
export const QUICK_RESULTS_PATH = join(PROJECT_ROOT, 'bench', 'out', 'results-quick.json');
export const DOC_PATH = join(PROJECT_ROOT, 'docs', 'performance.md');
export const QUICK_DOC_PATH = join(PROJECT_ROOT, 'bench', 'out', 'performance-quick.md');
/** Measurements of large files in parts: written by `npm run bench:parts` (bench/parts-local.ts). */
export const PARTS_PATH = join(PROJECT_ROOT, 'bench', 'parts-local.json');

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryBytes: number;
  node: string;
  platform: string;
  moto: string | null;
  /** 1-minute load average at the start and the end: other work on the machine skews every number. */
  loadAverage: { start: number; end: number };
}

export interface TargetResult {
  id: string;
  what: string;
  /** The measured value, in `unit`. */
  value: number;
  target: number;
  unit: string;
  /** 'min': value must be ≥ target; 'max': ≤ target. */
  kind: 'min' | 'max';
  ok: boolean;
  /** value / target. */
  ratio: number;
}

export interface PeerEntry extends PeerRunResult {
  motoCpuMs: number | null;
}

export interface BenchResults {
  schema: 1;
  startedAt: string;
  finishedAt: string;
  seconds: number;
  quick: boolean;
  options: BenchOptions;
  machine: Machine;
  files: { main: BenchFile; gzip: BenchFile; big: BenchFile; moto: BenchFile };
  contract: ContractRunResult[];
  sdk: SdkCostResult;
  instantTable: {
    processor: ProcessorEntry;
    /** The bare loop with the client clientsFromEnv builds (the ceiling the target compares with). */
    bare: BareEntry;
    /** The bare loop with the candidate optimisations of the write path (bare-loop.ts). */
    variants: BareEntry[];
    /** A second processor run with the CPU profiler on (its times are not comparable). */
    profiled: ProcessorEntry;
  };
  moto: { processor: ProcessorEntry; bare: BareEntry; peer: PeerEntry };
  memory: { runs: MemoryEntry[]; idSet: IdSetSize[] };
  coldStart: ColdStartResult;
  hostile: HostileResult[];
  targets: TargetResult[];
  /** Every conservation check of every run held. */
  conservationOk: boolean;
}

export interface PartsMeasurement {
  file: string;
  rows: number;
  parts: number;
  partsInFlight: number;
  seconds: number;
  sameOutcomeAsUnsplit: boolean;
  /** The ledger's status and counts, e.g. `PARTIAL: 70000 rows, 69991 written, 9 rejected, 1 blank`. */
  outcome?: string;
  note?: string;
}
