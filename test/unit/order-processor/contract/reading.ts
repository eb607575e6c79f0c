/**
 * Helpers shared by the contract's reader tests: a context factory, chunked byte sources and a
 * compact outline of the events.
 */
import { expect } from 'vitest';
import { readOrders } from '../../../../functions/order-processor/contract/reader.ts';
import {
  FileRejectedError,
  type ContractContext,
  type ContractEvent,
  type RowError,
} from '../../../../functions/order-processor/contract/types.ts';

export const MINIMAL_HEADER = 'order_id,customer_name,product_name,quantity,unit_price';

export function makeContext(overrides: Partial<ContractContext> = {}): ContractContext {
  return {
    sourceKey: 'raw-data/test.csv',
    ingestionId: 'ing-test',
    processedAt: '2026-01-15T12:00:00.000Z',
    now: new Date('2026-01-15T12:00:00.000Z'),
    ...overrides,
  };
}

/** A byte source delivering `data` in chunks of `chunkSize` bytes (1 = the nastiest boundaries). */
export async function* chunked(data: Uint8Array, chunkSize = 64 * 1024): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += chunkSize) yield data.subarray(i, i + chunkSize);
}

/** A byte source delivering `data` cut at the given offsets. */
export async function* cutAt(data: Uint8Array, cuts: readonly number[]): AsyncGenerator<Uint8Array> {
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    if (cut > from && cut < data.length) {
      yield data.subarray(from, cut);
      from = cut;
    }
  }
  if (from < data.length) yield data.subarray(from);
}

export function bytes(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

export interface ReadResult {
  events: ContractEvent[];
  error: unknown;
}

export async function readSource(source: AsyncIterable<Uint8Array>, ctx: Partial<ContractContext> = {}): Promise<ReadResult> {
  const events: ContractEvent[] = [];
  let error: unknown;
  try {
    for await (const event of readOrders(source, makeContext(ctx))) events.push(event);
  } catch (err) {
    error = err;
  }
  return { events, error };
}

export function readAll(
  data: string | Uint8Array,
  options: { chunkSize?: number; ctx?: Partial<ContractContext> } = {},
): Promise<ReadResult> {
  return readSource(chunked(typeof data === 'string' ? bytes(data) : data, options.chunkSize), options.ctx);
}

/** A compact view of the events: kind and line (and the order id of valid rows). */
export function outline(events: ContractEvent[]): string[] {
  return events.map((e) => {
    switch (e.kind) {
      case 'header':
        return 'header';
      case 'valid':
        return `valid ${e.line} ${e.order.order_id}`;
      case 'blank':
        return `blank ${e.line}`;
      case 'rejected':
        return `rejected ${e.error.line}`;
    }
  });
}

export function rejections(events: ContractEvent[]): RowError[] {
  return events.flatMap((e) => (e.kind === 'rejected' ? [e.error] : []));
}

export function fileReason(result: ReadResult): string {
  expect(result.error).toBeInstanceOf(FileRejectedError);
  return (result.error as FileRejectedError).reason;
}

export function count(events: ContractEvent[], kind: ContractEvent['kind']): number {
  return events.filter((e) => e.kind === kind).length;
}
