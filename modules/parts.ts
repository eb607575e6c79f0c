import type { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document/index.js';
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role/index.js';
import type { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue/index.js';
import { Construct } from 'constructs';
import { MAX_RECEIVE_COUNT, queuePolicy, redrivenQueue, withTlsOnly } from './queues.ts';

export interface PartsProps {
  /** Prefix of every name (`order-pipeline-<stage>`): queues `<prefix>-parts` and `<prefix>-parts-dlq`. Required. */
  readonly namePrefix: string;
  /**
   * The processor's timeout in seconds; the parts queue's visibility timeout is 6× this, so a part
   * still being worked on is not handed to a second invocation. Required: the stack passes
   * `LAMBDA_TIMEOUT_SECONDS`.
   */
  readonly functionTimeoutSeconds: number;
}

/**
 * The parts queue of a large file split across invocations (docs/architecture.md, "Large files in
 * parts"): the processor sends one message per part of a file and consumes them through its own
 * event-source mapping (processor.ts). Its DLQ holds parts that failed MAX_RECEIVE_COUNT times; by
 * then the processor has already failed their file, because it reads the same count
 * (`maxReceiveCount`, passed to it as PARTS_MAX_RECEIVES) and acts on the last receive.
 */
export class Parts extends Construct {
  readonly queue: SqsQueue;
  readonly deadLetterQueue: SqsQueue;
  /** Receives before a part message is moved to the DLQ: the processor fails the file on the last one. */
  readonly maxReceiveCount = MAX_RECEIVE_COUNT;
  /** The parts queue's resource policy document; its statements grow with `allowSendingBy`. */
  readonly queuePolicyDocument: DataAwsIamPolicyDocument;
  private readonly senderRoleArns: string[] = [];

  constructor(scope: Construct, id: string, props: PartsProps) {
    super(scope, id);
    const parts = redrivenQueue(this, `${props.namePrefix}-parts`, props.functionTimeoutSeconds);
    this.queue = parts.queue;
    this.deadLetterQueue = parts.deadLetterQueue;

    // The processor sends parts (allowSendingBy). No Deny for other principals, unlike the alerts
    // topic: an operator's `order-pipeline redrive` must be able to send a dead-lettered part back,
    // and a part message only makes the processor redo, idempotently, a part of the plan its ledger
    // item names (a message of any other plan is dropped), so a stray sender can forge nothing.
    this.queuePolicyDocument = queuePolicy(this, 'queue', this.queue, this.senderStatements());
    // The DLQ is filled by SQS's own redrive, which needs no grant: nobody else sends to it.
    queuePolicy(this, 'dead-letter-queue', this.deadLetterQueue, []);
  }

  /** Lets `role` send to the parts queue (the role still needs sqs:SendMessage in its own policy). */
  allowSendingBy(role: Pick<IamRole, 'arn'>): void {
    this.senderRoleArns.push(role.arn);
    this.queuePolicyDocument.putStatement(withTlsOnly(this.queue, this.senderStatements()));
  }

  private senderStatements(): DataAwsIamPolicyDocumentStatement[] {
    const queue = [this.queue.arn];
    const senders = [...this.senderRoleArns];
    return [
      ...(senders.length > 0
        ? [
            {
              // The processor's planner and its last scanner send the parts of a file.
              sid: 'RolesSendParts',
              effect: 'Allow',
              principals: [{ type: 'AWS', identifiers: senders }],
              actions: ['sqs:SendMessage'],
              resources: queue,
            },
          ]
        : []),
    ];
  }
}
