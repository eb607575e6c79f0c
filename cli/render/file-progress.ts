/**
 * A file's progress and outcome in a few words, from its ledger item (status, upload --wait, the
 * poller). Reasons, errors and keys come from files and keys: shown through the one escaper. Pure.
 */
import { destinationOf, partsProgress, type LedgerItem } from '../../deployment/ledger-view.ts';
import { escapeControls } from './inert.ts';

/**
 * Where a file split into parts stands: `scanning 5/8`, `parts 3/8 written`, … while PROCESSING,
 * `8 parts` once final; null for a file processed in one piece.
 */
export function describeParts(item: LedgerItem): string | null {
  const p = partsProgress(item);
  if (!p) return null;
  if (item.status !== 'PROCESSING') return `${p.parts} parts`;
  switch (p.phase) {
    case 'PLAN':
      return `planning ${p.parts} parts`;
    case 'SCAN':
      return p.scanned === null ? `scanning ${p.parts} parts` : `scanning ${p.scanned}/${p.parts}`;
    case 'DECIDE':
      return `deciding (${p.parts}/${p.parts} scanned)`;
    case 'CONCLUDE':
      return `concluding (${p.parts}/${p.parts} written)`;
    default:
      return `parts ${p.written}/${p.parts} written`;
  }
}

/** The `parts` column: how many parts a split file has, `-` for one processed in one piece. */
export const partsCell = (item: LedgerItem): string | number => partsProgress(item)?.parts ?? '-';

/**
 * The `orders` column: orders written, and those rejected whole when any (`4 (1 rejected)`);
 * an order of several lines counts once. Older items: one per row.
 */
export function ordersCell(item: LedgerItem): string | number {
  const written = item.orders_written ?? item.written;
  if (written === undefined) return '-';
  const rejected = item.orders_rejected ?? item.rejected ?? 0;
  return rejected > 0 ? `${written} (${rejected} rejected)` : written;
}

/** The last column of a ledger row: why (FAILED, DUPLICATE), how far (PROCESSING), or where it went. */
export function outcomeDetail(item: LedgerItem): string {
  if (item.status === 'FAILED' || item.status === 'DUPLICATE') return escapeControls(item.reason ?? '');
  if (item.status === 'PROCESSING') {
    const attempt = `attempt ${item.attempts ?? 1}${item.last_error ? `: ${escapeControls(item.last_error)}` : ''}`;
    const parts = describeParts(item);
    return parts ? `${parts} (${attempt})` : attempt;
  }
  return escapeControls(destinationOf(item));
}
