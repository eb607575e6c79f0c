/**
 * `order-pipeline pause` / `resume`: stop or restart delivery of queued files to the processor,
 * for maintenance (deployment/delivery.ts does it, on AWS or locally).
 */
import { parseArgs } from 'node:util';
import { setDelivery } from '../../deployment/delivery.ts';
import { queueDepth } from '../../deployment/queues.ts';
import type { Command } from '../main.ts';
import { EXIT } from '../exit.ts';
import { out } from '../render/terminal.ts';
import { connectTarget, TARGET_HELP, TARGET_OPTIONS } from '../target.ts';

type Verb = 'pause' | 'resume';

const HELP: Record<Verb, string> = {
  pause: `usage: order-pipeline pause [target options]

Stops delivering queued files to the processor, for maintenance: on AWS the processor's SQS
event-source mapping is disabled (UpdateEventSourceMapping Enabled=false); locally the poller stops
receiving. Uploads keep landing and queuing in the ingest queue — nothing is lost while paused,
as long as the pause is shorter than the queue's retention — and \`order-pipeline resume\` drains them.
${TARGET_HELP}`,
  resume: `usage: order-pipeline resume [target options]

Restarts delivery after \`pause\`: on AWS the event-source mapping is enabled again; locally the
poller receives again. The files that queued meanwhile are processed in arrival order, batch by batch.
${TARGET_HELP}`,
};

async function run(verb: Verb, argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { ...TARGET_OPTIONS, help: { type: 'boolean', short: 'h', default: false } } });
  if (values.help) {
    out(HELP[verb]);
    return EXIT.ok;
  }
  const enabled = verb === 'resume';
  const connection = await connectTarget(values);
  const { target, clients } = connection;
  const depth = await queueDepth(clients.sqs, target.outputs.ingest_queue_url);
  const waiting = `${depth.visible} file message(s) waiting, ${depth.inFlight} in flight`;
  const change = await setDelivery(connection, enabled, `order-pipeline ${verb}`);
  const uuid = change.mapping.uuid;

  if (target.kind === 'local') {
    out(
      enabled
        ? `resumed (was ${change.was}): the local poller, standing in for event-source mapping ${uuid}, delivers from the ingest queue again; ${waiting}.`
        : `paused (was ${change.was}): the local poller, standing in for event-source mapping ${uuid}, stops receiving within 2 seconds (once the long poll in progress returns). ` +
            `New files keep queuing in the ingest queue; \`order-pipeline resume\` drains them. ${waiting}.`,
    );
    if (!change.pollerRunning) out('note: no local poller is running right now; the state applies when `local up` runs it.');
    return EXIT.ok;
  }
  const mapping = `event-source mapping ${uuid} (${change.queueArn} → ${target.outputs.processor_function_name})`;
  out(
    enabled
      ? `resumed (was ${change.was}): ${mapping} is ${change.now}; Lambda drains the queue — ${waiting}.`
      : `paused (was ${change.was}): ${mapping} is ${change.now}. ` +
          `Batches already running finish; new files keep queuing in the ingest queue (retention applies) until \`order-pipeline resume\`. ${waiting}.`,
  );
  return EXIT.ok;
}

export const pause: Command = {
  summary: 'stop delivery to the processor (files keep queuing); undo with resume',
  run: (argv) => run('pause', argv),
};

export const resume: Command = {
  summary: 'restart delivery to the processor after pause; queued files drain',
  run: (argv) => run('resume', argv),
};
