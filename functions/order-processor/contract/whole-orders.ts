/**
 * An order is written whole or not at all (docs/csv-format.md "Orders with several lines"): when
 * any line of an order is rejected, its other lines are rejected too, each naming the bad line.
 * A first read of the file (the processor's pass 1, or `validate`'s first read; for a file in
 * parts, the parts' scans decided across parts by part-orders.ts) finds the orders with a rejected
 * line; the second read, given them as the context's `rejectedOrders`, rejects their valid rows
 * (reader.ts). Applies to schemas with order lines only: without them an order
 * is one row, and a repeated order_id stays a duplicate of the first.
 */
import { OrderIdSet } from './order-id-set.ts';
import type { CompiledSchema } from './schema/compile.ts';
import type { ContractEvent, FileCounts } from './types.ts';

/** order_id → the file line of its first rejected row. */
export type RejectedOrders = ReadonlyMap<string, number>;

/** Whether a schema's orders may have several lines, so the whole-order rule applies. */
export const hasOrderLines = (schema: Pick<CompiledSchema, 'lines'> | undefined): boolean => (schema?.lines ?? 'one') !== 'one';

/** The reason of a valid row of an order with a rejected line. */
export const wholeOrderReason = (orderId: string, badLine: number): string =>
  `order ${orderId} has a rejected line (line ${badLine}); an order is loaded only with all its lines`;

/**
 * Watches the first read's events: the orders with a rejected row (their first rejected line),
 * and how many valid rows each order has, so the second read's counts are known before it starts.
 */
export class OrdersWithRejectedLines {
  readonly orders = new Map<string, number>();
  /** order_id → valid rows so far (an arena set: one entry per order of the file). */
  private readonly validRows = new OrderIdSet();

  observe(event: ContractEvent): void {
    if (event.kind === 'valid') {
      const id = event.order.order_id;
      this.validRows.set(id, (this.validRows.get(id) ?? 0) + 1);
    } else if (event.kind === 'rejected') {
      const id = event.error.order_id;
      if (id !== null && !this.orders.has(id)) this.orders.set(id, event.error.line);
    }
  }

  /** The file's orders: every order_id of a row, valid or rejected, once. */
  get count(): number {
    let onlyRejected = 0;
    for (const id of this.orders.keys()) if (!this.validRows.has(id)) onlyRejected++;
    return this.validRows.size + onlyRejected;
  }

  /** Valid rows of the first read that the second rejects (lines of orders with a rejected line). */
  get demoted(): number {
    let rows = 0;
    for (const id of this.orders.keys()) rows += this.validRows.get(id) ?? 0;
    return rows;
  }

  /** The first read's counts as the second read gives them: the demoted rows moved from valid to rejected. */
  adjust(counts: FileCounts): FileCounts {
    const demoted = this.demoted;
    return { ...counts, valid: counts.valid - demoted, rejected: counts.rejected + demoted };
  }
}
