/** `pause` / `resume`: stop or restart delivery of queued files to the processor. */
import { parseArgs } from 'node:util';
import { connect, queueArn, type Clients } from '../deployment/connect.ts';
import { readDeliveryState, writeDeliveryState } from '../local/delivery-state.ts';
import { EXIT } from './exit.ts';
import { readPids } from '../local/stack.ts';
import { findMapping, setMappingEnabled } from '../deployment/event-source-mapping.ts';
import { isAlive } from '../tooling/emulator.ts';
import { queueDepth } from '../deployment/queues.ts';
import { localPaths, TARGET_HELP, TARGET_OPTIONS } from '../deployment/target.ts';
import { out } from './render/terminal.ts';

export function deliveryHelp(verb: 'pause' | 'resume'): string {
  return verb === 'pause'
    ? `usage: order-pipeline pause [target options]

Stops delivering queued files to the processor, for maintenance: on AWS the processor's SQS
event-source mapping is disabled (UpdateEventSourceMapping Enabled=false); locally the poller stops
receiving. Uploads keep landing and queuing in the ingest queue — nothing is lost while paused,
as long as the pause is shorter than the queue's retention — and \`order-pipeline resume\` drains them.
${TARGET_HELP}`
    : `usage: order-pipeline resume [target options]

Restarts delivery after \`pause\`: on AWS the event-source mapping is enabled again; locally the
poller receives again. The files that queued meanwhile are processed in arrival order, batch by batch.
${TARGET_HELP}`;
}

export async function runDelivery(verb: 'pause' | 'resume', argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { ...TARGET_OPTIONS, help: { type: 'boolean', short: 'h', default: false } } });
  if (values.help) {
    out(deliveryHelp(verb));
    return EXIT.ok;
  }
  const enabled = verb === 'resume';
  const { target, clients } = await connect(values);
  const depth = await queueDepth(clients.sqs, target.outputs.ingest_queue_url);
  const waiting = `${depth.visible} file message(s) waiting, ${depth.inFlight} in flight`;

  if (target.kind === 'local') {
    const paths = localPaths();
    const before = readDeliveryState(paths.delivery);
    const arn = await queueArn(clients.sqs, target.outputs.ingest_queue_url);
    const mapping = await findMapping(clients.lambda, target.outputs.processor_function_name, arn);
    writeDeliveryState(paths.delivery, {
      enabled,
      mapping_uuid: mapping.uuid,
      batch_size: mapping.batchSize,
      changed_at: new Date().toISOString(),
      reason: `order-pipeline ${verb}`,
    });
    const pids = readPids(paths.pids);
    const pollerRunning = Boolean(pids?.poller && isAlive(pids.poller));
    const was = before ? (before.enabled ? 'enabled' : 'paused') : 'enabled';
    out(
      enabled
        ? `resumed (was ${was}): the local poller, standing in for event-source mapping ${mapping.uuid}, delivers from the ingest queue again; ${waiting}.`
        : `paused (was ${was}): the local poller, standing in for event-source mapping ${mapping.uuid}, stops receiving within 2 seconds (once the long poll in progress returns). ` +
            `New files keep queuing in the ingest queue; \`order-pipeline resume\` drains them. ${waiting}.`,
    );
    if (!pollerRunning) out('note: no local poller is running right now; the state applies when `local up` runs it.');
    return EXIT.ok;
  }

  const arn = await queueArn(clients.sqs, target.outputs.ingest_queue_url);
  const mapping = await findMapping(clients.lambda, target.outputs.processor_function_name, arn);
  const updated = await setMappingEnabled(clients.lambda, mapping.uuid, enabled);
  out(
    enabled
      ? `resumed (was ${mapping.state}): event-source mapping ${mapping.uuid} (${arn} → ${target.outputs.processor_function_name}) is ${updated.state}; Lambda drains the queue — ${waiting}.`
      : `paused (was ${mapping.state}): event-source mapping ${mapping.uuid} (${arn} → ${target.outputs.processor_function_name}) is ${updated.state}. ` +
          `Batches already running finish; new files keep queuing in the ingest queue (retention applies) until \`order-pipeline resume\`. ${waiting}.`,
  );
  return EXIT.ok;
}

/** Local: the poller's state (.local/delivery.json); AWS: the event-source mapping's. */
export async function deliveryState(
  kind: 'local' | 'aws',
  clients: Clients,
  functionName: string,
  ingestQueueUrl: string,
): Promise<{ enabled: boolean; detail: string }> {
  if (kind === 'local') {
    const state = readDeliveryState(localPaths().delivery);
    const enabled = state?.enabled ?? true;
    return { enabled, detail: `local poller ${enabled ? 'delivers' : 'holds'} messages (${localPaths().delivery})` };
  }
  const mapping = await findMapping(clients.lambda, functionName, await queueArn(clients.sqs, ingestQueueUrl));
  return { enabled: mapping.enabled, detail: `event-source mapping ${mapping.uuid} is ${mapping.state}` };
}
