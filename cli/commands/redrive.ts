/** `order-pipeline redrive [--max N] [--queue ingest|parts]`: move DLQ messages back to the queues they came from. */
import { parseArgs } from 'node:util';
import { queueArn } from '../../deployment/connect.ts';
import { deadLetterName, processorQueues, queueName, type ProcessorQueue, type QueueRole } from '../../deployment/processor-queues.ts';
import { moveMessages, queueDepth, startMoveTask } from '../../deployment/queues.ts';
import type { Clients } from '../../tooling/aws-clients.ts';
import { connectTarget, TARGET_HELP, TARGET_OPTIONS } from '../target.ts';
import { EXIT, UsageError } from '../exit.ts';
import { dim, err, out } from '../render/terminal.ts';
import { escapeControls } from '../render/inert.ts';

export const summary = 'move messages from the dead-letter queues back to the ingest and parts queues';

const HELP = `usage: order-pipeline redrive [--max N] [--queue ingest|parts] [target options]

Moves each DLQ's messages back to the queue they came from, so the processor tries them again:
the ingest DLQ's (files) to the ingest queue, the parts DLQ's (parts of large files) to the parts
queue. On AWS this is SQS's own message move task (StartMessageMoveTask); locally, and with --max,
the CLI receives, sends and then deletes (a message leaves a DLQ only once it is safely back in
its queue). Fix the cause first (see docs/operations.md), or they return to the DLQ after 3 more
deliveries. A part of a file that is already FAILED is dropped when it comes back: replay or
re-upload such a file instead (docs/operations.md, "A file stuck in parts").
  --max N            move at most N messages from each DLQ
  --queue ROLE       only the DLQ of this queue: ingest or parts (default: both)
${TARGET_HELP}

A deployment made before large files were split into parts has no parts queue: only the ingest
DLQ is redriven, and redrive says so.`;

function parseRole(raw: string | undefined): QueueRole | undefined {
  if (raw === undefined || raw === 'ingest' || raw === 'parts') return raw;
  throw new UsageError(`--queue must be "ingest" or "parts", not "${raw}"`);
}

interface Redriven {
  /** False when some message could not be moved, or the move task failed. */
  ok: boolean;
  moved: number;
}

/** One DLQ back to its queue. */
async function redriveOne(clients: Clients, kind: 'local' | 'aws', queue: ProcessorQueue, max: number | undefined): Promise<Redriven> {
  const dlq = deadLetterName(queue.role);
  const back = queueName(queue.role);
  const before = await queueDepth(clients.sqs, queue.deadLetterUrl);
  if (before.visible === 0) {
    out(`the ${dlq} is empty${before.inFlight > 0 ? ` (${before.inFlight} in flight: someone is reading it; try again in a minute)` : ''}; nothing to redrive`);
    return { ok: true, moved: 0 };
  }
  if (kind === 'aws' && max === undefined) {
    // On AWS, SQS's own redrive: server-side, and the DLQ's messages keep their attributes.
    err(`redriving ${before.visible} message(s) from the ${dlq} with an SQS message move task (StartMessageMoveTask)`);
    const task = await startMoveTask(clients.sqs, await queueArn(clients.sqs, queue.deadLetterUrl), await queueArn(clients.sqs, queue.url));
    out(`move task ${task.taskHandle}: ${task.status}, ${task.moved} message(s) moved from the ${dlq} to the ${back}`);
    if (task.status === 'FAILED') {
      out(`the move task failed: ${escapeControls(task.failureReason ?? 'no reason given')}`);
      return { ok: false, moved: task.moved };
    }
    if (task.status === 'RUNNING') out('still running');
    // Counted as moved: the task has them (it may still be running).
    return { ok: true, moved: before.visible };
  }
  err(`redriving up to ${max ?? before.visible} of ${before.visible} message(s) from ${queue.deadLetterUrl}`);
  const result = await moveMessages(clients.sqs, queue.deadLetterUrl, queue.url, max !== undefined ? { max } : {});
  const after = await queueDepth(clients.sqs, queue.deadLetterUrl);
  out(`moved ${result.moved} message(s) from the ${dlq} to the ${back}; ${after.visible} left in the ${dlq}`);
  if (result.failed > 0) out(`${result.failed} message(s) could not be sent and stay in the ${dlq}`);
  return { ok: result.failed === 0, moved: result.moved };
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...TARGET_OPTIONS,
      max: { type: 'string' },
      queue: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    out(HELP);
    return EXIT.ok;
  }
  const max = values.max === undefined ? undefined : Number(values.max);
  if (max !== undefined && (!Number.isInteger(max) || max < 1)) throw new UsageError(`--max must be a positive integer, not "${values.max}"`);
  const role = parseRole(values.queue);
  const { target, clients } = await connectTarget(values);
  const all = processorQueues(target.outputs);
  const results: Redriven[] = [];
  for (const queue of all.filter((q) => role === undefined || q.role === role)) results.push(await redriveOne(clients, target.kind, queue, max));
  if (results.some((r) => r.moved > 0)) out('follow them with `order-pipeline status`');
  return results.every((r) => r.ok) ? EXIT.ok : EXIT.failure;
}
