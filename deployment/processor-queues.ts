/**
 * The queues that feed the processor, each with its dead-letter queue and its event-source
 * mapping: the ingest queue (one message per uploaded file) and the parts queue (one message per
 * part of a large file; docs/architecture.md).
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { StackOutputs } from '../tooling/stack-outputs.ts';
import { queueArn } from './connect.ts';
import { findMapping, type MappingInfo } from './event-source-mapping.ts';

export type QueueRole = 'ingest' | 'parts';

export interface ProcessorQueue {
  role: QueueRole;
  url: string;
  deadLetterUrl: string;
}

/** The processor's queues named by the outputs: the ingest queue first, then the parts queue. Pure. */
export function processorQueues(outputs: StackOutputs): ProcessorQueue[] {
  return [
    { role: 'ingest', url: outputs.ingest_queue_url, deadLetterUrl: outputs.dead_letter_queue_url },
    { role: 'parts', url: outputs.parts_queue_url, deadLetterUrl: outputs.parts_dead_letter_queue_url },
  ];
}

/** "ingest queue", "parts queue". */
export const queueName = (role: QueueRole): string => `${role} queue`;

/** "ingest DLQ", "parts DLQ". */
export const deadLetterName = (role: QueueRole): string => `${role} DLQ`;

/** A queue with its ARN and the event-source mapping that delivers it to the processor. */
export interface QueueFeed extends ProcessorQueue {
  arn: string;
  mapping: MappingInfo;
}

/**
 * Every queue of the processor with its event-source mapping, found by the queue's ARN (moto
 * matches a mapping's FunctionName only by the exact string it was created with).
 */
export async function queueFeeds(clients: { sqs: SQSClient; lambda: LambdaClient }, outputs: StackOutputs): Promise<QueueFeed[]> {
  return Promise.all(
    processorQueues(outputs).map(async (queue) => {
      const arn = await queueArn(clients.sqs, queue.url);
      return { ...queue, arn, mapping: await findMapping(clients.lambda, outputs.processor_function_name, arn) };
    }),
  );
}
