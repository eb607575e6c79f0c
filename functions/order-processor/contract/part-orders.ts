/**
 * Orders with several lines across the parts of a file (docs/csv-format.md "Orders with several
 * lines", docs/architecture.md "Large files in parts"): an order is loaded whole or not at all,
 * and its lines are numbered as in one read, whichever parts hold its rows.
 *
 * Planning cuts such a file between two orders (sync-lines.ts), so no order's adjacent rows
 * straddle a cut. Each part is scanned alone (an empty seen map, no rejected orders); what its
 * rows become in one read then differs only for the orders its rows share with earlier parts:
 *  - by position, an order whose rows reached an earlier part's order check comes back here: all
 *    its rows here are rejected (from its first row here);
 *  - with a line column, a (order_id, line) first seen in an earlier part is a duplicate here:
 *    its first row here, valid alone, is rejected (part-ids.ts: the seed is `demoted`).
 * Those are exactly the seeds of part-ids.ts. Knowing them, the orders with a rejected row — and
 * the first such row of each, in file order — follow from each part's digest of its orders: the
 * first line of each order there, its first rejected line there, and its valid rows. A part's
 * valid rows of such an order are rejected on its second read ("an order is loaded only with all
 * its lines"); the other orders are loaded, each counted once; and an `id` line column numbers an
 * order's rows on from its valid rows in earlier parts.
 */
import { compareIds, mergeById, type SeedEntry } from './part-ids.ts';
import { OrderIdSet } from './order-id-set.ts';
import type { CompiledSchema } from './schema/compile.ts';
import type { ContractEvent } from './types.ts';

/** One order as one part's scan saw it. */
export interface PartOrderEntry {
  id: string;
  /** The line of its first row in the part. */
  first: number;
  /** The line of its first rejected row in the part; 0 when none. */
  rejected: number;
  /** Its valid rows in the part. */
  valid: number;
}

/** What one part's second read needs to know of one of its orders. */
export interface OrderSeed {
  part: number;
  id: string;
  /** The order has a rejected row: the first one's line (its valid rows here are rejected naming it); else 0. */
  badLine: number;
  /** The order's valid rows in earlier parts (its lines here are numbered on from there); 0 when none. */
  before: number;
  /** Its rows here that the scan found valid and the second read rejects. */
  demoted: number;
}

/** One order of the file, decided across its parts. */
export interface OrderAcrossParts {
  id: string;
  /** Loaded: no row of it is rejected. */
  loaded: boolean;
  /** Per part holding rows of it, in part order. */
  parts: OrderSeed[];
}

/**
 * Watches one part's events (read alone) and keeps, per order, its first line, first rejected
 * line and valid rows. Rows whose order_id is not well-formed are left out: such an id is never a
 * valid row's, so whether its order is loaded changes nothing (and the staged digest stays ASCII).
 */
export class PartOrders {
  private readonly index = new OrderIdSet();
  private readonly first: number[] = [];
  private readonly rejected: number[] = [];
  private readonly valid: number[] = [];

  constructor(private readonly isKey: (id: string) => boolean) {}

  /** For the orders of a schema (its key rule decides which ids are well-formed). */
  static of(schema: Pick<CompiledSchema, 'orderKey' | 'key'>): PartOrders {
    const keyOf = schema.orderKey({ raw: [schema.key], canonical: [schema.key], unknownColumns: [] });
    return new PartOrders((id) => keyOf([id]) === id);
  }

  observe(event: ContractEvent): void {
    let id: string | null;
    let line: number;
    if (event.kind === 'valid') {
      id = event.order.order_id;
      line = event.line;
    } else if (event.kind === 'rejected') {
      id = event.error.order_id;
      line = event.error.line;
    } else {
      return;
    }
    if (id === null || !this.isKey(id)) return;
    let at = this.index.get(id);
    if (at === undefined) {
      at = this.first.length;
      this.index.set(id, at);
      this.first.push(line);
      this.rejected.push(0);
      this.valid.push(0);
    }
    if (event.kind === 'valid') this.valid[at] = (this.valid[at] ?? 0) + 1;
    else if (this.rejected[at] === 0) this.rejected[at] = line;
  }

  /** The entries, sorted by id (compareIds). */
  entries(): PartOrderEntry[] {
    return [...this.index]
      .map(([id, at]) => ({ id, first: this.first[at] ?? 0, rejected: this.rejected[at] ?? 0, valid: this.valid[at] ?? 0 }))
      .sort((a, b) => compareIds(a.id, b.id));
  }
}

/** The order a seen-map entry belongs to: by position the entry is the order_id; with a line column, order_id NUL line. */
function orderOfEntry(entry: string): string {
  const nul = entry.indexOf('\u0000');
  return nul < 0 ? entry : entry.slice(0, nul);
}

/**
 * Decides every order of a file in parts from the parts' order digests (each sorted by id) and the
 * seeds of part-ids.ts's mergeDigests (sorted by entry, hence by order). Yields the orders in id
 * order.
 */
export async function* ordersAcrossParts(
  digests: readonly (AsyncIterable<PartOrderEntry> | Iterable<PartOrderEntry>)[],
  seeds: AsyncIterable<SeedEntry>,
  lines: 'column' | 'by-position',
): AsyncGenerator<OrderAcrossParts> {
  const pending = seeds[Symbol.asyncIterator]();
  let seed = await pending.next();
  let group: { part: number; entry: PartOrderEntry }[] = [];
  const decide = async (): Promise<OrderAcrossParts> => {
    const id = (group[0] as { entry: PartOrderEntry }).entry.id;
    // This order's seeds: an order's seeds are contiguous, in the same id order as the digests.
    const mine: SeedEntry[] = [];
    while (!seed.done && compareIds(orderOfEntry(seed.value.id), id) <= 0) {
      if (orderOfEntry(seed.value.id) === id) mine.push(seed.value);
      seed = await pending.next();
    }
    return decideOrder(id, group, mine, lines);
  };
  for await (const item of mergeById(digests, 'order digest')) {
    if (group.length > 0 && group[0]?.entry.id !== item.entry.id) {
      yield await decide();
      group = [];
    }
    group.push(item);
  }
  if (group.length > 0) yield await decide();
  // Every seed belongs to an order of its part's digest; read to the end all the same, so that a
  // caller staging the seeds as they pass gets them all.
  while (!seed.done) seed = await pending.next();
}

function decideOrder(id: string, group: readonly { part: number; entry: PartOrderEntry }[], seeds: readonly SeedEntry[], lines: 'column' | 'by-position'): OrderAcrossParts {
  // The first rejected row of the order in one read: parts are in file order.
  let badLine = 0;
  for (const { part, entry } of group) {
    const mine = seeds.filter((s) => s.part === part);
    let first = entry.rejected > 0 ? entry.rejected : Infinity;
    if (lines === 'by-position') {
      if (mine.length > 0) first = entry.first;
    } else {
      for (const s of mine) if (s.demoted) first = Math.min(first, s.partLine);
    }
    if (first !== Infinity) {
      badLine = first;
      break;
    }
  }
  let before = 0;
  const parts = group.map(({ part, entry }): OrderSeed => {
    const seed: OrderSeed = { part, id, badLine, before: badLine === 0 ? before : 0, demoted: badLine === 0 ? 0 : entry.valid };
    before += entry.valid;
    return seed;
  });
  return { id, loaded: badLine === 0, parts };
}
