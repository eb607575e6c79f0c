/**
 * `order-pipeline pause` / `resume`: stop or restart delivery of queued files and parts to the
 * processor, for maintenance (deployment/delivery.ts does it, on AWS or locally).
 */
import { parseArgs } from 'node:util';
import { setDelivery, type DeliveryChange } from '../../deployment/delivery.ts';
import { processorQueues, queueName } from '../../deployment/processor-queues.ts';
import { queueDepth } from '../../deployment/queues.ts';
import type { Command } from '../main.ts';
import { EXIT } from '../exit.ts';
import { out } from '../render/terminal.ts';
import { connectTarget, TARGET_HELP, TARGET_OPTIONS } from '../target.ts';

type Verb = 'pause' | 'resume';

const HELP: Record<Verb, string> = {
  pause: `usage: order-pipeline pause [target options]

Stops delivering queued work to the processor, for maintenance: on AWS the processor's SQS
event-source mappings — the ingest queue's and the parts queue's (large files in parts) — are
disabled (UpdateEventSourceMapping Enabled=false); locally the poller stops receiving from both.
Uploads keep landing and queuing in the ingest queue, and the parts of a large file already
planned wait in the parts queue — nothing is lost while paused, as long as the pause is shorter
than the queues' retention — and \`order-pipeline resume\` drains them. (A deployment made before
large files were split into parts has the ingest queue's mapping only.)
${TARGET_HELP}`,
  resume: `usage: order-pipeline resume [target options]

Restarts delivery after \`pause\`, from the ingest queue and the parts queue alike: on AWS the
event-source mappings are enabled again; locally the poller receives again. What queued meanwhile
is processed in arrival order, batch by batch.
${TARGET_HELP}`,
};

/** "event-source mappings u1 (ingest queue) and u2 (parts queue)". */
function describeMappings(change: DeliveryChange, withArns: boolean): string {
  const each = change.mappings.map(({ feed }) => `${feed.mapping.uuid} (${withArns ? feed.arn : queueName(feed.role)})`);
  return `event-source mapping${each.length === 1 ? '' : 's'} ${each.join(' and ')}`;
}

async function run(verb: Verb, argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { ...TARGET_OPTIONS, help: { type: 'boolean', short: 'h', default: false } } });
  if (values.help) {
    out(HELP[verb]);
    return EXIT.ok;
  }
  const enabled = verb === 'resume';
  const connection = await connectTarget(values);
  const { target, clients } = connection;
  const queues = processorQueues(target.outputs);
  const depths = await Promise.all(queues.map(async (q) => ({ role: q.role, depth: await queueDepth(clients.sqs, q.url) })));
  const waiting = depths.map(({ role, depth }) => `${queueName(role)}: ${depth.visible} message(s) waiting, ${depth.inFlight} in flight`).join('; ');
  const change = await setDelivery(connection, enabled, `order-pipeline ${verb}`);

  if (target.kind === 'local') {
    const mappings = describeMappings(change, false);
    out(
      (enabled
        ? `resumed (was ${change.was}): the local poller, standing in for ${mappings}, delivers again; ${waiting}.`
        : `paused (was ${change.was}): the local poller, standing in for ${mappings}, stops receiving within 2 seconds (once the long polls in progress return). ` +
          `New files keep queuing in the ingest queue, planned parts in the parts queue; \`order-pipeline resume\` drains them. ${waiting}.`),
    );
    if (!change.pollerRunning) out('note: no local poller is running right now; the state applies when `local up` runs it.');
    return EXIT.ok;
  }
  const mappings = `${describeMappings(change, true)} → ${target.outputs.processor_function_name}`;
  out(
    (enabled
      ? `resumed (was ${change.was}): ${mappings} ${change.mappings.length === 1 ? 'is' : 'are'} ${change.now}; Lambda drains the queues — ${waiting}.`
      : `paused (was ${change.was}): ${mappings} ${change.mappings.length === 1 ? 'is' : 'are'} ${change.now}. ` +
        `Batches already running finish; new files keep queuing in the ingest queue and planned parts in the parts queue (retention applies) until \`order-pipeline resume\`. ${waiting}.`),
  );
  return EXIT.ok;
}

export const pause: Command = {
  summary: 'stop delivery to the processor from the ingest and parts queues (work keeps queuing); undo with resume',
  run: (argv) => run('pause', argv),
};

export const resume: Command = {
  summary: 'restart delivery to the processor after pause; queued files and parts drain',
  run: (argv) => run('resume', argv),
};
