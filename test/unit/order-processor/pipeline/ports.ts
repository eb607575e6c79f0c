/**
 * Plain in-memory stand-ins for the processor's ports (functions/order-processor/pipeline/ports.ts),
 * for the step unit tests. They implement the small interfaces the steps use — not AWS APIs.
 */
import { Readable } from 'node:stream';
import type { ContractContext, ContractEvent, Order, RowError } from '../../../../functions/order-processor/contract/types.ts';
import type { ObjectRef, PartMessage } from '../../../../functions/order-processor/event.ts';
import type { LedgerItem } from '../../../../functions/order-processor/ledger-item.ts';
import type { Alert } from '../../../../functions/order-processor/reports/alerts.ts';
import type { Attempt } from '../../../../functions/order-processor/pipeline/claim.ts';
import { destinationKeys } from '../../../../functions/order-processor/naming.ts';
import { LedgerConflictError } from '../../../../functions/order-processor/pipeline/errors.ts';
import type {
  ByteRange,
  ClaimOptions,
  ClaimResult,
  ContentOwner,
  JoinSource,
  LedgerPort,
  ObjectBody,
  ObjectStore,
  OrderLinesPort,
  OrderSink,
  OrderWriterOptions,
  PartMark,
  PartsQueue,
  PhaseCondition,
  PlannedCounts,
  LateRowsValues,
  LineRank,
  PrunedLines,
  ProcessorPorts,
  ReadOrders,
  StoredObject,
  TextSink,
} from '../../../../functions/order-processor/pipeline/ports.ts';

export const NOW = new Date('2026-11-22T04:05:12.000Z');
export const INGESTION_ID = '20261122T040512Z-1a2b3c4d';

export function objectRef(overrides: Partial<ObjectRef> = {}): ObjectRef {
  return { bucket: 'bkt', key: 'raw-data/orders.csv', size: 100, etag: 'e1', versionId: 'v1', eventTime: NOW.toISOString(), ...overrides };
}

export function attempt(overrides: Partial<ObjectRef> = {}): Attempt {
  const ref = objectRef(overrides);
  return {
    ref,
    pk: `file#${ref.bucket}/${ref.key}#${ref.versionId}`,
    attemptId: 'attempt-1',
    ingestionId: INGESTION_ID,
    startedAt: NOW,
    keys: destinationKeys(ref.key, INGESTION_ID, NOW),
    contract: { sourceKey: ref.key, ingestionId: INGESTION_ID, processedAt: NOW.toISOString(), now: NOW },
  };
}

// ---------- contract events ----------

export function order(id: string, line: number): Order {
  return {
    order_id: id,
    line: 1,
    quantity: 1,
    unit_price: 2,
    currency: 'USD',
    total_amount: 2,
    source_key: 'raw-data/orders.csv',
    source_line: line,
    ingestion_id: INGESTION_ID,
    processed_at: NOW.toISOString(),
    schema_version: 1,
  };
}

export const valid = (id: string, line: number): ContractEvent => ({ kind: 'valid', line, order: order(id, line) });
export const rejected = (line: number, reason = 'quantity "x" is not a whole number'): ContractEvent => ({
  kind: 'rejected',
  error: { line, order_id: `R-${line}`, column: 'quantity', reason } satisfies RowError,
});
export const blank = (line: number): ContractEvent => ({ kind: 'blank', line });

/**
 * A reader that consumes its input and yields the given events (a different list per call when
 * given several: pass 1, pass 2). An Error in the list is thrown at that point.
 */
export function scriptedReader(...passes: (ContractEvent | Error)[][]): ReadOrders & { contexts: ContractContext[] } {
  let call = 0;
  const contexts: ContractContext[] = [];
  const read = async function* (input: AsyncIterable<Uint8Array>, ctx: ContractContext): AsyncGenerator<ContractEvent> {
    contexts.push(ctx);
    const events = passes[Math.min(call++, passes.length - 1)] ?? [];
    for await (const _chunk of input) break; // reads some input, as a reader does
    for (const event of events) {
      if (event instanceof Error) throw event;
      yield event;
    }
  };
  return Object.assign(read, { contexts });
}

/** A body over the given bytes (one chunk per string) that records whether it was released. */
export function body(text: string | string[] | Buffer = 'order_id\nA-1\n'): ObjectBody & { destroyed: boolean } {
  const chunks = Buffer.isBuffer(text) ? [text] : (Array.isArray(text) ? text : [text]).map((t) => Buffer.from(t));
  const stream = Readable.from(chunks);
  const wrapped = {
    destroyed: false,
    [Symbol.asyncIterator]: () => stream[Symbol.asyncIterator](),
    destroy() {
      wrapped.destroyed = true;
      stream.destroy();
    },
  };
  return wrapped;
}

// ---------- sinks ----------

export class MemorySink implements TextSink {
  text = '';
  finished = false;
  aborted = false;
  constructor(private readonly failOnWrite = Infinity) {}
  async write(text: string) {
    if (this.text.split('\r\n').length > this.failOnWrite) throw new Error('upload failed');
    this.text += text;
  }
  async finish() {
    this.finished = true;
  }
  async abort() {
    this.aborted = true;
  }
}

export class MemoryOrders implements OrderSink {
  items: Record<string, unknown>[] = [];
  /** Confirm fewer writes than were put (a writer that lost some). */
  lose = 0;
  /** Each item is a batch of its own, confirmed as it is put (`onConfirmed` told). */
  constructor(private readonly options: OrderWriterOptions = {}) {}
  async put(item: Record<string, unknown>) {
    this.items.push(item);
    this.options.onConfirmed?.(this.items.length);
  }
  async flush() {}
  async settle() {}
  get written() {
    return this.items.length - this.lose;
  }
}

export class MemoryObjects implements ObjectStore {
  /** Bytes per key (objects put, and the originals); a key absent here is gone. */
  bytes = new Map<string, string | Buffer>();
  uploads = new Map<string, MemorySink>();
  copies: { from: string; to: string }[] = [];
  removed: string[] = [];
  joins: { key: string; head: string; sources: JoinSource[] }[] = [];
  opens = 0;
  /** The key of every open call, in order. */
  opened: string[] = [];
  /** Open calls (1-based) after which the object is gone. */
  goneFromOpen = Infinity;

  constructor(ref?: ObjectRef, text: string | Buffer = 'order_id\nA-1\n') {
    if (ref) this.bytes.set(ref.key, text);
  }
  /** An object's bytes: put or uploaded (finished). */
  read(key: string): Buffer | undefined {
    const stored = this.bytes.get(key);
    if (stored !== undefined) return Buffer.from(stored);
    const sink = this.uploads.get(key);
    return sink?.finished ? Buffer.from(sink.text) : undefined;
  }
  async resolveKey(ref: ObjectRef) {
    return ref;
  }
  async open(ref: ObjectRef, range?: ByteRange) {
    this.opens++;
    this.opened.push(ref.key);
    const bytes = this.read(ref.key);
    if (bytes === undefined || this.opens >= this.goneFromOpen) return null;
    return body(range ? bytes.subarray(range.start, range.end) : bytes);
  }
  async copy(ref: ObjectRef, key: string) {
    if (this.read(ref.key) === undefined) return false;
    this.copies.push({ from: ref.key, to: key });
    return true;
  }
  async removeFromLanding(ref: ObjectRef) {
    this.removed.push(ref.key);
    return true;
  }
  upload(_bucket: string, key: string) {
    const sink = new MemorySink();
    this.uploads.set(key, sink);
    return sink;
  }
  async uploadBytes(_bucket: string, key: string, source: AsyncIterable<Uint8Array>): Promise<StoredObject> {
    const chunks: Buffer[] = [];
    for await (const chunk of source) chunks.push(Buffer.from(chunk));
    const bytes = Buffer.concat(chunks);
    this.bytes.set(key, bytes);
    return { key, etag: `etag-${bytes.length}`, size: bytes.length };
  }
  async putText(_bucket: string, key: string, text: string) {
    this.bytes.set(key, text);
  }
  async getText(_bucket: string, key: string, range?: ByteRange) {
    const bytes = this.read(key);
    if (bytes === undefined) return null;
    return (range ? bytes.subarray(range.start, range.end) : bytes).toString('utf8');
  }
  async join(_bucket: string, key: string, head: string, sources: readonly JoinSource[]) {
    const parts = sources.map((s) => {
      const bytes = this.read(s.key);
      if (bytes?.length !== s.size) throw new Error(`join: ${s.key} is not ${s.size} bytes`);
      return bytes;
    });
    this.joins.push({ key, head, sources: [...sources] });
    this.bytes.set(key, Buffer.concat([Buffer.from(head), ...parts]));
  }
  async removeAll(_bucket: string, prefix: string) {
    const keys = [...new Set([...this.bytes.keys(), ...this.uploads.keys()])].filter((k) => k.startsWith(prefix));
    for (const k of keys) {
      this.bytes.delete(k);
      this.uploads.delete(k);
    }
    return keys.length;
  }
  /** Every key stored under a prefix (an upload once finished). */
  keysUnder(prefix: string): string[] {
    const finished = [...this.uploads].filter(([, sink]) => sink.finished).map(([key]) => key);
    return [...new Set([...this.bytes.keys(), ...finished])].filter((k) => k.startsWith(prefix)).sort();
  }
}

// ---------- ledger ----------

export class MemoryLedger implements LedgerPort {
  items = new Map<string, LedgerItem>();
  /** content fingerprint → file pk */
  content = new Map<string, string>();
  finished: { pk: string; attemptId: string; outcome: Partial<LedgerItem> }[] = [];
  released: { pk: string; attemptId: string; reason: string; content: string | null }[] = [];
  releasedContent: string[] = [];
  claimAs: ClaimResult['kind'] = 'claimed';

  async get(pk: string) {
    return this.items.get(pk) ?? null;
  }
  async claimFile(ref: ObjectRef, options: ClaimOptions): Promise<ClaimResult> {
    const item: LedgerItem = {
      pk: `file#${ref.bucket}/${ref.key}#${ref.versionId ?? ref.etag}`,
      status: this.claimAs === 'final' ? 'PROCESSED' : 'PROCESSING',
      ingestion_id: INGESTION_ID,
      attempts: 1,
      bucket: ref.bucket,
      key: ref.key,
      version_id: ref.versionId,
      etag: ref.etag,
      size: ref.size,
      ingest_day: '2026-11-21',
      started_at: '2026-11-21T23:59:59.000Z',
      lease_expires_at: options.now.getTime() + options.leaseMs,
    };
    const existing = this.items.get(item.pk);
    if (this.claimAs === 'claimed') return { kind: 'claimed', item, attemptId: 'attempt-1' };
    return this.claimAs === 'final' ? { kind: 'final', item: existing ?? item } : { kind: 'busy', item };
  }
  async claimContent(sha256: string, owner: ContentOwner) {
    const holder = this.content.get(sha256);
    if (holder && holder !== owner.pk) return holder;
    this.content.set(sha256, owner.pk);
    return null;
  }
  async releaseContent(sha256: string) {
    this.releasedContent.push(sha256);
    this.content.delete(sha256);
  }
  async finish(pk: string, attemptId: string, outcome: Partial<LedgerItem>) {
    const item = this.items.get(pk);
    if (item) {
      // As the adapter: only the claim's holder, and only while not final.
      if (item.attempt_id !== attemptId || item.status !== 'PROCESSING') throw new LedgerConflictError(`${pk} is not ${attemptId}'s`);
      Object.assign(item, outcome);
      delete item.lease_expires_at;
    }
    this.finished.push({ pk, attemptId, outcome });
  }
  updates: { pk: string; values: Partial<LedgerItem>; remove: readonly string[] }[] = [];
  async updatePhase(pk: string, planId: string, expect: PhaseCondition, values: Partial<LedgerItem>, remove: readonly (keyof LedgerItem)[] = []) {
    const item = this.items.get(pk);
    const planning = expect.phase === null || expect.phase === 'PLAN';
    if (!item || (planning ? item.attempt_id : underPlan(item)) !== planId || item.status !== 'PROCESSING') return false;
    if (expect.phase === null ? item.phase !== undefined && item.phase !== 'PLAN' : item.phase !== expect.phase) return false;
    if (expect.leaseExpiredAt && (item.lease_expires_at ?? 0) >= expect.leaseExpiredAt.getTime()) return false;
    if (expect.unsent && item.sent_phase === expect.phase) return false;
    Object.assign(item, values);
    for (const name of remove) delete item[name];
    this.updates.push({ pk, values, remove });
    return true;
  }
  async markPart(pk: string, planId: string, phase: 'SCAN' | 'WRITE', part: number, rowsWritten = 0): Promise<PartMark> {
    const item = this.items.get(pk);
    if (!item) return { marked: false, item: null };
    const name = phase === 'SCAN' ? 'parts_scanned' : 'parts_written';
    const set = item[name] ?? new Set<number>();
    if (underPlan(item) !== planId || item.status !== 'PROCESSING' || item.phase !== phase || set.has(part)) {
      return { marked: false, item: structuredClone(item) };
    }
    item[name] = new Set([...set, part]);
    if (phase === 'WRITE') {
      item.parts_done = (item.parts_done ?? 0) + 1;
      item.parts_rows_written = (item.parts_rows_written ?? 0) + rowsWritten;
    }
    return { marked: true, item: structuredClone(item) };
  }
  async notePartLoaded(pk: string, planId: string, part: number, rows: number) {
    const item = this.items.get(pk);
    if (!item || underPlan(item) !== planId || item.status !== 'PROCESSING' || item.phase !== 'WRITE') return false;
    const before = item.parts_loaded?.[String(part)];
    if (before === undefined || before < rows) item.parts_loaded = { ...item.parts_loaded, [String(part)]: rows };
    return true;
  }
  async noteWholeLoaded(pk: string, rowsLoaded: number, planned: PlannedCounts) {
    const item = this.items.get(pk);
    if (!item || item.status !== 'PROCESSING' || (item.phase && item.phase !== 'PLAN')) return;
    if ((item.parts_loaded?.['0'] ?? -1) < rowsLoaded) Object.assign(item, { parts_loaded: { '0': rowsLoaded }, planned });
  }
  async amendFailed(pk: string, planId: string, part: { index: number; before: number; rows: number } | null, expect: { written: number }, values: LateRowsValues) {
    const item = this.items.get(pk);
    if (!item || underPlan(item) !== planId || item.status !== 'FAILED' || item.written !== expect.written) return false;
    if (part && (item.parts_loaded?.[String(part.index)] ?? 0) !== part.before) return false;
    Object.assign(item, values, part ? { parts_loaded: { ...item.parts_loaded, [String(part.index)]: part.rows } } : {});
    return true;
  }
  async release(pk: string, attemptId: string, reason: string, content: string | null) {
    this.released.push({ pk, attemptId, reason, content });
  }
}

// ---------- alerts, logs, metrics ----------

export class MemoryAlerts {
  sent: Alert[] = [];
  failWith: Error | null = null;
  async publish(alert: Alert) {
    if (this.failWith) throw this.failWith;
    this.sent.push(alert);
  }
}

export interface LoggedLine {
  level: 'info' | 'warn' | 'error';
  message: string;
  extra?: unknown;
}

export function memoryLog() {
  const lines: LoggedLine[] = [];
  const keys: Record<string, unknown> = {};
  const at = (level: LoggedLine['level']) => (message: string, extra?: unknown) => void lines.push({ level, message, extra });
  return {
    lines,
    keys,
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    appendKeys(attributes: Record<string, unknown>) {
      Object.assign(keys, attributes);
    },
  };
}

export function memoryMetrics() {
  const added: { name: string; value: number }[] = [];
  return {
    added,
    addMetric(name: string, _unit: unknown, value: number) {
      added.push({ name, value });
    },
    sum: (name: string) => added.filter((m) => m.name === name).reduce((a, m) => a + m.value, 0),
  };
}

/** The plan an item is under, as the adapter's conditions see it (plan_id, or attempt_id on items planned before it). */
const underPlan = (item: LedgerItem): string | undefined => item.plan_id ?? item.attempt_id;

/** The parts queue, in memory: what was sent, until taken. */
export class MemoryPartsQueue implements PartsQueue {
  sent: PartMessage[] = [];
  failWith: Error | null = null;
  async send(messages: readonly PartMessage[]) {
    if (this.failWith) throw this.failWith;
    this.sent.push(...messages);
  }
  /** Takes every message sent so far (they are "received"). */
  take(): PartMessage[] {
    const taken = this.sent;
    this.sent = [];
    return taken;
  }
}

/** Every port, in memory, for one file (never split: the threshold is out of reach); override what a test needs. */
export function memoryPorts(ref = objectRef(), text?: string) {
  const objects = new MemoryObjects(ref, text);
  const ledger = new MemoryLedger();
  const orders: MemoryOrders[] = [];
  const orderLines = new MemoryOrderLines();
  const alerts = new MemoryAlerts();
  const log = memoryLog();
  const metrics = memoryMetrics();
  const ports = {
    objects,
    ledger,
    openOrderWriter: (options?: OrderWriterOptions) => {
      const sink = new MemoryOrders(options);
      orders.push(sink);
      return sink;
    },
    orderLines,
    alerts,
    readOrders: scriptedReader([valid('A-1', 2)]) as ReadOrders,
    log: log as unknown as ProcessorPorts['log'],
    metrics: metrics as unknown as ProcessorPorts['metrics'],
    now: () => NOW,
    leaseMs: 60_000,
    stage: 'test',
    parts: { queue: new MemoryPartsQueue(), thresholdBytes: Number.MAX_SAFE_INTEGER, chunkBytes: 64, maxReceives: 3 },
  } satisfies ProcessorPorts;
  return { ports, objects, ledger, orders, orderLines, alerts, log, metrics };
}

/** The re-import port in memory: records which orders each ingestion asked to prune. */
export class MemoryOrderLines implements OrderLinesPort {
  readonly calls: { orderIds: string[]; own: LineRank }[] = [];
  async pruneStale(orderIds: Iterable<string>, own: LineRank): Promise<PrunedLines> {
    const ids = [...orderIds];
    this.calls.push({ orderIds: ids, own });
    return { orders: ids.length, reads: ids.length, deleted: 0, superseded: 0 };
  }
}
