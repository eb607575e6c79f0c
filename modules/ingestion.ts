import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule/index.js';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target/index.js';
import type { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket/index.js';
import type { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue/index.js';
import { Construct } from 'constructs';
import { PREFIX } from '../functions/order-processor/resource-names.ts';
import { queuePolicy, redrivenQueue } from './queues.ts';

export interface IngestionProps {
  /** Prefix of every name (`order-pipeline-<stage>`): queues `<prefix>-ingest`, `<prefix>-ingest-dlq`, rule `<prefix>-raw-object-created`. Required. */
  readonly namePrefix: string;
  /** The storage whose bucket's raw-data/ objects are ingested (the Storage construct). Required. */
  readonly storage: { readonly bucket: Pick<S3Bucket, 'bucket'> };
  /**
   * The processor's timeout in seconds; the ingest queue's visibility timeout is 6× this, so a file
   * still being processed is not handed to a second invocation. Required: the stack
   * passes `LAMBDA_TIMEOUT_SECONDS`.
   */
  readonly functionTimeoutSeconds: number;
}

/** The S3 event pattern the rule matches: objects created in our bucket under raw-data/. */
export function objectCreatedPattern(bucketName: string): Record<string, unknown> {
  return {
    source: ['aws.s3'],
    'detail-type': ['Object Created'],
    detail: {
      bucket: { name: [bucketName] },
      object: { key: [{ prefix: PREFIX.raw }] },
    },
  };
}

/** EventBridge rule → SQS ingest queue → (after 3 receives) DLQ; docs/architecture.md. */
export class Ingestion extends Construct {
  readonly queue: SqsQueue;
  readonly deadLetterQueue: SqsQueue;
  readonly rule: CloudwatchEventRule;

  constructor(scope: Construct, id: string, props: IngestionProps) {
    super(scope, id);
    const bucketName = props.storage.bucket.bucket;

    // Ingest queue: buffers bursts, bounds concurrency, retries by redelivery (queues.ts: 6× the
    // function timeout as visibility, 3 receives). Its DLQ also takes the events EventBridge could
    // not deliver; kept 14 days so an operator can inspect and `redrive` them after a fix.
    const ingest = redrivenQueue(this, `${props.namePrefix}-ingest`, props.functionTimeoutSeconds);
    this.queue = ingest.queue;
    this.deadLetterQueue = ingest.deadLetterQueue;

    // The rule: S3 "Object Created" events for our bucket's landing prefix only.
    this.rule = new CloudwatchEventRule(this, 'object-created', {
      name: `${props.namePrefix}-raw-object-created`,
      description: `S3 objects created under ${PREFIX.raw} in ${bucketName} → ingest queue`,
      eventPattern: JSON.stringify(objectCreatedPattern(bucketName)),
    });

    // Target with its own retry policy and DLQ: if EventBridge cannot deliver (e.g. a queue policy
    // mistake), the event lands in the same DLQ, alarms, and can be redriven like any other.
    new CloudwatchEventTarget(this, 'to-queue', {
      rule: this.rule.name,
      targetId: 'ingest-queue',
      arn: this.queue.arn,
      retryPolicy: { maximumEventAgeInSeconds: 24 * 3600, maximumRetryAttempts: 185 },
      deadLetterConfig: { arn: this.deadLetterQueue.arn },
    });

    // Only this rule may send to the queues (aws:SourceArn), and only over TLS.
    for (const [name, queue] of [
      ['queue', this.queue],
      ['dead-letter-queue', this.deadLetterQueue],
    ] as const) {
      queuePolicy(this, name, queue, [
        {
          sid: 'AllowObjectCreatedRule',
          effect: 'Allow',
          principals: [{ type: 'Service', identifiers: ['events.amazonaws.com'] }],
          actions: ['sqs:SendMessage'],
          resources: [queue.arn],
          condition: [{ test: 'ArnEquals', variable: 'aws:SourceArn', values: [this.rule.arn] }],
        },
      ]);
    }
  }
}
