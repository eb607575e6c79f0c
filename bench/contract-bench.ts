/**
 * Part 1: the CSV contract alone (contract/reader.ts readOrders) over a local file: throughput and
 * sampled peak memory. No AWS, no writes: this is the parser's ceiling, which the processor reads
 * the file at twice (pass 1 counts and fingerprints, pass 2 writes).
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { cpuUsage } from 'node:process';
import { readOrders } from '../functions/order-processor/contract/reader.ts';
import type { FileCounts } from '../functions/order-processor/contract/types.ts';
import { orderIdOf } from './data.ts';
import { idSetHeapBytes, MemorySampler, type MemoryReport } from './memory.ts';

export interface ContractRunArgs {
  path: string;
  /** File size on disk (compressed for .gz). */
  bytes: number;
  /** Size of the CSV text (the plain file's size), for text MB/s. */
  textBytes: number;
  seed: number;
  label: string;
  /** Force a GC this often to record the live heap (memory runs only; 0 = off). */
  liveEveryMs?: number;
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
  /** Heap of a Map holding as many ids as the file has: the part of the growth that is by design. */
  idSetHeapBytes: number;
}

const MB = 1024 * 1024;

export async function measureReadOrders(args: ContractRunArgs, progress: (text: string) => void): Promise<ContractRunResult> {
  const now = new Date();
  const ctx = { sourceKey: args.path, ingestionId: 'bench', processedAt: now.toISOString(), now };
  const counts: FileCounts = { rows: 0, valid: 0, rejected: 0, blank: 0 };
  const sampler = new MemorySampler().start(10, args.liveEveryMs ?? 0);
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
    idSetHeapBytes: idSetHeapBytes((i) => orderIdOf(args.seed, i), counts.rows),
  };
}

export interface ReadAllResult {
  label: string;
  lines: number;
  seconds: number;
  memory: MemoryReport;
}

/**
 * The peers' way of reading, without the writes: the whole object as one string, then split into
 * lines (what `Body.transformToString()` + `split('\n')` holds), for the memory comparison.
 */
export async function measureReadAll(args: { path: string; label: string; liveEveryMs?: number }): Promise<ReadAllResult> {
  const sampler = new MemorySampler().start(10, args.liveEveryMs ?? 0);
  const t0 = performance.now();
  const text = (await readFile(args.path)).toString('utf8');
  sampler.sample();
  const lines = text.split('\n');
  // The peers hold the text and its lines for their whole PutItem loop: record that live set
  // while both are still in use.
  sampler.sampleLive();
  let count = 0;
  for (const line of lines) if (line.trim() !== '') count++;
  const seconds = (performance.now() - t0) / 1000;
  const memory = sampler.stop();
  if (text.length === 0) count = 0;
  return { label: args.label, lines: count, seconds, memory };
}
