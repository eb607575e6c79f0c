/**
 * Memory held by the contract's duplicate-id set (`OrderIdSet`: order id → first line) of as many
 * ids as a file has, in a process of its own: V8's heap plus the ArrayBuffers outside it. The one
 * structure that must grow with the file, which the memory target subtracts.
 */
import { memoryUsage } from 'node:process';
import { OrderIdSet } from '../functions/order-processor/index.ts';
import { collectGarbage, reportToParent } from './child.ts';
import { orderIdOf } from './data.ts';
import type { IdSetSize } from './results.ts';

function idSetBytes(seed: number, count: number): number {
  const held = () => memoryUsage().heapUsed + memoryUsage().arrayBuffers;
  collectGarbage();
  const before = held();
  const seen = new OrderIdSet();
  for (let i = 1; i <= count; i++) seen.set(orderIdOf(seed, i), i + 1);
  collectGarbage();
  const after = held();
  // Keeps the set alive until after the measurement.
  if (seen.size !== count) throw new Error('the id set lost entries');
  return Math.max(0, after - before);
}

if (process.send) await reportToParent(({ seed, rows }: { seed: number; rows: number[] }): IdSetSize[] => rows.map((n) => ({ rows: n, bytes: idSetBytes(seed, n) })));
