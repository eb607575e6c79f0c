/**
 * What the steps need from the outside world, as small interfaces. The adapters (adapters/)
 * implement them over the AWS SDK and runtime.ts wires them; unit tests pass plain objects.
 */
import type { ContractContext, ContractEvent } from '../contract/types.ts';
import type { ObjectRef, PartMessage } from '../event.ts';
import type { FinalStatus, LedgerItem, FilePhase } from '../ledger-item.ts';
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

/** Bytes [start, end) of an object. */
export interface ByteRange {
  start: number;
  end: number;
}

/** An object just stored: how to read exactly it again (pinned by its etag). */
export interface StoredObject {
  key: string;
  etag: string;
  size: number;
}

/** One object to append to a joined object, and its size in bytes. */
export interface JoinSource {
  key: string;
  size: number;
}

export interface ObjectStore {
  /** The key as it exists in the bucket (an event may carry it URL-encoded). */
  resolveKey(ref: ObjectRef): Promise<ObjectRef>;
  /** The bytes of the version the event named (or of a range of them); null when that version no longer exists. */
  open(ref: ObjectRef, range?: ByteRange): Promise<ObjectBody | null>;
  /** Copies that version of the original to `key` in the same bucket (in parts when it is over 5 GiB); false when that version no longer exists. */
  copy(ref: ObjectRef, key: string): Promise<boolean>;
  /** Removes the original from raw-data/ while the key still holds that version; false if nothing was removed. */
  removeFromLanding(ref: ObjectRef): Promise<boolean>;
  upload(bucket: string, key: string): TextSink;
  /** Stores a stream of bytes (a multipart upload: memory stays bounded). */
  uploadBytes(bucket: string, key: string, body: AsyncIterable<Uint8Array>): Promise<StoredObject>;
  /** Stores a small text object (JSON, NDJSON). */
  putText(bucket: string, key: string, text: string): Promise<void>;
  /** Reads a small text object (or a range of its bytes, cut on no character boundary: ASCII only); null when it does not exist. */
  getText(bucket: string, key: string, range?: ByteRange): Promise<string | null>;
  /** Writes `head` followed by the sources, in order, as one object at `key`. */
  join(bucket: string, key: string, head: string, sources: readonly JoinSource[]): Promise<void>;
  /** Deletes every object under `prefix`; returns how many. */
  removeAll(bucket: string, prefix: string): Promise<number>;
}

/** Where valid orders go; `written` counts what the store confirmed. */
export interface OrderSink {
  /** Takes one item; a promise (to await: back-pressure, or a failure) only when there is something to wait for. */
  put(item: Record<string, unknown>): Promise<void> | undefined;
  /** Sends what is buffered and waits; throws if anything could not be written. */
  flush(): Promise<void>;
  /** After a failure: waits for the requests in flight, so that `written` is final. Never throws. */
  settle(): Promise<void>;
  readonly written: number;
}

/** What a writer of one file's orders does besides writing (adapters/dynamo-writer.ts). */
export interface OrderWriterOptions {
  /** Told, never awaited, each time the table confirms rows: the rows confirmed so far (pipeline/rows-loaded.ts notes them). */
  onConfirmed?: (confirmed: number) => void;
}

/** What removing stale order lines did (docs/performance.md "Re-import of orders with several lines"). */
export interface PrunedLines {
  orders: number;
  /** Query requests (one per order, more for an order of more than 1 MB of keys). */
  reads: number;
  deleted: number;
  /** Orders a newer file holds: this file's lines of them were deleted (docs/csv-format.md "Re-import is exact"). */
  superseded: number;
}

/** What orders one file's lines against another's (adapters/order-lines.ts): when it started, then its ingestion id. */
export interface LineRank {
  processed_at: string;
  ingestion_id: string;
}

/**
 * Re-import is exact (adapters/order-lines.ts): each order keeps only the lines of the newest
 * file (by rank) that wrote it; the older lines are deleted.
 */
export interface OrderLinesPort {
  pruneStale(orderIds: Iterable<string>, own: LineRank): Promise<PrunedLines>;
}

export type ClaimResult =
  | { kind: 'claimed'; item: LedgerItem; attemptId: string }
  /** Already handled with a final status: a redelivery, nothing to do. */
  | { kind: 'final'; item: LedgerItem }
  /** Another attempt holds a live lease: fail the record so SQS retries later. */
  | { kind: 'busy'; item: LedgerItem }
  /** Processed in parts, planned already: its parts carry it on (the ingest message has nothing left to do). */
  | { kind: 'in-parts'; item: LedgerItem };

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

/** What a step of a file in parts expects of its ledger item (besides PROCESSING under its plan). */
export interface PhaseCondition {
  /** The phase it must be in; null: none yet, or PLAN. */
  phase: FilePhase | null;
  /** Only once the lease has expired at this time (taking over a step whose invocation ended). */
  leaseExpiredAt?: Date;
  /** Only while the phase's part messages are not all sent. */
  unsent?: boolean;
}

/** Pass 1's counts, kept on the ledger item for a file that fails after rows were written. */
export type PlannedCounts = NonNullable<LedgerItem['planned']>;

/** What a part's late rows change on its FAILED file's item. */
export type LateRowsValues = Required<Pick<LedgerItem, 'written' | 'orders_written' | 'unloaded' | 'reason'>>;

/** A part counted (or found counted already), and the ledger item after it; null if the item is gone. */
export interface PartMark {
  marked: boolean;
  item: LedgerItem | null;
}

/** The ingestion ledger (adapters/ledger.ts). */
export interface LedgerPort {
  get(pk: string): Promise<LedgerItem | null>;
  claimFile(ref: ObjectRef, options: ClaimOptions): Promise<ClaimResult>;
  /** null when the content is ours (new, or our own earlier attempt), else the file pk that holds it. */
  claimContent(sha256: string, owner: ContentOwner, now: Date): Promise<string | null>;
  releaseContent(sha256: string, filePk: string): Promise<void>;
  /** Records the final outcome; only the attempt holding the claim may, once (else LedgerConflictError). */
  finish(pk: string, attemptId: string, outcome: Partial<LedgerItem> & { status: FinalStatus }): Promise<void>;
  /** A step of a file in parts (the plan id is the planning attempt's id); false when the condition does not hold. */
  updatePhase(pk: string, planId: string, expect: PhaseCondition, values: Partial<LedgerItem>, remove?: readonly (keyof LedgerItem)[]): Promise<boolean>;
  /**
   * Records the rows a part has upserted so far, before it can fail (never lowers the figure);
   * false when the file is not in WRITE under this plan (final, or re-planned).
   */
  notePartLoaded(pk: string, planId: string, part: number, rows: number): Promise<boolean>;
  /**
   * A file read whole: records how many of its valid rows the orders table has confirmed for this
   * ingestion so far (a lower bound, pipeline/rows-loaded.ts), and pass 1's counts; never lowers the figure.
   */
  noteWholeLoaded(pk: string, rowsLoaded: number, planned: PlannedCounts): Promise<void>;
  /**
   * Rows written after (or while) another part failed the file: sets `values` on the FAILED item
   * once — only while `written` is still `expect.written` and, with `part`, its noted figure still
   * `before` (then raised to `rows`); false when the item changed.
   */
  amendFailed(pk: string, planId: string, part: { index: number; before: number; rows: number } | null, expect: { written: number }, values: LateRowsValues): Promise<boolean>;
  /** Counts a part scanned or written, once. */
  markPart(pk: string, planId: string, phase: 'SCAN' | 'WRITE', part: number, rowsWritten?: number): Promise<PartMark>;
  /**
   * After a fault, before an outcome was recorded: lets a retry take over at once and gives back
   * the content this attempt claimed. Does nothing once the outcome is final. Best effort.
   */
  release(pk: string, attemptId: string, reason: string, content: string | null): Promise<void>;
}

export interface AlertPublisher {
  publish(alert: Alert): Promise<void>;
}

/** Where the part messages of a file in parts go (adapters/parts-queue.ts). */
export interface PartsQueue {
  send(messages: readonly PartMessage[]): Promise<void>;
}

/** How files are split (PARTS_QUEUE_URL, FANOUT_THRESHOLD_MB, FANOUT_CHUNK_MB, PARTS_MAX_RECEIVES). */
export interface PartsSettings {
  queue: PartsQueue;
  /** A file whose object is at least this many bytes is processed in parts. */
  thresholdBytes: number;
  /** About how many bytes each part holds. */
  chunkBytes: number;
  /** The parts queue's maxReceiveCount: a part failing on this receive fails its file. */
  maxReceives: number;
}

/** What a message's delivery tells the work on its last receive: when it must give up. */
export interface LastReceive {
  /**
   * Milliseconds until the invocation must stop (the function's remaining time less a margin).
   * On the last receive, work still running then ends its file FAILED first.
   */
  deadlineMs?: number;
}

/** Everything processing one file uses. */
export interface ProcessorPorts {
  objects: ObjectStore;
  ledger: LedgerPort;
  /** A writer for one file's orders (batches, retries, back-pressure). */
  openOrderWriter(options?: OrderWriterOptions): OrderSink;
  /** Deletes the lines of an order an earlier file wrote that this file no longer has. */
  orderLines: OrderLinesPort;
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
  parts: PartsSettings;
}
