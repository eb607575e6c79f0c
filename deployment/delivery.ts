/**
 * Whether queued work is delivered to the processor, and switching it (`pause` / `resume`): on AWS
 * the processor's SQS event-source mappings themselves — the ingest queue's and the parts
 * queue's, together —; locally the poller that plays them, through .local/delivery.json
 * (local-home.ts says why moto's own copies of the mappings stay disabled).
 */
import { localPaths, readDeliveryState, readPids, writeDeliveryState, type DeliveryState } from './local-home.ts';
import { isAlive } from '../tooling/emulator.ts';
import type { Connection } from './connect.ts';
import { setMappingEnabled } from './event-source-mapping.ts';
import { queueFeeds, type QueueFeed } from './processor-queues.ts';

/** One mapping's state before and after a change. */
export interface MappingChange {
  feed: QueueFeed;
  /** `enabled` / `paused` locally, the mapping's state on AWS (Enabled, Disabling, …). */
  was: string;
  now: string;
}

export interface DeliveryChange {
  /** Before the change, over every mapping: `enabled` / `paused` locally, the mappings' state(s) on AWS. */
  was: string;
  now: string;
  mappings: MappingChange[];
  /** Local only: whether a poller process is running to act on the new state. */
  pollerRunning?: boolean;
}

const word = (enabled: boolean) => (enabled ? 'enabled' : 'paused');

/** "Enabled", or "Enabled/Disabled" when the mappings differ. */
const joinStates = (states: string[]) => [...new Set(states)].join('/');

/** The local delivery state standing for these mappings. */
export function deliveryRecord(feeds: readonly QueueFeed[], enabled: boolean, reason: string, now = new Date()): DeliveryState {
  return {
    enabled,
    mappings: feeds.map((f) => ({ queue: f.role, uuid: f.mapping.uuid, batch_size: f.mapping.batchSize })),
    changed_at: now.toISOString(),
    reason,
  };
}

/** Enables or disables delivery from every queue feeding the processor. */
export async function setDelivery(connection: Connection, enabled: boolean, reason: string): Promise<DeliveryChange> {
  const { target, clients } = connection;
  const feeds = await queueFeeds(clients, target.outputs);
  if (target.kind === 'local') {
    const paths = localPaths();
    const was = word(readDeliveryState(paths.delivery)?.enabled ?? true);
    writeDeliveryState(paths.delivery, deliveryRecord(feeds, enabled, reason));
    const pids = readPids(paths.pids);
    return {
      was,
      now: word(enabled),
      mappings: feeds.map((feed) => ({ feed, was, now: word(enabled) })),
      pollerRunning: Boolean(pids?.poller && isAlive(pids.poller)),
    };
  }
  const mappings: MappingChange[] = [];
  for (const feed of feeds) {
    const updated = await setMappingEnabled(clients.lambda, feed.mapping.uuid, enabled);
    mappings.push({ feed, was: feed.mapping.state, now: updated.state });
  }
  return { was: joinStates(mappings.map((m) => m.was)), now: joinStates(mappings.map((m) => m.now)), mappings };
}

/** Local: the poller's state (.local/delivery.json); AWS: the event-source mappings' (enabled only when all are). */
export async function deliveryState(connection: Connection): Promise<{ enabled: boolean; detail: string }> {
  if (connection.target.kind === 'local') {
    const file = localPaths().delivery;
    const enabled = readDeliveryState(file)?.enabled ?? true;
    return { enabled, detail: `local poller ${enabled ? 'delivers' : 'holds'} messages (${file})` };
  }
  const feeds = await queueFeeds(connection.clients, connection.target.outputs);
  return {
    enabled: feeds.every((f) => f.mapping.enabled),
    detail: feeds.map((f) => `event-source mapping ${f.mapping.uuid} (${f.role} queue) is ${f.mapping.state}`).join('; '),
  };
}
