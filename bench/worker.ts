/**
 * Entry point of one measurement process (see child.ts): `worker.ts <task> <json args>`.
 * Each task imports only what it measures, so the contract runs carry no AWS SDK in their heap.
 */
import type { WorkerMessage } from './child.ts';

const send = (message: WorkerMessage): Promise<void> =>
  new Promise((resolve) => {
    if (!process.send) {
      process.stdout.write(`${JSON.stringify(message)}\n`);
      resolve();
      return;
    }
    process.send(message, undefined, {}, () => resolve());
  });

const progress = (text: string): void => {
  void send({ type: 'progress', text });
};

async function run(task: string, args: unknown): Promise<unknown> {
  switch (task) {
    case 'contract': {
      const { measureReadOrders } = await import('./contract-bench.ts');
      return measureReadOrders(args as Parameters<typeof measureReadOrders>[0], progress);
    }
    case 'id-set': {
      const { measureIdSet } = await import('./contract-bench.ts');
      return measureIdSet(args as Parameters<typeof measureIdSet>[0]);
    }
    case 'sdk': {
      const { measureSdkCost } = await import('./sdk-bench.ts');
      return measureSdkCost(args as Parameters<typeof measureSdkCost>[0]);
    }
    case 'processor': {
      const { measureProcessor } = await import('./processor-bench.ts');
      return measureProcessor(args as Parameters<typeof measureProcessor>[0], progress);
    }
    case 'bare-loop': {
      const { measureBareLoop } = await import('./bare-loop.ts');
      return measureBareLoop(args as Parameters<typeof measureBareLoop>[0], progress);
    }
    case 'peer': {
      const { measurePeer } = await import('./baseline-peer.ts');
      return measurePeer(args as Parameters<typeof measurePeer>[0], progress);
    }
    default:
      throw new Error(`unknown bench task "${task}"`);
  }
}

const [task = '', json = 'null'] = process.argv.slice(2);
try {
  const data = await run(task, JSON.parse(json));
  await send({ type: 'result', data });
  process.exit(0);
} catch (error) {
  await send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
}
