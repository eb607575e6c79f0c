import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document/index.js';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue/index.js';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy/index.js';
import { describe, expect, it } from 'vitest';
import { Parts } from '../../modules/parts.ts';
import { blocksOfType, synthConstruct } from './synth.ts';

const ROLE_ARN = 'arn:aws:iam::111122223333:role/order-pipeline-test-processor-role';

interface Statement {
  sid?: string;
  effect: string;
  principals?: { type: string; identifiers: string[] }[];
  actions: string[];
  resources: string[];
  condition?: { test: string; variable: string; values: string[] }[];
}

/** The synthesized Parts construct (optionally with a sending role), its queues and the statements of each queue's policy. */
function synthParts(options: { sender?: string; functionTimeoutSeconds?: number } = {}) {
  let construct: Parts | undefined;
  const synth = synthConstruct((stack) => {
    construct = new Parts(stack, 'parts', { namePrefix: 'order-pipeline-test', functionTimeoutSeconds: options.functionTimeoutSeconds ?? 120 });
    if (options.sender) construct.allowSendingBy({ arn: options.sender });
  });
  const queues = blocksOfType(synth, SqsQueue.tfResourceType);
  const documents = blocksOfType(synth, DataAwsIamPolicyDocument.tfResourceType, 'data');
  /** The statements of the policy document whose statements name the given queue resource. */
  const statementsOf = (queueId: RegExp) =>
    (documents.find((d) => (d.statement as Statement[]).some((s) => s.resources.some((r) => queueId.test(r))))?.statement ?? []) as Statement[];
  return {
    synth,
    maxReceiveCount: construct?.maxReceiveCount,
    queue: queues.find((q) => q.name === 'order-pipeline-test-parts'),
    deadLetterQueue: queues.find((q) => q.name === 'order-pipeline-test-parts-dlq'),
    queueStatements: statementsOf(/aws_sqs_queue\.parts_queue_\w+\.arn/),
    deadLetterStatements: statementsOf(/aws_sqs_queue\.parts_dead-letter-queue_\w+\.arn/),
  };
}

const TLS_ONLY = expect.objectContaining({
  sid: 'DenyInsecureTransport',
  effect: 'Deny',
  actions: ['sqs:*'],
  condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
});

describe('Parts', () => {
  // Prepare: the parts construct for a 120 s function timeout, with the processor role as sender
  const { synth, maxReceiveCount, queue, deadLetterQueue, queueStatements, deadLetterStatements } = synthParts({ sender: ROLE_ARN });

  it('redrives the parts queue to its own DLQ after maxReceiveCount (3) receives', () => {
    // Act
    const redrive = JSON.parse(queue?.redrive_policy as string) as { deadLetterTargetArn: string; maxReceiveCount: number };

    // Assess: the count the processor is told (maxReceiveCount) is the one SQS applies
    expect(redrive).toEqual({ deadLetterTargetArn: expect.stringMatching(/aws_sqs_queue\.parts_dead-letter-queue_\w+\.arn/), maxReceiveCount: 3 });
    expect(maxReceiveCount).toBe(redrive.maxReceiveCount);
  });

  it('gives the parts queue 6× the function timeout as visibility, 4 days retention, long polling and SSE', () => {
    expect(queue).toMatchObject({
      visibility_timeout_seconds: 720,
      message_retention_seconds: 345_600,
      receive_wait_time_seconds: 20,
      sqs_managed_sse_enabled: true,
    });
  });

  it('encrypts the parts DLQ and keeps its messages 14 days', () => {
    expect(deadLetterQueue).toMatchObject({ message_retention_seconds: 1_209_600, sqs_managed_sse_enabled: true });
    expect(deadLetterQueue?.redrive_policy).toBeUndefined();
  });

  it('follows a 900 s function timeout with a 5400 s visibility', () => {
    expect(synthParts({ functionTimeoutSeconds: 900 }).queue?.visibility_timeout_seconds).toBe(5400);
  });

  it('attaches one policy to each of the two queues', () => {
    // Act
    const policies = blocksOfType(synth, SqsQueuePolicy.tfResourceType).map((p) => String(p.queue_url)).sort();

    // Assess
    expect(policies).toEqual([
      expect.stringMatching(/aws_sqs_queue\.parts_dead-letter-queue_\w+\.url/),
      expect.stringMatching(/aws_sqs_queue\.parts_queue_\w+\.url/),
    ]);
  });

  it('lets the sending role send to the parts queue, refuses plain HTTP, and denies no one else (redrive)', () => {
    // Assess
    expect(queueStatements.map((s) => s.sid)).toEqual(['RolesSendParts', 'DenyInsecureTransport']);
    expect(queueStatements[0]).toMatchObject({
      effect: 'Allow',
      principals: [{ type: 'AWS', identifiers: [ROLE_ARN] }],
      actions: ['sqs:SendMessage'],
    });
    expect(queueStatements[1]).toEqual(TLS_ONLY);
    expect(queueStatements.filter((s) => s.effect === 'Deny' && s.sid !== 'DenyInsecureTransport')).toEqual([]);
  });

  it('grants sending to no one when no role has been allowed to send', () => {
    // Act
    const { queueStatements: closed } = synthParts();

    // Assess
    expect(closed.map((s) => s.sid)).toEqual(['DenyInsecureTransport']);
  });

  it('allows nothing on the parts DLQ and denies plain HTTP there', () => {
    expect(deadLetterStatements).toEqual([TLS_ONLY]);
  });
});
