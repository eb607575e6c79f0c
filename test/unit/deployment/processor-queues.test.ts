import { describe, expect, it } from 'vitest';
import { deadLetterName, processorQueues, queueName } from '../../../deployment/processor-queues.ts';
import type { StackOutputs } from '../../../tooling/stack-outputs.ts';

const OUTPUTS = {
  ingest_queue_url: 'https://sqs/ingest',
  dead_letter_queue_url: 'https://sqs/ingest-dlq',
  parts_queue_url: 'https://sqs/parts',
  parts_dead_letter_queue_url: 'https://sqs/parts-dlq',
} as StackOutputs;

describe('processorQueues', () => {
  it('lists the ingest queue, then the parts queue, each with its DLQ', () => {
    // Assess
    expect(processorQueues(OUTPUTS)).toEqual([
      { role: 'ingest', url: 'https://sqs/ingest', deadLetterUrl: 'https://sqs/ingest-dlq' },
      { role: 'parts', url: 'https://sqs/parts', deadLetterUrl: 'https://sqs/parts-dlq' },
    ]);
  });
});

describe('queueName and deadLetterName', () => {
  it('name a queue and its DLQ for the operator', () => {
    // Assess
    expect([queueName('parts'), deadLetterName('parts'), deadLetterName('ingest')]).toEqual(['parts queue', 'parts DLQ', 'ingest DLQ']);
  });
});
