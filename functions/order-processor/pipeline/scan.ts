/**
 * Step 2, scan (pass 1): the whole contract over the bytes, nothing written. It counts rows,
 * keeps the first errors, notes a file-level rejection, and fingerprints the bytes (fingerprint.ts) so a
 * duplicate is known before anything is written. Memory stays flat: events are counted, not kept.
 */
import { BlockHashes, treeFingerprint } from './fingerprint.ts';
import { emptyCounts, RowTally } from '../contract/tally.ts';
import { hasOrderLines, OrdersWithRejectedLines, type RejectedOrders } from '../contract/whole-orders.ts';
import { FileRejectedError, type ContractContext, type RowError } from '../contract/types.ts';
import type { FileRead } from '../contract/verdict.ts';
import { MAX_ALERT_ERRORS } from '../reports/alerts.ts';
import type { ObjectBody, ReadOrders } from './ports.ts';

export interface ScanResult extends FileRead {
  /**
   * The orders with a rejected line (contract/whole-orders.ts), for pass 2's context; counts
   * already move their valid rows to rejected. Absent when the schema has no order lines.
   */
  rejectedOrders?: RejectedOrders;
  /** With order lines: the file's orders (each order_id of a row once); rejectedOrders' are among them. */
  orders?: number;
  /** The first rejected rows, for the alert and the ledger (the errors report gets all of them in pass 2). */
  firstErrors: RowError[];
  /** Bytes read (all of them, unless the file was rejected part-way). */
  bytes: number;
  /** The content fingerprint (fingerprint.ts); null for a rejected file (it claims no content). */
  fingerprint: string | null;
}

/**
 * Hashes (fingerprint.ts: the aligned blocks from byte `from` on) and counts bytes as the reader
 * pulls them; can finish reading what the reader left.
 */
export class HashingSource implements AsyncIterable<Uint8Array> {
  readonly blocks: BlockHashes;
  private readonly source: AsyncIterator<Uint8Array>;
  bytes = 0;
  private complete = false;

  constructor(body: AsyncIterable<Uint8Array>, from = 0) {
    this.source = body[Symbol.asyncIterator]();
    this.blocks = new BlockHashes(from);
  }

  private async next(): Promise<Uint8Array | null> {
    const r = await this.source.next();
    if (r.done) {
      this.complete = true;
      return null;
    }
    this.blocks.update(r.value);
    this.bytes += r.value.byteLength;
    return r.value;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    for (let chunk = await this.next(); chunk; chunk = await this.next()) yield chunk;
  }

  /** Reads any bytes the reader did not consume, so the fingerprint covers the whole object. */
  async finish(): Promise<string> {
    await this.drain();
    return treeFingerprint(this.blocks.finish());
  }

  /** Reads any bytes the reader did not consume. */
  async drain(): Promise<void> {
    while (!this.complete) await this.next();
  }
}

/** The scan stopped because the file, once decompressed, reached `bytes` or more: process it in parts instead. */
export interface TooLargeForOnePass {
  tooLarge: true;
  bytes: number;
}

export interface ScanOptions {
  /**
   * Stop as soon as the (decompressed) data reaches this many bytes. A plain file's size is known
   * before it is read, but a small .csv.gz can inflate far beyond what one invocation reads in
   * time; nothing is written during the scan, so switching to parts there is free.
   */
  stopAtBytes?: number;
  /** Aborted: the read stops with the signal's reason (the last-receive guard, deadline.ts). */
  signal?: AbortSignal;
}

/**
 * Reads the body to the end (or to a file-level rejection) and releases it. A fault of the body
 * stream itself (a cut connection) is rethrown: it is not the file's fault.
 */
export async function scan(body: ObjectBody, ctx: ContractContext, readOrders: ReadOrders): Promise<ScanResult>;
export async function scan(body: ObjectBody, ctx: ContractContext, readOrders: ReadOrders, options: ScanOptions): Promise<ScanResult | TooLargeForOnePass>;
export async function scan(body: ObjectBody, ctx: ContractContext, readOrders: ReadOrders, options: ScanOptions = {}): Promise<ScanResult | TooLargeForOnePass> {
  const source = new HashingSource(body);
  const tally = new RowTally(MAX_ALERT_ERRORS);
  const stopAt = options.stopAtBytes ?? Number.POSITIVE_INFINITY;
  const orders = hasOrderLines(ctx.schema) ? new OrdersWithRejectedLines() : null;
  try {
    for await (const event of readOrders(source, ctx)) {
      options.signal?.throwIfAborted();
      if ((event.span?.end ?? 0) >= stopAt) return { tooLarge: true, bytes: event.span?.end ?? stopAt };
      tally.observe(event);
      orders?.observe(event);
    }
    const fingerprint = await source.finish();
    const read = { firstErrors: tally.firstErrors, rejection: null, headerLine: tally.headerLine, bytes: source.bytes, fingerprint };
    return orders ? { ...read, counts: orders.adjust(tally.counts), rejectedOrders: orders.orders, orders: orders.count } : { ...read, counts: tally.counts };
  } catch (error) {
    if (!(error instanceof FileRejectedError)) throw error;
    // Like `validate` (contract/summary.ts): a file rejected as a whole counts zero rows, whatever
    // was read before the line that stopped it (nothing of it is loaded).
    const rejection = { reason: error.reason, line: error.line ?? 1 };
    return { counts: emptyCounts(), firstErrors: [], rejection, headerLine: tally.headerLine, bytes: source.bytes, fingerprint: null };
  } finally {
    body.destroy();
  }
}
