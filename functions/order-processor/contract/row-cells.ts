/**
 * A record's fields → the cells the row rules read (rules.ts RowCells), by the header's canonical
 * columns.
 */
import type { CanonicalColumn } from './headers.ts';
import type { RowCells } from './rules.ts';
import type { HeaderInfo } from './types.ts';

/** Where each canonical column is in the header's fields (-1: the header has no such column). */
export type ColumnPositions = Readonly<Record<CanonicalColumn, number>>;

export const NO_COLUMNS: ColumnPositions = columnPositions({ canonical: [] });

export function columnPositions(header: Pick<HeaderInfo, 'canonical'>): ColumnPositions {
  const at = (column: CanonicalColumn) => header.canonical.indexOf(column);
  return {
    order_id: at('order_id'),
    customer_id: at('customer_id'),
    customer_name: at('customer_name'),
    customer_email: at('customer_email'),
    product_sku: at('product_sku'),
    product_name: at('product_name'),
    quantity: at('quantity'),
    unit_price: at('unit_price'),
    currency: at('currency'),
    order_date: at('order_date'),
  };
}

/**
 * A record's trimmed cells by canonical column (undefined: not in the header), as one object
 * literal: every row gets the same shape, where storing the columns one by one under a computed
 * name cost more per row than most of the rules.
 */
export function rowCells(cells: readonly string[], at: ColumnPositions): RowCells {
  return {
    order_id: cellAt(cells, at.order_id),
    customer_id: cellAt(cells, at.customer_id),
    customer_name: cellAt(cells, at.customer_name),
    customer_email: cellAt(cells, at.customer_email),
    product_sku: cellAt(cells, at.product_sku),
    product_name: cellAt(cells, at.product_name),
    quantity: cellAt(cells, at.quantity),
    unit_price: cellAt(cells, at.unit_price),
    currency: cellAt(cells, at.currency),
    order_date: cellAt(cells, at.order_date),
  };
}

function cellAt(cells: readonly string[], i: number): string | undefined {
  return i < 0 ? undefined : (cells[i] ?? '').trim();
}
