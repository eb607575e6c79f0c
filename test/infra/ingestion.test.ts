import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule/index.js';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target/index.js';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document/index.js';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue/index.js';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy/index.js';
import { Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { Ingestion } from '../../modules/ingestion.ts';
import { blocksOfType, onlyBlockOfType, synthConstruct } from './synth.ts';

/** The part of the Storage construct ingestion reads: its bucket's name. */
const storageOf = (bucket: string) => ({ bucket: { bucket } });

describe('Ingestion', () => {
  // Prepare: the ingestion construct for a bucket and a 120 s function timeout
  const synth = synthConstruct(
    (stack) => new Ingestion(stack, 'ingestion', { namePrefix: 'order-pipeline-test', storage: storageOf('the-bucket'), functionTimeoutSeconds: 120 }),
  );
  const queues = blocksOfType(synth, SqsQueue.tfResourceType);
  const ingest = queues.find((q) => q.name === 'order-pipeline-test-ingest');
  const dlq = queues.find((q) => q.name === 'order-pipeline-test-ingest-dlq');

  it('matches Object Created events of our bucket under raw-data/', () => {
    // Act
    const rule = onlyBlockOfType(synth, CloudwatchEventRule.tfResourceType);

    // Assess
    expect(JSON.parse(rule.event_pattern as string)).toEqual({
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: { bucket: { name: ['the-bucket'] }, object: { key: [{ prefix: 'raw-data/' }] } },
    });
  });

  it('targets the ingest queue with its own retry policy and DLQ', () => {
    // Act (Testing matchers compare with ===, so token references are matched on the parsed block)
    const target = onlyBlockOfType(synth, CloudwatchEventTarget.tfResourceType);

    // Assess
    expect(target).toMatchObject({
      arn: expect.stringMatching(/aws_sqs_queue\.ingestion_queue_\w+\.arn/),
      dead_letter_config: { arn: expect.stringMatching(/aws_sqs_queue\.ingestion_dead-letter-queue_\w+\.arn/) },
      retry_policy: { maximum_event_age_in_seconds: 86400, maximum_retry_attempts: 185 },
    });
  });

  it('redrives the ingest queue to the DLQ after 3 receives, with 6× visibility and SSE', () => {
    // Assess
    expect(ingest).toMatchObject({ visibility_timeout_seconds: 720, sqs_managed_sse_enabled: true, receive_wait_time_seconds: 20 });
    expect(JSON.parse(ingest?.redrive_policy as string)).toEqual({
      deadLetterTargetArn: expect.stringMatching(/aws_sqs_queue\.ingestion_dead-letter-queue_\w+\.arn/),
      maxReceiveCount: 3,
    });
  });

  it('encrypts the DLQ and keeps its messages 14 days', () => {
    expect(dlq).toMatchObject({ message_retention_seconds: 1_209_600, sqs_managed_sse_enabled: true });
  });

  it('lets only the rule (aws:SourceArn) send to each queue', () => {
    // Assess: one policy per queue
    expect(blocksOfType(synth, SqsQueuePolicy.tfResourceType)).toHaveLength(2);
    const documents = blocksOfType(synth, DataAwsIamPolicyDocument.tfResourceType, 'data');
    expect(documents).toHaveLength(2);
    for (const document of documents) {
      expect(document.statement).toContainEqual({
        sid: 'AllowObjectCreatedRule',
        effect: 'Allow',
        principals: [{ type: 'Service', identifiers: ['events.amazonaws.com'] }],
        actions: ['sqs:SendMessage'],
        resources: [expect.stringMatching(/aws_sqs_queue\.ingestion_[\w-]+\.arn/)],
        condition: [
          { test: 'ArnEquals', variable: 'aws:SourceArn', values: [expect.stringMatching(/aws_cloudwatch_event_rule\.ingestion_object-created_\w+\.arn/)] },
        ],
      });
    }
  });

  it('denies plain-HTTP requests in each queue policy', () => {
    for (const document of blocksOfType(synth, DataAwsIamPolicyDocument.tfResourceType, 'data')) {
      expect(document.statement).toContainEqual(
        expect.objectContaining({ effect: 'Deny', actions: ['sqs:*'], condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }] }),
      );
    }
  });

  it('sets a 5400 s visibility for a 900 s function timeout', () => {
    // Act
    const long = synthConstruct((stack) => new Ingestion(stack, 'i', { namePrefix: 'p', storage: storageOf('b'), functionTimeoutSeconds: 900 }));

    // Assess
    expect(Testing.toHaveResourceWithProperties(long, SqsQueue.tfResourceType, { name: 'p-ingest', visibility_timeout_seconds: 5400 })).toBe(true);
  });
});
