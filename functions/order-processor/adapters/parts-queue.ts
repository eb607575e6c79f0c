/**
 * Sends the part messages of a file in parts to the parts queue (docs/architecture.md, "Large
 * files in parts"): SendMessageBatch, ten per call; entries SQS refuses are sent again (with the
 * SDK's own retries for throttling and 5xx around each call), and what still fails is an
 * infrastructure fault for the caller to retry.
 */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { partMessageBody, type PartMessage } from '../event.ts';
import type { PartsQueue } from '../pipeline/ports.ts';

/** SQS: at most ten entries per SendMessageBatch. */
export const MAX_BATCH_ENTRIES = 10;

/** Rounds of resending the entries a batch call refused, before giving up. */
const RESEND_ROUNDS = 3;

export function sqsPartsQueue(sqs: SQSClient, queueUrl: string): PartsQueue {
  return {
    async send(messages) {
      for (let i = 0; i < messages.length; i += MAX_BATCH_ENTRIES) {
        await sendBatch(sqs, queueUrl, messages.slice(i, i + MAX_BATCH_ENTRIES));
      }
    },
  };
}

async function sendBatch(sqs: SQSClient, queueUrl: string, messages: readonly PartMessage[]): Promise<void> {
  // Entry ids are the part indices: unique within a batch, and they name what failed.
  let pending = messages.map((m) => ({ Id: `${m.phase}-${m.part}`, MessageBody: partMessageBody(m) }));
  for (let round = 0; ; round++) {
    const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: pending }));
    const failed = out.Failed ?? [];
    if (failed.length === 0) return;
    const permanent = failed.find((f) => f.SenderFault);
    if (permanent || round + 1 >= RESEND_ROUNDS) {
      const first = permanent ?? failed[0];
      throw new Error(`the parts queue refused ${failed.length} message(s), e.g. ${first?.Id}: ${first?.Code} ${first?.Message ?? ''}`.trim());
    }
    const retry = new Set(failed.map((f) => f.Id));
    pending = pending.filter((e) => retry.has(e.Id));
  }
}
