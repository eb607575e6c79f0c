/**
 * Peak memory, sampled: a timer reads RSS and V8 heap every few milliseconds while the work runs.
 * Timers only fire when the work yields to the event loop; every path measured here awaits I/O
 * per chunk or per request, so the samples are dense enough to catch the peaks that matter.
 */
import { memoryUsage } from 'node:process';
import { OrderIdSet } from '../functions/order-processor/contract/order-id-set.ts';

export interface MemoryReport {
  /** After a forced GC, before the work started. */
  baselineRssBytes: number;
  baselineHeapBytes: number;
  peakRssBytes: number;
  peakHeapBytes: number;
  /** Peak heap minus the baseline: what the work itself held at its worst (garbage included). */
  heapGrowthBytes: number;
  /** Peak RSS minus the baseline RSS. */
  rssGrowthBytes: number;
  samples: number;
}

/** Collects garbage when node runs with --expose-gc (the bench workers do), so baselines are clean. */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
}

export class MemorySampler {
  private timer: NodeJS.Timeout | undefined;
  private peakRss = 0;
  private peakHeap = 0;
  private samples = 0;
  private baselineRss = 0;
  private baselineHeap = 0;

  start(intervalMs = 10): this {
    collectGarbage();
    const m = memoryUsage();
    this.baselineRss = m.rss;
    this.baselineHeap = m.heapUsed;
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    return this;
  }

  /** Also callable by the work itself at points it knows are peaks. */
  sample(): void {
    const m = memoryUsage();
    this.samples++;
    if (m.rss > this.peakRss) this.peakRss = m.rss;
    if (m.heapUsed > this.peakHeap) this.peakHeap = m.heapUsed;
  }

  stop(): MemoryReport {
    this.sample();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    return {
      baselineRssBytes: this.baselineRss,
      baselineHeapBytes: this.baselineHeap,
      peakRssBytes: this.peakRss,
      peakHeapBytes: this.peakHeap,
      heapGrowthBytes: Math.max(0, this.peakHeap - this.baselineHeap),
      rssGrowthBytes: Math.max(0, this.peakRss - this.baselineRss),
      samples: this.samples,
    };
  }
}

/**
 * Memory held by the contract's duplicate-id set (contract/order-id-set.ts OrderIdSet: id → first
 * line) of `count` order ids: V8's heap plus the ArrayBuffers outside it. The one structure that
 * must grow with the file: it is what "memory stays flat apart from the duplicate-id set"
 * subtracts. `kind: 'map'` measures a Map of the same ids instead (what the set replaced).
 */
export function idSetBytes(ids: (i: number) => string, count: number, kind: 'set' | 'map' = 'set'): number {
  const held = () => {
    const m = memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  collectGarbage();
  const before = held();
  const seen = kind === 'set' ? new OrderIdSet() : new Map<string, number>();
  for (let i = 1; i <= count; i++) seen.set(ids(i), i + 1);
  collectGarbage();
  const after = held();
  // Keep the set alive until after the measurement.
  if (seen.size !== count) throw new Error('id set lost entries');
  return Math.max(0, after - before);
}
