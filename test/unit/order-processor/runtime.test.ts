import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../../functions/order-processor/contract/limits.ts';
import { readOrders } from '../../../functions/order-processor/contract/reader.ts';
import { BUILT_IN_SCHEMA } from '../../../functions/order-processor/contract/schema/built-in.ts';
import { compileSchema } from '../../../functions/order-processor/contract/schema/compile.ts';
import { ORDER_LINES_SPLIT_DIVISOR } from '../../../functions/order-processor/defaults.ts';
import { observability } from '../../../functions/order-processor/observability.ts';
import {
  clientsFromEnv,
  ConfigurationError,
  configFromEnv,
  DEFAULT_LEASE_MS,
  LEASE_MARGIN_MS,
  LAST_RECEIVE_MARGIN_MS,
  leaseFor,
  lastReceiveDeadline,
  processorPorts,
  splitSizes,
  type RecordDeps,
} from '../../../functions/order-processor/runtime.ts';

const BASE = { ORDERS_TABLE: 'orders', INGESTIONS_TABLE: 'ingestions', ALERTS_TOPIC_ARN: 'arn:aws:sns:us-east-1:1:t', PARTS_QUEUE_URL: 'https://sqs/parts' };

describe('configFromEnv', () => {
  it('reads the required names and applies defaults', () => {
    // Act
    const config = configFromEnv({ ...BASE });
    // Assess
    expect(config).toEqual({
      ordersTable: 'orders',
      ingestionsTable: 'ingestions',
      alertsTopicArn: 'arn:aws:sns:us-east-1:1:t',
      writeConcurrency: 4,
      writeRetryDeadlineMs: 60_000,
      limits: DEFAULT_LIMITS,
      schema: BUILT_IN_SCHEMA,
      parts: { queueUrl: 'https://sqs/parts', thresholdMb: 107, chunkMb: 64, maxReceives: 3 },
    });
  });

  it('reads the file caps validate applies (MAX_FILE_MB, MAX_FILE_LINES)', () => {
    // Act
    const config = configFromEnv({ ...BASE, MAX_FILE_MB: '64', MAX_FILE_LINES: '1000' });
    // Assess
    expect(config.limits).toEqual({ maxFileMb: 64, maxFileLines: 1000 });
  });

  it('reads the optional names', () => {
    // Act
    const config = configFromEnv({ ...BASE, DATA_BUCKET: 'b', STAGE: 'dev', WRITE_CONCURRENCY: '8', WRITE_RETRY_DEADLINE_MS: '1000' });
    // Assess
    expect(config).toMatchObject({ dataBucket: 'b', stage: 'dev', writeConcurrency: 8, writeRetryDeadlineMs: 1000 });
  });

  it.each([
    [{ ...BASE, ORDERS_TABLE: '' }, /ORDERS_TABLE is not set/],
    [{ INGESTIONS_TABLE: 'i', ALERTS_TOPIC_ARN: 'a' }, /ORDERS_TABLE is not set/],
    [{ ...BASE, WRITE_CONCURRENCY: 'four' }, /WRITE_CONCURRENCY="four" must be a positive integer/],
    [{ ...BASE, WRITE_RETRY_DEADLINE_MS: '0' }, /WRITE_RETRY_DEADLINE_MS="0" must be a positive integer/],
    [{ ...BASE, MAX_FILE_MB: 'lots' }, /MAX_FILE_MB="lots" is not a valid cap/],
    [{ ...BASE, PARTS_QUEUE_URL: ' ' }, /PARTS_QUEUE_URL is not set/],
    [{ ...BASE, FANOUT_THRESHOLD_MB: '0' }, /FANOUT_THRESHOLD_MB="0" must be a positive integer/],
    [{ ...BASE, FANOUT_CHUNK_MB: '1.5', PARTS_QUEUE_URL: 'https://q' }, /FANOUT_CHUNK_MB="1.5" must be a positive integer/],
    [{ ...BASE, PARTS_MAX_RECEIVES: 'x' }, /PARTS_MAX_RECEIVES="x" must be a positive integer/],
  ])('names the variable that is wrong (%o)', (env, message) => {
    // Act / Assess
    expect(() => configFromEnv(env)).toThrow(ConfigurationError);
    expect(() => configFromEnv(env)).toThrow(message);
  });
});

describe('configFromEnv for large files', () => {
  it('reads the parts queue and the part sizes, with their defaults', () => {
    // Act
    const defaults = configFromEnv({ ...BASE, PARTS_QUEUE_URL: 'https://sqs/parts' }).parts;
    const set = configFromEnv({ ...BASE, PARTS_QUEUE_URL: 'https://sqs/parts', FANOUT_THRESHOLD_MB: '8', FANOUT_CHUNK_MB: '2', PARTS_MAX_RECEIVES: '5' }).parts;
    // Assess
    expect(defaults).toEqual({ queueUrl: 'https://sqs/parts', thresholdMb: 107, chunkMb: 64, maxReceives: 3 });
    expect(set).toEqual({ queueUrl: 'https://sqs/parts', thresholdMb: 8, chunkMb: 2, maxReceives: 5 });
  });

  it('wires the parts settings in bytes into the ports', () => {
    // Prepare
    const deps: RecordDeps = { ...clientsFromEnv({ AWS_REGION: 'us-east-1' }), config: configFromEnv({ ...BASE, PARTS_QUEUE_URL: 'https://sqs/parts', FANOUT_CHUNK_MB: '2' }), readOrders };
    // Act
    const ports = processorPorts(deps, 1000, observability());
    // Assess
    expect(ports.parts).toMatchObject({ thresholdBytes: 107 * 1024 * 1024, chunkBytes: 2 * 1024 * 1024, maxReceives: 3 });
  });
});

describe('splitSizes', () => {
  it('splits files of a schema with order lines at the threshold ÷ ORDER_LINES_SPLIT_DIVISOR, into parts of the chunk ÷ it, never below 1 MiB', () => {
    // Prepare
    const lines = compileSchema({ ...BUILT_IN_SCHEMA.spec, lines: 'by-position' });
    const MiB = 1024 * 1024;
    // Act / Assess
    expect(splitSizes({ thresholdMb: 107, chunkMb: 64 }, BUILT_IN_SCHEMA)).toEqual({ thresholdBytes: 107 * MiB, chunkBytes: 64 * MiB });
    expect(splitSizes({ thresholdMb: 107, chunkMb: 64 }, lines)).toEqual({ thresholdBytes: Math.floor((107 * MiB) / ORDER_LINES_SPLIT_DIVISOR), chunkBytes: (64 * MiB) / ORDER_LINES_SPLIT_DIVISOR });
    expect(splitSizes({ thresholdMb: 2, chunkMb: 1 }, lines)).toEqual({ thresholdBytes: MiB, chunkBytes: MiB });
  });
});

describe('clientsFromEnv', () => {
  it('builds the DynamoDB client without the SDK logger middleware, which the SDK adds by default', () => {
    // Act
    const { doc, s3, sns } = clientsFromEnv({ AWS_REGION: 'us-east-1' });
    const stack = doc.middlewareStack.identify();
    // Assess
    expect(stack.some((m) => m.startsWith('loggerMiddleware'))).toBe(false);
    expect(s3.middlewareStack.identify().some((m) => m.startsWith('loggerMiddleware'))).toBe(true);
    expect(stack.some((m) => m.startsWith('serializerMiddleware'))).toBe(true);
    for (const client of [doc, s3, sns]) client.destroy();
  });
});

describe('leaseFor', () => {
  it('holds the claim for the time the invocation may still run, plus a small margin', () => {
    // Act / Assess
    expect(leaseFor({ getRemainingTimeInMillis: () => 5_000 })).toBe(5_000 + LEASE_MARGIN_MS);
    expect(LEASE_MARGIN_MS).toBeLessThanOrEqual(5_000);
  });

  it('falls back to the longest run Lambda allows when the context cannot tell', () => {
    // Act / Assess
    expect(leaseFor(undefined)).toBe(DEFAULT_LEASE_MS);
    expect(leaseFor({ getRemainingTimeInMillis: () => 0 })).toBe(DEFAULT_LEASE_MS);
  });
});

describe('lastReceiveDeadline', () => {
  it('keeps a margin back from the time the invocation has left', () => {
    // Assess
    expect(lastReceiveDeadline({ getRemainingTimeInMillis: () => 60_000 })).toEqual({ deadlineMs: 60_000 - LAST_RECEIVE_MARGIN_MS });
    expect(lastReceiveDeadline({ getRemainingTimeInMillis: () => 3_000 })).toEqual({ deadlineMs: 0 });
  });

  it('sets no deadline when the context cannot tell the time left', () => {
    // Assess
    expect(lastReceiveDeadline(undefined)).toEqual({});
  });
});

describe('processorPorts', () => {
  const deps = (): RecordDeps => ({
    ...clientsFromEnv({ AWS_REGION: 'us-east-1' }),
    config: { ...configFromEnv({ ...BASE, STAGE: 'dev', MAX_FILE_LINES: '500', DATA_BUCKET: 'b' }) },
    readOrders,
  });

  it('wires the configuration into the steps: lease, stage, file caps, a new order writer per file', () => {
    // Act
    const ports = processorPorts(deps(), 1234, observability());
    // Assess
    expect(ports.leaseMs).toBe(1234);
    expect(ports.stage).toBe('dev');
    expect(ports.contract?.limits).toEqual({ ...DEFAULT_LIMITS, maxFileLines: 500 });
    expect(ports.openOrderWriter()).not.toBe(ports.openOrderWriter());
  });

});
