/**
 * Whether queued files are delivered to the processor, and switching it (`pause` / `resume`): on
 * AWS the processor's SQS event-source mapping itself; locally the poller that plays it, through
 * .local/delivery.json (local/home.ts says why moto's own copy of the mapping stays disabled).
 */
import { localPaths, readDeliveryState, readPids, writeDeliveryState } from '../local/home.ts';
import { isAlive } from '../tooling/emulator.ts';
import { queueArn, type Connection } from './connect.ts';
import { findMapping, setMappingEnabled, type MappingInfo } from './event-source-mapping.ts';

export interface DeliveryChange {
  /** Before the change: `enabled` / `paused` locally, the mapping's state on AWS. */
  was: string;
  /** After the change: the same vocabulary. */
  now: string;
  mapping: MappingInfo;
  queueArn: string;
  /** Local only: whether a poller process is running to act on the new state. */
  pollerRunning?: boolean;
}

async function ingestMapping({ target, clients }: Connection): Promise<{ mapping: MappingInfo; arn: string }> {
  const arn = await queueArn(clients.sqs, target.outputs.ingest_queue_url);
  return { mapping: await findMapping(clients.lambda, target.outputs.processor_function_name, arn), arn };
}

const word = (enabled: boolean) => (enabled ? 'enabled' : 'paused');

/** Enables or disables delivery from the ingest queue to the processor. */
export async function setDelivery(connection: Connection, enabled: boolean, reason: string): Promise<DeliveryChange> {
  const { mapping, arn } = await ingestMapping(connection);
  if (connection.target.kind === 'local') {
    const paths = localPaths();
    const before = readDeliveryState(paths.delivery);
    writeDeliveryState(paths.delivery, {
      enabled,
      mapping_uuid: mapping.uuid,
      batch_size: mapping.batchSize,
      changed_at: new Date().toISOString(),
      reason,
    });
    const pids = readPids(paths.pids);
    return {
      was: word(before?.enabled ?? true),
      now: word(enabled),
      mapping,
      queueArn: arn,
      pollerRunning: Boolean(pids?.poller && isAlive(pids.poller)),
    };
  }
  const updated = await setMappingEnabled(connection.clients.lambda, mapping.uuid, enabled);
  return { was: mapping.state, now: updated.state, mapping, queueArn: arn };
}

/** Local: the poller's state (.local/delivery.json); AWS: the event-source mapping's. */
export async function deliveryState(connection: Connection): Promise<{ enabled: boolean; detail: string }> {
  if (connection.target.kind === 'local') {
    const file = localPaths().delivery;
    const enabled = readDeliveryState(file)?.enabled ?? true;
    return { enabled, detail: `local poller ${enabled ? 'delivers' : 'holds'} messages (${file})` };
  }
  const { mapping } = await ingestMapping(connection);
  return { enabled: mapping.enabled, detail: `event-source mapping ${mapping.uuid} is ${mapping.state}` };
}
