/** `order-pipeline redrive [--max N]`: move DLQ messages back to the ingest queue. */
import { parseArgs } from 'node:util';
import { queueArn } from '../../deployment/connect.ts';
import { connectTarget, TARGET_HELP, TARGET_OPTIONS } from '../target.ts';
import { EXIT, UsageError } from '../exit.ts';
import { moveMessages, queueDepth, startMoveTask } from '../../deployment/queues.ts';
import { err, out } from '../render/terminal.ts';

export const summary = 'move messages from the dead-letter queue back to the ingest queue';

const HELP = `usage: order-pipeline redrive [--max N] [target options]

Moves the DLQ's messages back to the ingest queue so the processor tries them again. On AWS this
is SQS's own message move task (StartMessageMoveTask); locally, and with --max, the CLI receives,
sends and then deletes (a message leaves the DLQ only once it is safely in the ingest queue).
Fix the cause first (see docs/operations.md), or they return to the DLQ after 3 more deliveries.
  --max N   move at most N messages
${TARGET_HELP}`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { ...TARGET_OPTIONS, max: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help) {
    out(HELP);
    return EXIT.ok;
  }
  const max = values.max === undefined ? undefined : Number(values.max);
  if (max !== undefined && (!Number.isInteger(max) || max < 1)) throw new UsageError(`--max must be a positive integer, not "${values.max}"`);
  const { target, clients } = await connectTarget(values);
  const o = target.outputs;
  const before = await queueDepth(clients.sqs, o.dead_letter_queue_url);
  if (before.visible === 0) {
    out(`the DLQ is empty${before.inFlight > 0 ? ` (${before.inFlight} in flight: someone is reading it; try again in a minute)` : ''}; nothing to redrive`);
    return EXIT.ok;
  }
  if (target.kind === 'aws' && max === undefined) {
    // On AWS, SQS's own redrive: server-side, and the DLQ's messages keep their attributes.
    err(`redriving ${before.visible} message(s) with an SQS message move task (StartMessageMoveTask)`);
    const task = await startMoveTask(
      clients.sqs,
      await queueArn(clients.sqs, o.dead_letter_queue_url),
      await queueArn(clients.sqs, o.ingest_queue_url),
    );
    out(`move task ${task.taskHandle}: ${task.status}, ${task.moved} message(s) moved from the DLQ to the ingest queue`);
    if (task.status === 'FAILED') {
      out(`the move task failed: ${task.failureReason ?? 'no reason given'}`);
      return EXIT.failure;
    }
    if (task.status === 'RUNNING') out('still running; follow it with `order-pipeline status`');
    else out('follow them with `order-pipeline status`');
    return EXIT.ok;
  }
  err(`redriving up to ${max ?? before.visible} of ${before.visible} message(s) from ${o.dead_letter_queue_url}`);
  const result = await moveMessages(clients.sqs, o.dead_letter_queue_url, o.ingest_queue_url, {
    ...(max !== undefined ? { max } : {}),
  });
  const after = await queueDepth(clients.sqs, o.dead_letter_queue_url);
  out(`moved ${result.moved} message(s) from the DLQ to the ingest queue; ${after.visible} left in the DLQ`);
  if (result.failed > 0) {
    out(`${result.failed} message(s) could not be sent and stay in the DLQ`);
    return EXIT.failure;
  }
  out('follow them with `order-pipeline status`');
  return EXIT.ok;
}
