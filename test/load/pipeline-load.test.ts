/**
 * `npm run test:load`: the full load — 200 files of mixed sizes (up to 20,000 rows; valid,
 * partial, rejected, exact duplicates under other names) dropped at once into the local pipeline,
 * run here as a library (local/: moto + the real stack + the poller with its worker-thread
 * execution environments), plus poison messages sent straight to the ingest queue. The same
 * scenario runs at a small size inside `npm test` (test/e2e/local-pipeline.test.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mappingConcurrency } from '../../local/lambda/mapping-poller.ts';
import type { LocalPoller, PollerEvent } from '../../local/poller.ts';
import { localDown, localUp, startPoller, type LocalStack } from '../../local/stack.ts';
import { assessLoad, describeLoad, FULL_LOAD, planLoad, runLoad } from './load-scenario.ts';

const home = mkdtempSync(join(tmpdir(), 'order-pipeline-load-'));
let stack: LocalStack;
let poller: LocalPoller;
const problems: string[] = [];

beforeAll(async () => {
  stack = await localUp({ home, onProgress: () => undefined });
  poller = await startPoller(stack, {
    onEvent: (e: PollerEvent) => {
      if (e.type === 'error') problems.push(e.message);
    },
  });
}, 600_000);

afterAll(async () => {
  await poller?.stop();
  await stack?.moto.stop();
  await localDown(home);
  rmSync(home, { recursive: true, force: true });
}, 120_000);

describe('the local pipeline under load', () => {
  it('brings 200 files dropped at once to the outcome validate reports for each, with only the planted poison in the DLQ', async () => {
    // Prepare
    const plan = await planLoad(FULL_LOAD, join(home, 'files'), 'full');

    // Act
    const run = await runLoad({ clients: stack.clients, outputs: stack.outputs }, plan, { timeoutMs: 20 * 60_000 });

    // Assess
    process.stdout.write(`${describeLoad(run)}\n${JSON.stringify(poller.stats())}\n`);
    const concurrency = mappingConcurrency(stack.feeds.find((f) => f.role === 'ingest')!.mapping);
    assessLoad(run, { maxConcurrency: concurrency });
    expect(poller.stats().queues.ingest?.peakConcurrency).toBe(concurrency);
    // The handler fails only the poison messages' records; nothing fails a whole batch.
    expect(problems).toEqual([]);
  }, 30 * 60_000);
});
