/**
 * One part message (the parts queue, batch size 1): the ledger protocol of a file in parts
 * (docs/architecture.md, "Large files in parts").
 *
 * - A message of a file that is final is dropped (after finishing a conclusion's clean-up), one of
 *   a superseded plan too; a file still being planned is busy (retried).
 * - SCAN k, WRITE k: the work, then the part joins the phase's number set, once. The invocation
 *   that finds the set complete claims the next step (DECIDE, CONCLUDE) with a conditional
 *   phase change and runs it inline, holding a lease; if it dies, its own message comes back and
 *   takes the step over once the lease has expired. Every step is idempotent: a redelivered
 *   message redoes nothing that was counted, and redoes the rest identically.
 * - A message that fails on its last receive fails the file (fail-file.ts), then fails too (DLQ).
 */
import type { PartMessage } from '../../event.ts';
import { fileLedgerKey, isFinalStatus, type LedgerItem, type FilePhase } from '../../ledger-item.ts';
import { deadlineGuard } from '../deadline.ts';
import { describeError, FileBusyError, LedgerConflictError } from '../errors.ts';
import type { FileResult } from '../outcome.ts';
import type { LastReceive, ProcessorPorts } from '../ports.ts';
import { concludeParts, concludeUnwritten, removeStaging } from './conclude-parts.ts';
import { decideParts } from './decide-parts.ts';
import { failFileForPart } from './fail-file.ts';
import { allParts, attemptOf, hasPart, isUnsent, planIdOf, refOfItem, resendIfStalled, sendPhase } from './file-in-parts.ts';
import { scanPart } from './scan-part.ts';
import { readStaged, stagingKeys, type StoredDecision, type StoredPlan } from './staging.ts';
import { writePart } from './write-part.ts';

/** What a part message led to. */
export type PartStep = 'scanned' | 'decided' | 'written' | 'concluded' | 'dropped' | 'waiting';

export async function handlePart(message: PartMessage, receiveCount: number, ports: ProcessorPorts, handling: LastReceive = {}): Promise<PartStep> {
  const lastReceive = receiveCount >= ports.parts.maxReceives;
  const failFile = async (error: unknown): Promise<void> => {
    try {
      await failFileForPart(message, receiveCount, error, ports);
    } catch (failure) {
      ports.log.error('Could not record that the file failed; its part goes to the DLQ', { error: describeError(failure) });
    }
  };
  // At the deadline a part still writing stops before its next row (its writes in flight land and
  // are noted: write-part.ts), so the rows it wrote are counted instead of running on uncounted.
  const stop = new AbortController();
  const onDeadline = async (error: Error): Promise<void> => {
    stop.abort(error);
    await failFile(error);
  };
  const guard = lastReceive && handling.deadlineMs !== undefined ? deadlineGuard(handling.deadlineMs, 'the part', onDeadline) : undefined;
  try {
    return await runPart(message, ports, stop.signal);
  } catch (error) {
    if (lastReceive && !guard?.fired) await failFile(error);
    throw error;
  } finally {
    await guard?.stop();
  }
}

async function runPart(message: PartMessage, ports: ProcessorPorts, signal: AbortSignal): Promise<PartStep> {
  const item = await ports.ledger.get(fileLedgerKey(message));
  if (!item) {
    ports.log.warn('The file of this part has no ledger item: message dropped');
    return 'dropped';
  }
  if (isFinalStatus(item.status)) return afterFinal(item, ports);
  if (planIdOf(item) !== message.planId) {
    ports.log.info('Message of a superseded plan: dropped', { plan_id: message.planId, current_plan_id: planIdOf(item) });
    return 'dropped';
  }
  if (!item.phase || item.phase === 'PLAN') throw new FileBusyError(`s3://${item.bucket}/${item.key} is still being planned; will retry`);
  const sentWriteMessages = item.phase === 'WRITE' && message.phase === 'scan' && item.lead_part === message.part;
  if (!(await resendIfStalled(item, ports)) && isUnsent(item) && sentWriteMessages) {
    // The decider's message, back before its lease expired while the write messages may not all
    // be out: acknowledging it would leave nobody to resend them.
    throw new FileBusyError(`the ${item.phase} messages of s3://${item.bucket}/${item.key} are being sent until ${new Date(item.lease_expires_at ?? 0).toISOString()}; will retry`);
  }
  return message.phase === 'scan' ? scanStep(item, message.part, ports) : writeStep(item, message.part, ports, signal);
}

/** A message for a file already final: finish what a conclusion may have left (original in raw-data/, staging). */
async function afterFinal(item: LedgerItem, ports: ProcessorPorts): Promise<PartStep> {
  ports.log.info('File already handled: part message dropped', { status: item.status });
  if (item.archive_key || item.failed_key) await ports.objects.removeFromLanding(refOfItem(item));
  await removeStaging({ ref: refOfItem(item), ingestionId: item.ingestion_id }, ports);
  return 'dropped';
}

async function scanStep(item: LedgerItem, part: number, ports: ProcessorPorts): Promise<PartStep> {
  if (item.phase === 'DECIDE') return (await takeOver(item, 'DECIDE', part, ports)) ? runDecide(item, ports) : waitOrDrop(item, part);
  if (item.phase !== 'SCAN') return 'dropped';
  let now = item;
  if (!hasPart(item.parts_scanned, part)) {
    const stored = await loadPlan(item, ports);
    await scanPart(attemptOf(item, ports.contract, new Date(stored.now)), stored, part, ports);
    const mark = await ports.ledger.markPart(item.pk, planIdOf(item), 'SCAN', part);
    if (!mark.item) return 'dropped';
    now = mark.item;
    ports.log.info(mark.marked ? 'Part scanned' : 'Part scanned again (it was counted already)', { scanned: now.parts_scanned?.size });
  }
  if (now.phase === 'SCAN' && allParts(now.parts_scanned, now.parts ?? 1) && (await claimNext(now, 'SCAN', 'DECIDE', part, ports))) {
    return runDecide(now, ports);
  }
  return 'scanned';
}

async function writeStep(item: LedgerItem, part: number, ports: ProcessorPorts, signal: AbortSignal): Promise<PartStep> {
  if (item.phase === 'SCAN' || item.phase === 'DECIDE') throw new FileBusyError(`s3://${item.bucket}/${item.key} is not decided yet; will retry`);
  if (item.phase === 'CONCLUDE') return (await takeOver(item, 'CONCLUDE', part, ports)) ? runConclude(item, ports) : waitOrDrop(item, part);
  let now = item;
  if (!hasPart(item.parts_written, part)) {
    const stored = await loadPlan(item, ports);
    const decision = await readStaged<StoredDecision>(ports.objects, item.bucket, stagingKeys(item.ingestion_id).decision);
    const written = await writePart(attemptOf(item, ports.contract, new Date(stored.now)), stored, decision, part, ports, signal);
    const mark = await ports.ledger.markPart(item.pk, planIdOf(item), 'WRITE', part, written.written);
    if (!mark.item) return 'dropped';
    now = mark.item;
    ports.log.info(mark.marked ? 'Part written' : 'Part written again (it was counted already)', { parts_done: now.parts_done, written: written.written });
  }
  if (now.phase === 'WRITE' && allParts(now.parts_written, now.parts ?? 1) && (await claimNext(now, 'WRITE', 'CONCLUDE', part, ports))) {
    return runConclude(now, ports);
  }
  return 'written';
}

/** DECIDE: the verdict; a file to write enters WRITE and gets its write messages, any other concludes now. */
async function runDecide(item: LedgerItem, ports: ProcessorPorts): Promise<PartStep> {
  const stored = await loadPlan(item, ports);
  const attempt = attemptOf(item, ports.contract, new Date(stored.now));
  const decided = await decideParts(attempt, stored, ports);
  if (decided.kind === 'conclude') {
    await concludeUnwritten(attempt, decided.verdict, decided.tally, ports);
    return 'concluded';
  }
  const { totals } = decided.decision;
  const entered = await ports.ledger.updatePhase(item.pk, attempt.attemptId, { phase: 'DECIDE' }, {
    phase: 'WRITE',
    lease_expires_at: ports.now().getTime() + ports.leaseMs,
    planned: totals,
    parts_loaded: {},
  });
  if (!entered) throw new LedgerConflictError(`ledger item ${item.pk} left DECIDE while it was being decided`);
  ports.log.info('File decided: writing its parts', { status: decided.decision.verdict.status, ...totals });
  await sendPhase(item, 'WRITE', ports);
  return 'decided';
}

async function runConclude(item: LedgerItem, ports: ProcessorPorts): Promise<PartStep> {
  await concludeParts(attemptOf(item, ports.contract, ports.now()), item.parts ?? 1, ports);
  return 'concluded';
}

/** Claims the step after a complete phase (one invocation does), with a lease. */
function claimNext(item: LedgerItem, from: FilePhase, to: FilePhase, part: number, ports: ProcessorPorts): Promise<boolean> {
  const lease = ports.now().getTime() + ports.leaseMs;
  return ports.ledger.updatePhase(item.pk, planIdOf(item), { phase: from }, { phase: to, lease_expires_at: lease, lead_part: part });
}

/** Takes over DECIDE or CONCLUDE from an invocation that stopped (its lease has expired). */
async function takeOver(item: LedgerItem, phase: 'DECIDE' | 'CONCLUDE', part: number, ports: ProcessorPorts): Promise<boolean> {
  const now = ports.now();
  if ((item.lease_expires_at ?? 0) >= now.getTime()) return false;
  const taken = await ports.ledger.updatePhase(item.pk, planIdOf(item), { phase, leaseExpiredAt: now }, { lease_expires_at: now.getTime() + ports.leaseMs, lead_part: part });
  if (taken) ports.log.warn(`Taking over ${phase} from an invocation that stopped`, { lead_part: item.lead_part });
  return taken;
}

/**
 * DECIDE or CONCLUDE is held by a live invocation. The message of the part that holds it (back
 * after that invocation failed) waits for the lease; any other is done.
 */
function waitOrDrop(item: LedgerItem, part: number): PartStep {
  if (item.lead_part === part) {
    throw new FileBusyError(`${item.phase} of s3://${item.bucket}/${item.key} is held until ${new Date(item.lease_expires_at ?? 0).toISOString()}; will retry`);
  }
  return 'waiting';
}

async function loadPlan(item: LedgerItem, ports: ProcessorPorts): Promise<StoredPlan> {
  const stored = await readStaged<StoredPlan>(ports.objects, item.bucket, stagingKeys(item.ingestion_id).plan);
  if (stored.planId !== planIdOf(item)) throw new Error(`the staged plan ${stored.planId} is not the ledger's plan ${planIdOf(item)}`);
  return stored;
}

/**
 * A redelivered ingest message of a file its parts carry on: resend a phase left unsent, else
 * nothing. Its scan messages unsent while the planner's lease lasts: retried (it is the planner's
 * own message back early; acknowledging it would leave nobody to resend them).
 */
export async function resumeFromIngest(item: LedgerItem, ports: ProcessorPorts): Promise<FileResult> {
  if (await resendIfStalled(item, ports)) {
    return { kind: 'skipped', reason: `in parts (${item.phase}): its part messages were resent` };
  }
  if (item.phase === 'SCAN' && isUnsent(item)) {
    throw new FileBusyError(`the scan messages of s3://${item.bucket}/${item.key} are being sent until ${new Date(item.lease_expires_at ?? 0).toISOString()}; will retry`);
  }
  ports.log.info('File is being processed in parts: redelivered ingest message ignored', { phase: item.phase, parts: item.parts });
  return { kind: 'skipped', reason: `in parts (${item.phase})` };
}
