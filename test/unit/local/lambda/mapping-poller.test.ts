/**
 * The local event-source mapping against a real SQS (moto): concurrency, partial batch failures,
 * retries with backoff into the DLQ, and whole-batch failures — with a stand-in handler.
 */
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { FunctionDetails, MappingInfo } from '../../../../deployment/event-source-mapping.ts';
import { EnvironmentPool } from '../../../../local/lambda/environment-pool.ts';
import { MappingPoller, sharedPoolSize, type BatchReport } from '../../../../local/lambda/mapping-poller.ts';
import { useMoto } from '../../../support/moto.ts';

const HANDLER = fileURLToPath(new URL('./fixtures/handler.ts', import.meta.url));

const FN: FunctionDetails = {
  functionName: 'fixture',
  functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:fixture',
  version: '$LATEST',
  memoryMb: 256,
  timeoutSeconds: 5,
  environment: {},
  runtime: 'nodejs22.x',
  handler: 'index.handler',
};

const moto = useMoto();
let sqs: SQSClient;

beforeAll(() => {
  sqs = new SQSClient(moto.clientConfig);
});

interface Harness {
  poller: MappingPoller;
  pool: EnvironmentPool;
  reports: BatchReport[];
  errors: string[];
  /** The fixture handler's lines: one per invocation, with its start and end. */
  invocations: { start: number; end: number; bodies: string[] }[];
  stop: () => Promise<void>;
}

let queueNumber = 0;

/** A queue with a DLQ after 3 receives. */
async function aQueue(): Promise<{ url: string; arn: string; dlqUrl: string }> {
  const name = `mapping-poller-${++queueNumber}`;
  const dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }))).QueueUrl!;
  const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  const url = (
    await sqs.send(
      new CreateQueueCommand({
        QueueName: name,
        Attributes: { VisibilityTimeout: '60', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 3 }) },
      }),
    )
  ).QueueUrl!;
  const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  return { url, arn, dlqUrl };
}

/** A mapping from `arn` with these settings (batch size 1, batch item failures reported, by default). */
const aMapping = (arn: string, mapping: Partial<MappingInfo> = {}): MappingInfo => ({
  uuid: 'u',
  batchSize: 1,
  enabled: true,
  state: 'Enabled',
  reportsBatchItemFailures: true,
  eventSourceArn: arn,
  ...mapping,
});

/** A pool of fixture-handler environments; its invocations' lines go to `invocations`. */
function aPool(maxEnvironments: number, invocations: Harness['invocations']): EnvironmentPool {
  return new EnvironmentPool({
    handlerModule: HANDLER,
    env: { ...process.env },
    memoryMb: 256,
    maxEnvironments,
    onOutput: (_env, stream, text) => {
      if (stream !== 'stdout') return;
      for (const line of text.split('\n').filter((l) => l.startsWith('{'))) invocations.push(JSON.parse(line) as Harness['invocations'][number]);
    },
  });
}

/** A queue with a DLQ after 3 receives, and a poller on it with the given mapping settings. */
async function aPollerOnNewQueues(mapping: Partial<MappingInfo>, fn: Partial<FunctionDetails> = {}) {
  const { url, arn, dlqUrl } = await aQueue();
  const reports: BatchReport[] = [];
  const errors: string[] = [];
  const invocations: Harness['invocations'] = [];
  const fullMapping = aMapping(arn, mapping);
  const pool = aPool(fullMapping.maximumConcurrency ?? 5, invocations);
  const poller = new MappingPoller({
    sqs,
    queue: { url, arn, region: 'us-east-1' },
    mapping: fullMapping,
    fn: { ...FN, ...fn },
    pool,
    isEnabled: () => true,
    waitSeconds: 1,
    onBatch: (r) => void reports.push(r),
    onError: (m) => void errors.push(m),
  });
  const abort = new AbortController();
  const running = poller.run(abort.signal);
  const stop = async () => {
    abort.abort();
    await running;
    await pool.close();
  };
  stops.push(stop);
  return { url, dlqUrl, harness: { poller, pool, reports, errors, invocations, stop } satisfies Harness };
}

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((s) => s()));
});

async function send(url: string, bodies: string[]): Promise<void> {
  for (let i = 0; i < bodies.length; i += 10) {
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: bodies.slice(i, i + 10).map((b, j) => ({ Id: String(i + j), MessageBody: b })) }));
  }
}

async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function depth(url: string): Promise<number> {
  const a = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }))).Attributes!;
  return Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesNotVisible);
}

/** The most intervals open at the same instant. */
function peakOverlap(intervals: { start: number; end: number }[]): number {
  const edges = intervals.flatMap((i) => [{ t: i.start, d: 1 }, { t: i.end, d: -1 }]).sort((a, b) => a.t - b.t || a.d - b.d);
  let open = 0;
  let peak = 0;
  for (const e of edges) peak = Math.max(peak, (open += e.d));
  return peak;
}

describe('MappingPoller', () => {
  it('runs up to the mapping\'s maximum concurrency batches side by side, never more', async () => {
    // Prepare
    const { url, harness } = await aPollerOnNewQueues({ batchSize: 1, maximumConcurrency: 3 });

    // Act
    await send(url, Array.from({ length: 9 }, () => 'sleep:700'));
    await until('every batch handled', () => harness.reports.length === 9);

    // Assess
    expect(harness.poller.peakConcurrency).toBe(3);
    expect(peakOverlap(harness.invocations)).toBe(3);
    expect(Math.max(...harness.reports.map((r) => r.concurrent))).toBe(3);
    expect(harness.pool.started).toBe(3);
    expect(await depth(url)).toBe(0);
  }, 60_000);

  it('runs two mappings side by side on one shared pool, each up to its own maximum concurrency', async () => {
    // Prepare: an ingest-like queue (up to 2 at once) and a parts-like queue (up to 3 at once)
    const ingest = await aQueue();
    const parts = await aQueue();
    const mappings = [aMapping(ingest.arn, { maximumConcurrency: 2 }), aMapping(parts.arn, { maximumConcurrency: 3 })];
    const invocations: Harness['invocations'] = [];
    const pool = aPool(sharedPoolSize(mappings), invocations);
    const reports: BatchReport[][] = [[], []];
    const pollers = [ingest, parts].map(
      (queue, i) =>
        new MappingPoller({
          sqs,
          queue: { url: queue.url, arn: queue.arn, region: 'us-east-1' },
          mapping: mappings[i]!,
          fn: FN,
          pool,
          isEnabled: () => true,
          waitSeconds: 1,
          onBatch: (r) => void reports[i]!.push(r),
          onError: () => undefined,
        }),
    );
    const abort = new AbortController();
    const running = pollers.map((p) => p.run(abort.signal));
    stops.push(async () => {
      abort.abort();
      await Promise.all(running);
      await pool.close();
    });

    // Act
    await send(ingest.url, Array.from({ length: 6 }, () => 'sleep:900'));
    await send(parts.url, Array.from({ length: 9 }, () => 'sleep:900'));
    await until('every batch handled', () => reports[0]!.length === 6 && reports[1]!.length === 9);

    // Assess: each mapping capped at its own maximum, both at once in the pool's 5 environments
    expect(sharedPoolSize(mappings)).toBe(5);
    expect(pollers.map((p) => p.peakConcurrency)).toEqual([2, 3]);
    expect(pool.peakBusy).toBe(5);
    expect(peakOverlap(invocations)).toBe(5);
    expect(pool.started).toBeLessThanOrEqual(5);
    expect(await depth(ingest.url)).toBe(0);
    expect(await depth(parts.url)).toBe(0);
  }, 60_000);

  it('deletes the records that succeeded and redelivers the failed one with backoff until the DLQ takes it', async () => {
    // Prepare
    const { url, dlqUrl, harness } = await aPollerOnNewQueues({ batchSize: 10, maximumConcurrency: 2 });

    // Act
    await send(url, ['ok', 'fail', 'ok']);
    const dead = await until('the failed record in the DLQ', async () => {
      const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['All'] }));
      return out.Messages?.length ? out.Messages : undefined;
    }, 45_000);

    // Assess
    expect(dead.map((m) => m.Body)).toEqual(['fail']);
    const deliveriesOfFail = harness.invocations.filter((i) => i.bodies.includes('fail'));
    expect(deliveriesOfFail).toHaveLength(3);
    expect(harness.invocations.flatMap((i) => i.bodies).filter((b) => b === 'ok')).toHaveLength(2);
    expect(await depth(url)).toBe(0);
    expect(harness.errors).toEqual([]);
  }, 60_000);

  it('fails the whole batch when the handler times out, and runs the redelivery in a fresh environment', async () => {
    // Prepare
    const { url, harness } = await aPollerOnNewQueues({ batchSize: 10, maximumConcurrency: 1 }, { timeoutSeconds: 1 });

    // Act
    await send(url, ['hang']);
    await until('two failed deliveries', () => harness.reports.filter((r) => r.error).length >= 2, 30_000);

    // Assess
    const failed = harness.reports.filter((r) => r.error);
    expect(failed[0]!.error).toBe('Task timed out after 1 seconds');
    expect(failed[0]!.failedIds.size).toBe(1);
    expect(harness.errors[0]).toBe('handler failed the whole batch: Task timed out after 1 seconds');
    expect(failed[1]!.environment).not.toBe(failed[0]!.environment);
    expect(harness.pool.started).toBeGreaterThanOrEqual(2);
  }, 60_000);

  it('treats the whole batch as succeeded when the mapping does not report batch item failures', async () => {
    // Prepare
    const { url, harness } = await aPollerOnNewQueues({ batchSize: 10, maximumConcurrency: 1, reportsBatchItemFailures: false });

    // Act
    await send(url, ['fail', 'ok']);
    await until('one batch handled', () => harness.reports.length >= 1);

    // Assess
    expect(harness.reports[0]!.failedIds.size).toBe(0);
    await until('the queue empty', async () => (await depth(url)) === 0);
  }, 60_000);
});
