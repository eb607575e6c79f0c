/**
 * Streaming BatchWriteItem writer (the processor's OrderSink): batches of 25, several requests in
 * flight, back-pressure on the producer, UnprocessedItems and throttling retried with exponential
 * backoff and full jitter until a deadline.
 */
import { BatchWriteItemCommand, type AttributeValue, type WriteRequest } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { OrderSink } from '../pipeline/ports.ts';

/** DynamoDB's hard limit per BatchWriteItem request. */
export const MAX_BATCH_SIZE = 25;

export type WriteItem = Record<string, unknown>;

/** Sends one batch; returns the items DynamoDB did not process (to be retried). */
export type BatchSender = (items: WriteItem[]) => Promise<WriteItem[]>;

/** Writes could not be completed (deadline passed or a non-retryable error): an infrastructure fault. */
export class WriteFailedError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'WriteFailedError';
  }
}

export interface WriterOptions {
  keyOf: (item: WriteItem) => string;
  /** Max requests in flight (default 4). */
  concurrency?: number;
  /** How long one batch may keep retrying (ms, default 60000). */
  retryDeadlineMs?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
  /** Called before each retry (for logs). */
  onRetry?: (info: { attempt: number; delayMs: number; unprocessed: number; error?: string }) => void;
  /** Told, never awaited, each time DynamoDB confirms items: the items confirmed so far. */
  onConfirmed?: (confirmed: number) => void;
}

const RETRYABLE_ERROR_NAMES = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TransactionInProgressException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);
const RETRYABLE_NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND']);

/** Throttling, 5xx and network errors are worth retrying; validation or missing tables are not. */
export function isRetryableError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { name?: string; code?: string; $fault?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  if (e.name && RETRYABLE_ERROR_NAMES.has(e.name)) return true;
  if (e.code && RETRYABLE_NETWORK_CODES.has(e.code)) return true;
  if (e.$retryable) return true;
  if (e.$fault === 'server') return true;
  const status = e.$metadata?.httpStatusCode;
  return status !== undefined && (status >= 500 || status === 429);
}

const describe = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

/**
 * One order item as DynamoDB AttributeValues. An order holds what its schema's column types store
 * (docs/csv-format.md "Column types": strings, numbers, booleans; toItem leaves out absent values),
 * so this small marshaller replaces lib-dynamodb's generic one, which walks every item through a
 * type dispatch and then through the DocumentClient's key-node traversal. Numbers are refused
 * exactly where lib-dynamodb refuses them (not finite, or beyond 2^53).
 */
export function orderAttributes(item: WriteItem): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const name in item) {
    const value = item[name];
    if (typeof value === 'string') out[name] = { S: value };
    else if (typeof value === 'number') out[name] = { N: numberText(name, value) };
    else if (typeof value === 'boolean') out[name] = { BOOL: value };
    else if (value !== undefined) throw new TypeError(`attribute ${name} is a ${typeof value}; an order item holds strings, numbers and booleans only`);
  }
  return out;
}

function numberText(name: string, value: number): string {
  if (!Number.isFinite(value) || Math.abs(value) > Number.MAX_SAFE_INTEGER) {
    throw new RangeError(`attribute ${name} is ${value}; expected a finite number within ±2^53`);
  }
  return String(value);
}

/** The orders table's key attributes: a partition key (a string) and a sort key (a number). */
export interface OrderKeyAttributes {
  hash: string;
  range: string;
}

/**
 * An item's key as one string (partition key, NUL, sort key): what a batch must not hold twice
 * and how unprocessed items are matched back. NUL never appears in an id the contract accepts.
 */
export function orderItemKey(item: WriteItem, key: OrderKeyAttributes): string {
  return `${String(item[key.hash])}\u0000${String(item[key.range])}`;
}

/**
 * Sender of the low-level BatchWriteItem: each item's AttributeValues built once per request by
 * orderAttributes. Sent through the DocumentClient's client (it shares the DynamoDBClient's
 * configuration and middleware stack), so whatever is set on that client applies here too.
 * Unprocessed items come back as AttributeValues: they are mapped back to the caller's items by
 * their key (partition and sort key).
 */
export function orderBatchSender(client: DynamoDBDocumentClient, tableName: string, key: OrderKeyAttributes): BatchSender {
  return async (items) => {
    const requests: WriteRequest[] = items.map((item) => ({ PutRequest: { Item: orderAttributes(item) } }));
    const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: requests } }));
    const left = out.UnprocessedItems?.[tableName] ?? [];
    if (left.length === 0) return [];
    const byKey = new Map(items.map((item) => [orderItemKey(item, key), item]));
    const valueOf = (v: AttributeValue | undefined): string | undefined => v?.S ?? v?.N;
    return left.flatMap((r) => {
      const stored = r.PutRequest?.Item;
      const item = byKey.get(`${valueOf(stored?.[key.hash]) ?? ''}\u0000${valueOf(stored?.[key.range]) ?? ''}`);
      return item ? [item] : [];
    });
  };
}

export class DynamoBatchWriter implements OrderSink {
  private buffer: WriteItem[] = [];
  private bufferKeys = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private failure: unknown = null;
  private confirmed = 0;
  private readonly concurrency: number;
  private readonly deadlineMs: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(
    private readonly send: BatchSender,
    private readonly options: WriterOptions,
  ) {
    this.concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
    this.deadlineMs = options.retryDeadlineMs ?? 60_000;
    this.baseDelayMs = options.baseDelayMs ?? 50;
    this.maxDelayMs = options.maxDelayMs ?? 5_000;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  /** Items DynamoDB has confirmed as written. */
  get written(): number {
    return this.confirmed;
  }

  /**
   * Queues one item. Returns nothing when the item was only buffered (24 items in 25: no promise
   * and no await per row), else a promise that resolves once it is; it waits while `concurrency`
   * requests are already in flight, which pauses the producer (the CSV parser) instead of
   * buffering the whole file. A failure of an earlier request rejects it.
   */
  put(item: WriteItem): Promise<void> | undefined {
    if (this.failure !== null) return Promise.reject(this.failure);
    const key = this.options.keyOf(item);
    // AWS rejects a batch holding the same key twice: send what we have first.
    if (this.bufferKeys.has(key)) return this.dispatch().then(() => this.put(item));
    this.buffer.push(item);
    this.bufferKeys.add(key);
    return this.buffer.length >= MAX_BATCH_SIZE ? this.dispatch() : undefined;
  }

  /** Sends what is buffered and waits for every request; throws WriteFailedError if any failed. */
  async flush(): Promise<void> {
    if (this.buffer.length > 0) await this.dispatch();
    await Promise.all([...this.inFlight]);
    this.throwIfFailed();
  }

  async settle(): Promise<void> {
    this.buffer = [];
    this.bufferKeys = new Set();
    await Promise.all([...this.inFlight]);
  }

  private throwIfFailed(): void {
    if (this.failure !== null) throw this.failure;
  }

  private async dispatch(): Promise<void> {
    const batch = this.buffer;
    this.buffer = [];
    this.bufferKeys = new Set();
    while (this.inFlight.size >= this.concurrency) await Promise.race(this.inFlight);
    this.throwIfFailed();
    const request: Promise<void> = this.writeWithRetry(batch)
      .catch((error: unknown) => {
        // Stored, not thrown here: the producer sees it on its next put() or flush().
        this.failure ??= error;
      })
      .finally(() => this.inFlight.delete(request));
    this.inFlight.add(request);
  }

  private async writeWithRetry(items: WriteItem[]): Promise<void> {
    const deadline = this.now() + this.deadlineMs;
    let pending = items;
    for (let attempt = 0; ; attempt++) {
      let lastError: unknown;
      try {
        const left = await this.send(pending);
        this.confirmed += pending.length - left.length;
        this.options.onConfirmed?.(this.confirmed);
        if (left.length === 0) return;
        pending = left;
        lastError = undefined;
      } catch (error) {
        if (!isRetryableError(error)) {
          throw new WriteFailedError(`BatchWriteItem failed with a non-retryable error: ${describe(error)}`, error);
        }
        lastError = error;
      }
      // Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter").
      const cap = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.min(attempt, 20));
      const delayMs = Math.floor(this.random() * cap);
      if (this.now() + delayMs > deadline) {
        const why = lastError ? describe(lastError) : `${pending.length} item(s) still unprocessed`;
        throw new WriteFailedError(
          `DynamoDB writes did not complete within ${this.deadlineMs} ms after ${attempt + 1} attempt(s): ${why}`,
          lastError,
        );
      }
      this.options.onRetry?.({
        attempt: attempt + 1,
        delayMs,
        unprocessed: pending.length,
        ...(lastError ? { error: describe(lastError) } : {}),
      });
      await this.sleep(delayMs);
    }
  }
}
