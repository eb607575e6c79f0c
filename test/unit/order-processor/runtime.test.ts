import { describe, expect, it } from 'vitest';
import { ConfigurationError, configFromEnv } from '../../../functions/order-processor/runtime.ts';

const BASE = { ORDERS_TABLE: 'orders', INGESTIONS_TABLE: 'ingestions', ALERTS_TOPIC_ARN: 'arn:aws:sns:us-east-1:1:t' };

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
    });
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
  ])('names the variable that is wrong (%o)', (env, message) => {
    // Act / Assess
    expect(() => configFromEnv(env)).toThrow(ConfigurationError);
    expect(() => configFromEnv(env)).toThrow(message);
  });
});
