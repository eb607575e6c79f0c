import { describe, expect, it } from 'vitest';
import { describeMapping, describePollerEvent } from '../../../../cli/render/poller-report.ts';

describe('describePollerEvent', () => {
  it('prints a file outcome with counts and destination', () => {
    // Act
    const line = describePollerEvent({
      type: 'file',
      key: 'raw-data/a.csv',
      receiveCount: 1,
      failed: false,
      item: { pk: 'p', status: 'PARTIAL', rows: 3, written: 2, rejected: 1, processed_key: 'processed-data/a.csv', errors_key: 'failed-data/a.errors.csv' } as never,
    });

    // Assess
    expect(line).toBe('  PARTIAL   raw-data/a.csv rows 3: written 2, rejected 1 → processed-data/a.csv, failed-data/a.errors.csv');
  });

  it('explains an unusable message and where it is heading', () => {
    // Act
    const line = describePollerEvent({ type: 'invalid-message', messageId: 'm1', receiveCount: 3, reason: 'message body is not JSON' });

    // Assess
    expect(line).toBe('  retry  message m1 (delivery 3): message body is not JSON; after 3 deliveries SQS moves it to the DLQ');
  });
});

describe('describeMapping', () => {
  const mapping = { uuid: 'u', batchSize: 5, enabled: true, state: 'Enabled', reportsBatchItemFailures: true, eventSourceArn: 'arn' };

  it('names the batch size, the concurrency and the function', () => {
    // Act
    const text = describeMapping({ mapping: { ...mapping, maximumConcurrency: 3 }, fn: { functionName: 'order-pipeline-local-processor' } });

    // Assess
    expect(text).toBe('batch size 5, up to 3 invocations at once, order-pipeline-local-processor in worker threads');
  });

  it('falls back to the local default when the mapping sets no maximum concurrency', () => {
    // Act
    const text = describeMapping({ mapping, fn: { functionName: 'f' } });

    // Assess
    expect(text).toBe('batch size 5, up to 5 invocations at once, f in worker threads');
  });
});
