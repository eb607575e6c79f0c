/**
 * What the steps need from the outside world, as small interfaces. The adapters (adapters/)
 * implement them over the AWS SDK and runtime.ts wires them; unit tests pass plain objects.
 */
import type { ContractContext, ContractEvent } from '../contract/types.ts';
import type { ObjectRef } from '../event.ts';
import type { FinalStatus, LedgerItem } from '../ledger-item.ts';
import type { Log, MetricsSink } from '../observability.ts';
import type { Alert } from '../reports/alerts.ts';

/** The contract reader (contract/reader.ts): bytes in, one event per record out, in file order. */
export type ReadOrders = (input: AsyncIterable<Uint8Array>, ctx: ContractContext) => AsyncGenerator<ContractEvent>;

/** The bytes of one object version, read once; destroy() lets go of the connection early. */
export interface ObjectBody extends AsyncIterable<Uint8Array> {
  destroy(): void;
}

/** Streamed text written to one object: back-pressure honoured; nothing exists until finish(). */
export interface TextSink {
  write(text: string): Promise<void>;
  finish(): Promise<void>;
  /** Best effort, after a failure elsewhere: nothing of the object remains. */
  abort(): Promise<void>;
}

export interface ObjectStore {
  /** The key as it exists in the bucket (an event may carry it URL-encoded). */
  resolveKey(ref: ObjectRef): Promise<ObjectRef>;
  /** The bytes of the version the event named; null when that version no longer exists. */
  open(ref: ObjectRef): Promise<ObjectBody | null>;
  /** Copies that version of the original to `key` in the same bucket. */
  copy(ref: ObjectRef, key: string): Promise<void>;
  /** Removes the original from raw-data/ while the key still holds that version; false if nothing was removed. */
  removeFromLanding(ref: ObjectRef): Promise<boolean>;
  upload(bucket: string, key: string): TextSink;
}

/** Where valid orders go; `written` counts what the store confirmed. */
export interface OrderSink {
  put(item: Record<string, unknown>): Promise<void>;
  /** Sends what is buffered and waits; throws if anything could not be written. */
  flush(): Promise<void>;
  readonly written: number;
}

export type ClaimResult =
  | { kind: 'claimed'; item: LedgerItem; attemptId: string }
  /** Already handled with a final status: a redelivery, nothing to do. */
  | { kind: 'final'; item: LedgerItem }
  /** Another attempt holds a live lease: fail the record so SQS retries later. */
  | { kind: 'busy'; item: LedgerItem };

export interface ClaimOptions {
  now: Date;
  /** How long the claim is ours; after that a stuck PROCESSING item may be taken over. */
  leaseMs: number;
  ingestionId?: string;
}

/** The file's content, as claimed in the ledger to detect the same bytes under another key. */
export interface ContentOwner {
  pk: string;
  ingestionId: string;
  bucket: string;
  key: string;
}

/** The ingestion ledger (adapters/ledger.ts). */
export interface LedgerPort {
  get(pk: string): Promise<LedgerItem | null>;
  claimFile(ref: ObjectRef, options: ClaimOptions): Promise<ClaimResult>;
  /** null when the content is ours (new, or our own earlier attempt), else the file pk that holds it. */
  claimContent(sha256: string, owner: ContentOwner, now: Date): Promise<string | null>;
  releaseContent(sha256: string, filePk: string): Promise<void>;
  /** Records the final outcome; only the attempt holding the claim may. */
  finish(pk: string, attemptId: string, outcome: Partial<LedgerItem> & { status: FinalStatus }): Promise<void>;
  /**
   * After a fault, before an outcome was recorded: lets a retry take over at once and gives back
   * the content this attempt claimed. Does nothing once the outcome is final. Best effort.
   */
  release(pk: string, attemptId: string, reason: string, content: string | null): Promise<void>;
}

export interface AlertPublisher {
  publish(alert: Alert): Promise<void>;
}

/** Everything processing one file uses. */
export interface ProcessorPorts {
  objects: ObjectStore;
  ledger: LedgerPort;
  /** A writer for one file's orders (batches, retries, back-pressure). */
  openOrderWriter(): OrderSink;
  alerts: AlertPublisher;
  readOrders: ReadOrders;
  log: Log;
  metrics: MetricsSink;
  now(): Date;
  /** How long a claim is held before another attempt may take over a stuck file. */
  leaseMs: number;
  /** Named in alert subjects. */
  stage?: string;
  /** Extra fields of the contract context (e.g. the file caps). */
  contract?: Partial<Omit<ContractContext, 'sourceKey' | 'ingestionId' | 'processedAt' | 'now'>>;
}
