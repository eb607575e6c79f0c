/**
 * Helpers for the tests of reading a file in parts: an in-memory RangeReader, the outcome of one
 * sequential read, and the outcome of reading the planned parts the two ways the pipeline can
 * (one seen map shared in part order; or parallel scans with empty maps, merged digests, and a
 * re-read of each part with its seeds).
 */
import { readOrders } from '../../../../functions/order-processor/contract/reader.ts';
import {
  FirstSeenDigest,
  firstRejection,
  mergeDigests,
  partReading,
  planParts,
  type FilePlan,
  type RangeReader,
} from '../../../../functions/order-processor/contract/parts.ts';
import type { ContractLimits } from '../../../../functions/order-processor/contract/limits.ts';
import { ordersAcrossParts, PartOrders } from '../../../../functions/order-processor/contract/part-orders.ts';
import type { SeenOrderIds } from '../../../../functions/order-processor/contract/rules.ts';
import type { CompiledSchema } from '../../../../functions/order-processor/contract/schema/compile.ts';
import { FileRejectedError, type ContractContext, type ContractEvent, type FileCounts } from '../../../../functions/order-processor/contract/types.ts';
import { hasOrderLines, OrdersWithRejectedLines } from '../../../../functions/order-processor/contract/whole-orders.ts';
import { chunked, makeContext } from './reading.ts';

/** Reads [start, end) of `data` in pieces of `piece` bytes, counting the reads. */
export function memoryReader(data: Uint8Array, piece = 64 * 1024): RangeReader & { reads: number } {
  const read = (start: number, end: number): AsyncIterable<Uint8Array> => {
    read.reads++;
    return chunked(data.subarray(start, end), piece);
  };
  read.reads = 0;
  return read;
}

/** A rejection in a comparable form. */
export interface Verdict {
  reason: string;
  line: number | undefined;
  offset: number | undefined;
}

export interface Outcome {
  events: ContractEvent[];
  rejection: Verdict | null;
}

function verdictOf(error: unknown): Verdict {
  if (!(error instanceof FileRejectedError)) throw error;
  return { reason: error.reason, line: error.line, offset: error.offset };
}

/** The events of a sequential read and its verdict (the oracle). */
export async function readSequentially(data: Uint8Array, limits?: ContractLimits, piece?: number, extra: Partial<ContractContext> = {}): Promise<Outcome> {
  const events: ContractEvent[] = [];
  try {
    for await (const event of readOrders(chunked(data, piece), makeContext({ limits, ...extra }))) events.push(event);
    return { events, rejection: null };
  } catch (error) {
    return { events, rejection: verdictOf(error) };
  }
}

/**
 * The oracle of a file with order lines: the events of its second sequential read, given the
 * orders with a rejected line its first read found (contract/whole-orders.ts), as the processor's
 * pass 2 and `validate` see them.
 */
export async function readTwiceSequentially(data: Uint8Array, schema: CompiledSchema, limits?: ContractLimits): Promise<Outcome> {
  const first = await readSequentially(data, limits, undefined, { schema });
  if (first.rejection) return first;
  const orders = new OrdersWithRejectedLines();
  for (const event of first.events) orders.observe(event);
  return readSequentially(data, limits, undefined, { schema, rejectedOrders: orders.orders });
}

/** Reads one part; its events, and the rejection it throws if any. */
export async function readPart(
  read: RangeReader,
  plan: FilePlan,
  index: number,
  seen: SeenOrderIds,
  limits?: ContractLimits,
  observe?: (event: ContractEvent) => void,
  extra: Partial<ContractContext> = {},
): Promise<{ events: ContractEvent[]; rejection: FileRejectedError | undefined }> {
  const part = partReading(plan, index);
  const events: ContractEvent[] = [];
  try {
    for await (const event of readOrders(read(part.start.offset, part.end), makeContext({ limits, part, seen, ...extra }))) {
      observe?.(event);
      events.push(event);
    }
    return { events, rejection: undefined };
  } catch (error) {
    if (!(error instanceof FileRejectedError)) throw error;
    return { events, rejection: error };
  }
}

/** The file's rejection from its parts: the earliest one ("no data rows" is the file verdict's, on the counts). */
function verdictAcross(rejections: (FileRejectedError | undefined)[]): Verdict | null {
  const first = firstRejection(rejections);
  return first ? verdictOf(first) : null;
}

/** Plans, or the rejection planning throws. */
export async function plan(read: RangeReader, size: number, chunkBytes: number, limits?: ContractLimits, schema?: CompiledSchema): Promise<FilePlan | Verdict> {
  try {
    return await planParts(read, size, { chunkBytes, concurrency: 3, limits, ...(schema ? { schema } : {}) });
  } catch (error) {
    return verdictOf(error);
  }
}

/**
 * Every part read in order with one seen map for the file (and, with order lines, each order's
 * valid rows so far: an `id` line column numbers an order's rows on from there).
 */
export async function readInOrder(read: RangeReader, filePlan: FilePlan, limits?: ContractLimits, schema?: CompiledSchema): Promise<Outcome> {
  const seen: SeenOrderIds = new Map();
  const linesBefore = new Map<string, number>();
  const events: ContractEvent[] = [];
  const rejections: (FileRejectedError | undefined)[] = [];
  for (const part of filePlan.parts) {
    const result = await readPart(read, filePlan, part.index, seen, limits, undefined, schema ? { schema, linesBefore: new Map(linesBefore) } : {});
    for (const event of result.events) if (event.kind === 'valid') linesBefore.set(event.order.order_id, (linesBefore.get(event.order.order_id) ?? 0) + 1);
    events.push(...result.events);
    rejections.push(result.rejection);
  }
  return { events, rejection: verdictAcross(rejections) };
}

export interface ParallelOutcome extends Outcome {
  /** Per part: valid/rejected counts of the scan adjusted by its demoted rows, and of the seeded re-read. */
  counts: { adjusted: Pick<FileCounts, 'valid' | 'rejected'>; reread: Pick<FileCounts, 'valid' | 'rejected'> }[];
}

const tally = (events: ContractEvent[]) => ({
  valid: events.filter((e) => e.kind === 'valid').length,
  rejected: events.filter((e) => e.kind === 'rejected').length,
});

/**
 * The parallel model: every part scanned with an empty seen map (its digest kept), the digests
 * merged (as sorted async streams), then every part read again with its seeds only.
 */
export async function readInParallel(read: RangeReader, filePlan: FilePlan, limits?: ContractLimits, schema?: CompiledSchema): Promise<ParallelOutcome> {
  const lines = schema && hasOrderLines(schema) ? schema.lines : null;
  const scans = await Promise.all(
    filePlan.parts.map(async (part) => {
      const digest = new FirstSeenDigest();
      const orders = schema ? PartOrders.of(schema) : null;
      const observe = (event: ContractEvent) => {
        digest.observe(event);
        orders?.observe(event);
      };
      const scan = await readPart(read, filePlan, part.index, digest.seen, limits, observe, schema ? { schema } : {});
      return { ...scan, digest: digest.entries(), orders: orders?.entries() ?? [] };
    }),
  );
  const rejection = firstRejection(scans.map((scan) => scan.rejection));
  if (rejection) return { events: [], rejection: verdictOf(rejection), counts: [] };
  const seeds = filePlan.parts.map(() => ({ seen: new Map() as SeenOrderIds, demoted: 0, rejectedOrders: new Map<string, number>(), linesBefore: new Map<string, number>() }));
  const streams = scans.map((scan) => (async function* () { yield* scan.digest; })());
  async function* seedsOf() {
    for await (const entry of mergeDigests(streams)) {
      const target = seeds[entry.part];
      if (!target) throw new Error(`a seed for part ${entry.part}, which the plan does not have`);
      target.seen.set(entry.id, entry.line);
      // With order lines the order digests say which rows the second read rejects.
      if (entry.demoted && !lines) target.demoted++;
      yield entry;
    }
  }
  if (lines && lines !== 'one') {
    for await (const order of ordersAcrossParts(scans.map((scan) => scan.orders), seedsOf(), lines)) {
      for (const one of order.parts) {
        const target = seeds[one.part];
        if (!target) throw new Error(`an order seed for part ${one.part}, which the plan does not have`);
        target.demoted += one.demoted;
        if (one.badLine > 0) target.rejectedOrders.set(one.id, one.badLine);
        if (one.before > 0) target.linesBefore.set(one.id, one.before);
      }
    }
  } else {
    for await (const entry of seedsOf()) void entry;
  }
  const rereads = await Promise.all(
    filePlan.parts.map((part) => {
      const seeded = seeds[part.index];
      const extra: Partial<ContractContext> = schema && seeded ? { schema, rejectedOrders: seeded.rejectedOrders, linesBefore: seeded.linesBefore } : {};
      return readPart(read, filePlan, part.index, seeded?.seen ?? new Map(), limits, undefined, extra);
    }),
  );
  const events = rereads.flatMap((reread) => reread.events);
  const counts = scans.map((scan, i) => {
    const scanned = tally(scan.events);
    const demoted = seeds[i]?.demoted ?? 0;
    return { adjusted: { valid: scanned.valid - demoted, rejected: scanned.rejected + demoted }, reread: tally(rereads[i]?.events ?? []) };
  });
  return { events, rejection: verdictAcross(rereads.map((r) => r.rejection)), counts };
}

export const isPlan = (value: FilePlan | Verdict): value is FilePlan => 'parts' in value;
