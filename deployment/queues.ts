/** Queue depths and DLQ redrive. */
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  StartMessageMoveTaskCommand,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';

export interface QueueDepth {
  visible: number;
  inFlight: number;
  delayed: number;
}

export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<QueueDepth> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  const a = out.Attributes ?? {};
  return {
    visible: Number(a.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(a.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}

/** Waits until the queue has nothing visible or in flight (its consumer is idle); false when `maxMs` passed first. */
export async function waitUntilIdle(sqs: SQSClient, queueUrl: string, maxMs: number, intervalMs = 300): Promise<boolean> {
  const deadline = Date.now() + maxMs;
  for (;;) {
    const d = await queueDepth(sqs, queueUrl);
    if (d.visible === 0 && d.inFlight === 0 && d.delayed === 0) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export interface MoveResult {
  moved: number;
  failed: number;
}

/**
 * Moves messages from the DLQ back to the source queue by receive → send → delete (what SQS's
 * StartMessageMoveTask does; moto does not implement that API). A message is deleted from the DLQ
 * only after the send succeeded, so a crash duplicates at worst, never loses — and the processor's
 * ledger makes a duplicate delivery harmless.
 */
export async function moveMessages(
  sqs: SQSClient,
  from: string,
  to: string,
  options: { max?: number; onProgress?: (moved: number) => void } = {},
): Promise<MoveResult> {
  const max = options.max ?? Number.POSITIVE_INFINITY;
  let moved = 0;
  let failed = 0;
  let emptyReceives = 0;
  while (moved + failed < max && emptyReceives < 2) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: from,
        MaxNumberOfMessages: Math.min(10, max - moved - failed),
        WaitTimeSeconds: 1,
        // Long enough to send and delete; short so a failure frees them soon.
        VisibilityTimeout: 30,
        MessageAttributeNames: ['All'],
      }),
    );
    const messages = out.Messages ?? [];
    if (messages.length === 0) {
      emptyReceives += 1;
      continue;
    }
    emptyReceives = 0;
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: to,
        Entries: messages.map((m, i) => ({
          Id: String(i),
          MessageBody: m.Body ?? '',
          ...(m.MessageAttributes && Object.keys(m.MessageAttributes).length > 0
            ? { MessageAttributes: m.MessageAttributes as Record<string, MessageAttributeValue> }
            : {}),
        })),
      }),
    );
    const ok = new Set((sent.Successful ?? []).map((s) => s.Id));
    const toDelete = messages.map((m, i) => ({ m, id: String(i) })).filter(({ id }) => ok.has(id));
    if (toDelete.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({ QueueUrl: from, Entries: toDelete.map(({ m, id }) => ({ Id: id, ReceiptHandle: m.ReceiptHandle! })) }),
      );
    }
    moved += toDelete.length;
    failed += messages.length - toDelete.length;
    options.onProgress?.(moved);
  }
  return { moved, failed };
}

/**
 * SQS's own DLQ redrive (StartMessageMoveTask), followed until it completes or `timeoutMs`
 * passes. AWS only: the emulator does not implement it.
 */
export async function startMoveTask(
  sqs: SQSClient,
  sourceArn: string,
  destinationArn: string,
  options: { timeoutMs?: number; onProgress?: (moved: number, toMove: number | undefined) => void } = {},
): Promise<{ taskHandle: string; status: string; moved: number; failureReason?: string }> {
  const started = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: sourceArn, DestinationArn: destinationArn }));
  const taskHandle = started.TaskHandle ?? '';
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  for (;;) {
    const list = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 10 }));
    const task = (list.Results ?? []).find((t) => t.TaskHandle === taskHandle) ?? list.Results?.[0];
    const status = task?.Status ?? 'UNKNOWN';
    const moved = task?.ApproximateNumberOfMessagesMoved ?? 0;
    options.onProgress?.(moved, task?.ApproximateNumberOfMessagesToMove);
    if (status !== 'RUNNING' || Date.now() > deadline) {
      return { taskHandle, status, moved, ...(task?.FailureReason ? { failureReason: task.FailureReason } : {}) };
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
}
