/**
 * A file processed in parts as every step sees it: from its ledger item alone, the object
 * version, the attempt the steps act for (the plan: its id is the planning attempt's), and the
 * part messages of a phase. Also the sending of a phase's messages, which is what lets a phase
 * whose sender died be resent: the ledger enters the phase first, then the messages go out, then
 * `sent_phase` records that they all did.
 */
import type { PartMessage, PartPhase, ObjectRef } from '../../event.ts';
import type { LedgerItem } from '../../ledger-item.ts';
import { attemptFor, type Attempt } from '../claim.ts';
import type { ProcessorPorts } from '../ports.ts';

/** The object version of a ledger item. */
export function refOfItem(item: LedgerItem): ObjectRef {
  return {
    bucket: item.bucket,
    key: item.key,
    versionId: item.version_id,
    etag: item.etag,
    size: item.size,
    eventTime: item.event_time ?? item.started_at,
  };
}

/**
 * The plan's id (plan_id; an item planned before plan_id existed has it only as attempt_id: the
 * attempt that planned a file holds the claim until the file concludes).
 */
export function planIdOf(item: LedgerItem): string {
  const planId = item.plan_id ?? item.attempt_id;
  if (!planId) throw new Error(`ledger item ${item.pk} has no plan id`);
  return planId;
}

/**
 * The attempt every step of the file acts for: the plan's id, the first attempt's ingestion id,
 * start and destination keys, and `now` for the contract fixed by the plan (every part and both
 * of its reads judge order dates alike).
 */
export function attemptOf(item: LedgerItem, contract: ProcessorPorts['contract'], now: Date): Attempt {
  return attemptFor(refOfItem(item), item, planIdOf(item), new Date(item.started_at), now, contract);
}

/** Whether a part is in a ledger number set (absent: none is). */
export const hasPart = (set: ReadonlySet<number> | undefined, part: number): boolean => set?.has(part) ?? false;

/** Whether every one of the file's parts is in the set. */
export const allParts = (set: ReadonlySet<number> | undefined, parts: number): boolean => (set?.size ?? 0) >= parts;

/** The messages of one phase: one per part. */
export function partMessages(item: LedgerItem, phase: PartPhase): PartMessage[] {
  const parts = item.parts ?? 1;
  return Array.from({ length: parts }, (_, part) => ({
    phase,
    bucket: item.bucket,
    key: item.key,
    versionId: item.version_id,
    etag: item.etag,
    size: item.size,
    ingestionId: item.ingestion_id,
    planId: planIdOf(item),
    part,
    parts,
  }));
}

const PHASE_OF_MESSAGES = { SCAN: 'scan', WRITE: 'write' } as const;

/** Sends the messages of the phase the item has just entered, then records that they are all out. */
export async function sendPhase(item: LedgerItem, phase: 'SCAN' | 'WRITE', ports: ProcessorPorts): Promise<void> {
  await ports.parts.queue.send(partMessages(item, PHASE_OF_MESSAGES[phase]));
  await ports.ledger.updatePhase(item.pk, planIdOf(item), { phase }, { sent_phase: phase });
  ports.log.info(`Sent the ${PHASE_OF_MESSAGES[phase]} messages of ${item.parts} parts`, { phase, parts: item.parts });
}

/** Whether the item's phase has messages its sender has not recorded sent. */
export const isUnsent = (item: LedgerItem): boolean => (item.phase === 'SCAN' || item.phase === 'WRITE') && item.sent_phase !== item.phase;

/**
 * Resends the messages of a phase whose sender died before it recorded them sent (its lease has
 * expired). Whoever finds it so takes it over (conditional: one does); duplicates of messages
 * already delivered are harmless, each part being counted once. Returns whether it resent.
 */
export async function resendIfStalled(item: LedgerItem, ports: ProcessorPorts): Promise<boolean> {
  const phase = item.phase;
  if (!isUnsent(item) || (phase !== 'SCAN' && phase !== 'WRITE')) return false;
  const now = ports.now();
  if ((item.lease_expires_at ?? 0) >= now.getTime()) return false;
  const taken = await ports.ledger.updatePhase(
    item.pk,
    planIdOf(item),
    { phase, leaseExpiredAt: now, unsent: true },
    { lease_expires_at: now.getTime() + ports.leaseMs },
  );
  if (!taken) return false;
  ports.log.warn('The part messages of this phase were not all sent (their sender stopped); resending them', { phase });
  await sendPhase(item, phase, ports);
  return true;
}
