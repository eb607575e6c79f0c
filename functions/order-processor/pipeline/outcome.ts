/**
 * What handling one file produced: the outcome a person and the ledger see, and what the
 * handler gets back for a message.
 */
import type { RowError } from '../contract/types.ts';
import type { FinalStatus } from '../ledger-item.ts';
import type { DestinationKeys } from '../naming.ts';
import { countText } from '../contract/headers.ts';

/** One file's final outcome (the alert renders it; the ledger item records the same facts). */
export interface FileOutcome {
  status: FinalStatus;
  bucket: string;
  key: string;
  versionId: string | null;
  ingestionId: string;
  rows: number;
  written: number;
  /** Orders written (rows of the same order count once); absent: one per row written. */
  ordersWritten?: number;
  /** Orders rejected (with order lines: whole, for a rejected line); absent: one per row rejected. */
  ordersRejected?: number;
  rejected: number;
  /** Valid rows read but not loaded (a file that failed after some or none of its rows were written). */
  unloaded: number;
  blank: number;
  /** File-level reason (rejection, duplicate, all rows rejected), or null. */
  reason: string | null;
  firstErrors: RowError[];
  /** s3:// URIs. */
  errorsReport: string | null;
  original: string | null;
  processed: string | null;
  duplicateOf: string | null;
}

/**
 * How far a file that failed midway was loaded, for its reason and alert: the rows that ARE in the
 * orders table under its ingestion id, and those that are not.
 */
export function loadedSoFar(written: number, unloaded: number, ingestionId: string, atLeast = false): string {
  if (written === 0) return unloaded > 0 ? `nothing was loaded (${countText(unloaded)} valid rows are not in the table)` : 'nothing was loaded';
  if (atLeast) return `at least ${countText(written)} rows are loaded in the orders table under ingestion_id ${ingestionId} (query it for the exact rows); at most ${countText(unloaded)} valid rows are not loaded`;
  const rest = unloaded > 0 ? `; the other ${countText(unloaded)} valid rows are not loaded` : '';
  return `${countText(written)} rows are loaded in the orders table under ingestion_id ${ingestionId}${rest}`;
}

export type FileResult =
  /** Nothing to do: the file already has a final outcome (a redelivery), or its parts carry it on. */
  | { kind: 'skipped'; reason: string }
  /** Planned in parts: the parts queue takes it on. */
  | { kind: 'planned'; parts: number }
  | { kind: 'done'; outcome: FileOutcome; keys: DestinationKeys };
