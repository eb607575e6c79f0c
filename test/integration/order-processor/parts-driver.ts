/**
 * Plays the parts queue's event-source mapping for the integration tests: receives the messages
 * of the real (moto) parts queue and calls the handler with each, batch size 1, as Lambda would —
 * in shuffled order and several at once. A record that succeeds is deleted; one that fails is made
 * visible again at once (its visibility timeout "passing"), so its receive count grows as it would.
 */
import type { SQSBatchResponse } from 'aws-lambda';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import type { SqsHandler } from '../../../functions/order-processor/batch.ts';
import { toSqsEvent } from '../../../tooling/lambda-events.ts';
import { env, lambdaContext, PARTS_QUEUE } from './setup.ts';

export interface DrainOptions {
  /** Invocations at once (default 4). */
  concurrency?: number;
  /** Sends a copy of a message to the queue before it is handled: a duplicate delivery. */
  duplicate?: (body: string) => boolean;
  /** Called with every handled message and what the handler answered. */
  onResult?: (message: Message, response: SQSBatchResponse) => void;
  /** Gives up after this many receive rounds (a protocol that never ends fails the test). */
  maxRounds?: number;
}

export interface DrainResult {
  invocations: number;
  failures: number;
}

const shuffled = <T>(items: T[]): T[] => {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
};

/** Handles part messages until the parts queue is empty. */
export async function drainParts(handler: SqsHandler, options: DrainOptions = {}): Promise<DrainResult> {
  const { concurrency = 4, duplicate, onResult, maxRounds = 200 } = options;
  const result: DrainResult = { invocations: 0, failures: 0 };
  const duplicated = new Set<string>();
  for (let round = 0; round < maxRounds; round++) {
    const out = await env.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: env.partsQueueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'], WaitTimeSeconds: 0 }),
    );
    const messages = shuffled(out.Messages ?? []);
    if (messages.length === 0) {
      if ((await visibleOrInFlight()) === 0) return result;
      continue;
    }
    for (const m of messages) {
      if (duplicate && m.Body && !duplicated.has(m.Body) && duplicate(m.Body)) {
        duplicated.add(m.Body);
        await env.sqs.send(new SendMessageCommand({ QueueUrl: env.partsQueueUrl, MessageBody: m.Body }));
      }
    }
    for (let i = 0; i < messages.length; i += concurrency) {
      await Promise.all(
        messages.slice(i, i + concurrency).map(async (m) => {
          const response = await handler(toSqsEvent([m], PARTS_QUEUE), lambdaContext());
          result.invocations++;
          onResult?.(m, response);
          if (response.batchItemFailures.length === 0) {
            await env.sqs.send(new DeleteMessageCommand({ QueueUrl: env.partsQueueUrl, ReceiptHandle: m.ReceiptHandle }));
          } else {
            result.failures++;
            await env.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: env.partsQueueUrl, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 }));
          }
        }),
      );
    }
  }
  throw new Error(`the parts queue was not empty after ${maxRounds} rounds`);
}

async function visibleOrInFlight(): Promise<number> {
  const out = await env.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: env.partsQueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) + Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
}

/** Messages waiting in the parts DLQ. */
export async function partsDeadLetters(): Promise<number> {
  const out = await env.sqs.send(new GetQueueAttributesCommand({ QueueUrl: env.partsDlqUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
  return Number(out.Attributes?.ApproximateNumberOfMessages ?? 0);
}
