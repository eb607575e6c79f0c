import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { SQSEvent } from 'aws-lambda';
import { EnvironmentPool, type PoolOptions } from '../../../../local/lambda/environment-pool.ts';
import { toSqsEvent } from '../../../../tooling/lambda-events.ts';

const HANDLER = fileURLToPath(new URL('./fixtures/handler.ts', import.meta.url));
const NO_HANDLER = fileURLToPath(new URL('./fixtures/no-handler.ts', import.meta.url));
const FN = { functionName: 'fixture', functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:fixture', timeoutSeconds: 5 };

/** An SQS event with one record per body (bodies tell the fixture handler what to do). */
function anEvent(...bodies: string[]): SQSEvent {
  return toSqsEvent(
    bodies.map((body, i) => ({ MessageId: `m${i + 1}`, ReceiptHandle: `rh${i + 1}`, Body: body })),
    { arn: 'arn:aws:sqs:us-east-1:123456789012:q', region: 'us-east-1' },
  );
}

interface Printed {
  environment: number;
  stream: 'stdout' | 'stderr';
  text: string;
}

describe('EnvironmentPool', () => {
  const pools: EnvironmentPool[] = [];
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.close()));
  });

  function aPool(overrides: Partial<PoolOptions> = {}): { pool: EnvironmentPool; printed: Printed[]; lines: () => Record<string, unknown>[] } {
    const printed: Printed[] = [];
    const pool = new EnvironmentPool({
      handlerModule: HANDLER,
      env: { ...process.env, FIXTURE_MARKER: 'set for the function' },
      memoryMb: 256,
      maxEnvironments: 2,
      onOutput: (environment, stream, text) => printed.push({ environment, stream, text }),
      ...overrides,
    });
    pools.push(pool);
    const lines = () =>
      printed
        .filter((p) => p.stream === 'stdout')
        .flatMap((p) => p.text.split('\n'))
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    return { pool, printed, lines };
  }

  it('runs the handler in a worker thread with the function environment, its output arriving before its result', async () => {
    // Prepare
    const { pool, printed, lines } = aPool();
    const environment = await pool.acquire();

    // Act
    const response = await environment.invoke(anEvent('ok', 'fail'), FN, 5);

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }] });
    expect(lines()).toEqual([expect.objectContaining({ marker: 'set for the function', invocations: 1, bodies: ['ok', 'fail'] })]);
    expect(lines()[0]!.thread).not.toBe(0);
    expect(printed.filter((p) => p.stream === 'stderr').map((p) => p.text)).toEqual(['done\n']);
    expect(printed.every((p) => p.environment === environment.id)).toBe(true);
  });

  it('reuses a warm environment, whose module state persists between invocations', async () => {
    // Prepare
    const { pool, lines } = aPool();
    await pool.warm();

    // Act
    for (let i = 0; i < 2; i++) {
      const environment = await pool.acquire();
      await environment.invoke(anEvent('ok'), FN, 5);
      pool.release(environment);
    }

    // Assess
    expect(lines().map((l) => l.invocations)).toEqual([1, 2]);
    expect(pool.started).toBe(1);
  });

  it('gives concurrent invocations environments of their own, up to the maximum', async () => {
    // Prepare
    const { pool, lines } = aPool({ maxEnvironments: 3 });

    // Act
    const environments = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
    await Promise.all(environments.map((e) => e.invoke(anEvent('sleep:200'), FN, 5)));

    // Assess
    expect(new Set(lines().map((l) => l.thread)).size).toBe(3);
    expect(lines().every((l) => l.invocations === 1)).toBe(true);
    expect(pool.size).toBe(3);
  });

  it('makes a caller wait for a released environment when all are busy at the maximum', async () => {
    // Prepare
    const { pool } = aPool({ maxEnvironments: 1 });
    const first = await pool.acquire();
    let second: unknown = null;
    const waiting = pool.acquire().then((e) => (second = e));

    // Act
    await new Promise((r) => setTimeout(r, 100));
    const whileBusy = second;
    pool.release(first);
    await waiting;

    // Assess
    expect(whileBusy).toBeNull();
    expect(second).toBe(first);
    expect(pool.started).toBe(1);
  });

  it('rejects with the handler\'s error and keeps the environment for the next invocation', async () => {
    // Prepare
    const { pool } = aPool();
    const environment = await pool.acquire();

    // Act
    const failure = environment.invoke(anEvent('throw'), FN, 5);

    // Assess
    await expect(failure).rejects.toThrow('asked to throw by m1');
    expect(environment.alive).toBe(true);
    await expect(environment.invoke(anEvent('ok'), FN, 5)).resolves.toEqual({ batchItemFailures: [] });
  });

  it('ends an environment that runs past the timeout, and the pool starts a fresh one', async () => {
    // Prepare
    const { pool } = aPool({ maxEnvironments: 1 });
    const environment = await pool.acquire();

    // Act
    const timedOut = environment.invoke(anEvent('hang'), FN, 1);
    await expect(timedOut).rejects.toThrow('Task timed out after 1 seconds');
    pool.release(environment);
    const next = await pool.acquire();

    // Assess
    expect(environment.alive).toBe(false);
    expect(next).not.toBe(environment);
    expect(pool.started).toBe(2);
    await expect(next.invoke(anEvent('ok'), FN, 5)).resolves.toEqual({ batchItemFailures: [] });
  });

  it('ends an environment whose function crashes outside the invocation', async () => {
    // Prepare
    const { pool } = aPool();
    const environment = await pool.acquire();
    await environment.invoke(anEvent('crash'), FN, 5);

    // Act
    const next = environment.invoke(anEvent('sleep:500'), FN, 5);

    // Assess
    await expect(next).rejects.toThrow('crashed outside the invocation');
    expect(environment.alive).toBe(false);
  });

  it('refuses to start on a module without a handler', async () => {
    // Prepare
    const { pool } = aPool({ handlerModule: NO_HANDLER });

    // Act
    const warming = pool.warm();

    // Assess
    await expect(warming).rejects.toThrow(`the function failed to initialise: ${NO_HANDLER} exports no handler()`);
    expect(pool.size).toBe(0);
  });
});
