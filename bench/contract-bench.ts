/**
 * Part 1: the CSV contract alone (contract/reader.ts readOrders) over a local file: throughput and
 * sampled peak memory. No AWS, no writes: this is the parser's ceiling, which the processor reads
 * the file at twice (pass 1 counts and fingerprints, pass 2 writes).
 */
import { createReadStream } from 'node:fs';
import { cpuUsage } from 'node:process';
import { readOrders } from '../functions/order-processor/contract/reader.ts';
import type { FileCounts } from '../functions/order-processor/contract/types.ts';
import { orderIdOf } from './data.ts';
import { idSetBytes, MemorySampler, type MemoryReport } from './memory.ts';

export interface ContractRunArgs {
  path: string;
  /** File size on disk (compressed for .gz). */
  bytes: number;
  /** Size of the CSV text (the plain file's size), for text MB/s. */
  textBytes: number;
  label: string;
}

export interface ContractRunResult {
  label: string;
  path: string;
  counts: FileCounts;
  seconds: number;
  rowsPerSecond: number;
  /** Input bytes (compressed for gzip) per second. */
  mbPerSecond: number;
  /** CSV text per second. */
  textMbPerSecond: number;
  cpuMs: number;
  memory: MemoryReport;
}

const MB = 1024 * 1024;

export async function measureReadOrders(args: ContractRunArgs, progress: (text: string) => void): Promise<ContractRunResult> {
  const now = new Date();
  const ctx = { sourceKey: args.path, ingestionId: 'bench', processedAt: now.toISOString(), now };
  const counts: FileCounts = { rows: 0, valid: 0, rejected: 0, blank: 0 };
  const sampler = new MemorySampler().start(10);
  const cpu0 = cpuUsage();
  const t0 = performance.now();
  let nextReport = t0 + 1000;
  for await (const event of readOrders(createReadStream(args.path), ctx)) {
    if (event.kind === 'valid') counts.valid++;
    else if (event.kind === 'rejected') counts.rejected++;
    else if (event.kind === 'blank') counts.blank++;
    if ((counts.valid & 0x3fff) === 0 && performance.now() > nextReport) {
      nextReport += 1000;
      progress(`${args.label}: ${counts.valid.toLocaleString('en-US')} rows read`);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuUsage(cpu0);
  const memory = sampler.stop();
  counts.rows = counts.valid + counts.rejected;
  return {
    label: args.label,
    path: args.path,
    counts,
    seconds,
    rowsPerSecond: counts.rows / seconds,
    mbPerSecond: args.bytes / MB / seconds,
    textMbPerSecond: args.textBytes / MB / seconds,
    cpuMs: (cpu.user + cpu.system) / 1000,
    memory,
  };
}

export interface IdSetSize {
  rows: number;
  /** The OrderIdSet the contract uses. */
  bytes: number;
  /** A Map of the same ids (the structure it replaced), for comparison; absent in older results. */
  mapBytes?: number;
}

/**
 * Memory held by the duplicate-id set at each size, for as many order ids as the file has
 * (idSetBytes). Measured apart, in its own process, so the memory runs can subtract it.
 */
export function measureIdSet(args: { seed: number; rows: number[] }): IdSetSize[] {
  const id = (i: number) => orderIdOf(args.seed, i);
  return args.rows.map((rows) => ({ rows, bytes: idSetBytes(id, rows, 'set'), mapBytes: idSetBytes(id, rows, 'map') }));
}
