/**
 * Step 1, claim: take the file in the ledger before any work, so repeated or concurrent
 * deliveries of the same object version do not process it twice, and open the attempt.
 */
import type { ContractContext } from '../contract/types.ts';
import type { ObjectRef } from '../event.ts';
import { fileLedgerKey, type LedgerItem } from '../ledger-item.ts';
import { destinationKeys, s3Uri, type DestinationKeys } from '../naming.ts';
import { FileBusyError } from './errors.ts';
import type { ProcessorPorts } from './ports.ts';

/** One attempt at one file, from its claim to its outcome. */
export interface Attempt {
  ref: ObjectRef;
  /** The file's ledger key. */
  pk: string;
  /** Proves this attempt still holds the claim when it records the outcome. */
  attemptId: string;
  ingestionId: string;
  /** When this attempt started (its duration is measured from here). */
  startedAt: Date;
  /** Where the outputs go: from the first attempt's day and ingestion id, so a retry rewrites the same objects. */
  keys: DestinationKeys;
  /** What the contract needs; `processedAt` is the first attempt's start, so a retry writes identical items. */
  contract: ContractContext;
}

export type Claimed =
  | { kind: 'attempt'; attempt: Attempt }
  | { kind: 'skipped'; reason: string }
  /** Processed in parts, planned already: its parts carry it on. */
  | { kind: 'in-parts'; item: LedgerItem };

type ClaimPorts = Pick<ProcessorPorts, 'ledger' | 'objects' | 'log' | 'now' | 'leaseMs' | 'contract'>;

/**
 * Claims the file. A file that already has a final outcome is skipped (after removing an original
 * an earlier attempt routed but could not remove); a file in parts past planning is its parts'
 * (in-parts); a live claim by another attempt throws FileBusyError, so the record is retried later.
 */
export async function claim(ref: ObjectRef, ports: ClaimPorts): Promise<Claimed> {
  const startedAt = ports.now();
  const result = await ports.ledger.claimFile(ref, { now: startedAt, leaseMs: ports.leaseMs });
  if (result.kind === 'final') {
    ports.log.appendKeys({ ingestion_id: result.item.ingestion_id });
    ports.log.info('File already handled: redelivery ignored', { status: result.item.status, finished_at: result.item.finished_at });
    // Only when a copy was routed: a file left in raw-data/ on purpose (gone, or a file in parts
    // whose part failed for good: kept for a new upload) must stay.
    if (result.item.archive_key || result.item.failed_key) await ports.objects.removeFromLanding(ref);
    return { kind: 'skipped', reason: `already ${result.item.status}` };
  }
  if (result.kind === 'in-parts') {
    ports.log.appendKeys({ ingestion_id: result.item.ingestion_id });
    return { kind: 'in-parts', item: result.item };
  }
  if (result.kind === 'busy') {
    const until = new Date(result.item.lease_expires_at ?? 0).toISOString();
    throw new FileBusyError(
      `${s3Uri(ref.bucket, ref.key)} is being processed by another attempt (ingestion ${result.item.ingestion_id}, lease until ${until}); will retry`,
    );
  }
  const { item, attemptId } = result;
  ports.log.appendKeys({ ingestion_id: item.ingestion_id });
  ports.log.info('Processing file', { size: ref.size, attempt: item.attempts });
  return { kind: 'attempt', attempt: attemptFor(ref, item, attemptId, startedAt, startedAt, ports.contract) };
}

/**
 * The one way an attempt is made, from the file's ledger item: the first attempt's ingestion id,
 * and destination keys and `processedAt` from its start, so a retry (or a part of a file in
 * parts) rewrites the same objects and identical items. `now` is what the contract judges order
 * dates against (for a file in parts: the plan's, so that every part judges alike).
 */
export function attemptFor(ref: ObjectRef, item: LedgerItem, attemptId: string, startedAt: Date, now: Date, contract: ProcessorPorts['contract']): Attempt {
  return {
    ref,
    pk: fileLedgerKey(ref),
    attemptId,
    ingestionId: item.ingestion_id,
    startedAt,
    keys: destinationKeys(ref.key, item.ingestion_id, new Date(item.started_at)),
    contract: { ...contract, sourceKey: ref.key, ingestionId: item.ingestion_id, processedAt: item.started_at, now },
  };
}
