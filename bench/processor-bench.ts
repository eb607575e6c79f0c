/**
 * The real processor (functions/order-processor/handler.ts) on one uploaded file: the handler
 * gets the SQS event Lambda would deliver, with the environment the stack sets (the coordinator
 * starts this process with it, pointing at moto or at the instant table). Measures wall time,
 * node CPU (process.cpuUsage: this process only; moto and the proxy run in others), the peak RSS
 * (the kernel's maxRSS: no sampling timer adds CPU to the run) and the requests sent; optionally
 * a CPU profile of the handler alone. Conservation is checked by the coordinator afterwards
 * (conservation.ts), from the ledger and the table.
 */
import { cpuUsage } from 'node:process';
import type { SQSEvent } from 'aws-lambda';
import { handler } from '../functions/order-processor/handler.ts';
import { RequestCounter } from './aws.ts';
import { benchContext } from './events.ts';
import { collectGarbage } from './memory.ts';
import { startProfile, type ProfileSummary } from './profile.ts';

export interface ProcessorRunArgs {
  event: SQSEvent;
  label: string;
  /** Data rows in the file (for progress only). */
  expectedRows: number;
  /** Write a CPU profile of the handler here (its times are then not comparable: the profiler costs CPU). */
  profilePath?: string;
}

export interface ProcessorRunResult {
  label: string;
  seconds: number;
  /** From the handler's start to its first BatchWriteItem: the claim plus pass 1 (read, validate, sha256). */
  secondsToFirstWrite: number | null;
  batchFailures: number;
  /** HTTP requests by operation (DynamoDB by X-Amz-Target, S3 by method). */
  requests: Record<string, number>;
  cpuMs: number;
  /** RSS after a forced GC, right before the handler (tsx, the SDK and the processor loaded). */
  rssBeforeBytes: number;
  /** The kernel's peak resident set of this process (maxRSS), from its start to the handler's end. */
  maxRssBytes: number;
  profile: ProfileSummary | null;
}

export async function measureProcessor(args: ProcessorRunArgs, progress: (text: string) => void): Promise<ProcessorRunResult> {
  const counter = new RequestCounter().start();
  const profiler = args.profilePath ? await startProfile() : null;
  collectGarbage();
  const rssBeforeBytes = process.memoryUsage.rss();
  const cpu0 = cpuUsage();
  const t0 = performance.now();
  const ticker = setInterval(() => {
    const calls = counter.count('BatchWriteItem');
    const elapsed = ((performance.now() - t0) / 1000).toFixed(0);
    progress(
      calls === 0
        ? `${args.label}: pass 1 (read, validate, fingerprint)… ${elapsed} s`
        : `${args.label}: pass 2, ~${Math.min(args.expectedRows, calls * 25).toLocaleString('en-US')} / ${args.expectedRows.toLocaleString('en-US')} rows sent… ${elapsed} s`,
    );
  }, 2000);
  let response;
  try {
    response = await handler(args.event, benchContext());
  } finally {
    clearInterval(ticker);
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuUsage(cpu0);
  const profile = profiler && args.profilePath ? await profiler.stop(args.profilePath) : null;
  counter.stop();
  const firstWrite = counter.firstAt.get('BatchWriteItem');
  return {
    label: args.label,
    seconds,
    secondsToFirstWrite: firstWrite === undefined ? null : (firstWrite - t0) / 1000,
    batchFailures: response.batchItemFailures.length,
    requests: counter.toJSON(),
    cpuMs: (cpu.user + cpu.system) / 1000,
    rssBeforeBytes,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    profile,
  };
}
