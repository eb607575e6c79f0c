/**
 * What handling one file produced: the outcome a person and the ledger see, and what the
 * handler gets back for a message.
 */
import type { RowError } from '../contract/types.ts';
import type { FinalStatus } from '../ledger-item.ts';
import type { DestinationKeys } from '../naming.ts';

/** One file's final outcome (the alert renders it; the ledger item records the same facts). */
export interface FileOutcome {
  status: FinalStatus;
  bucket: string;
  key: string;
  versionId: string | null;
  ingestionId: string;
  rows: number;
  written: number;
  rejected: number;
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

export type FileResult =
  /** Nothing to do: the file already has a final outcome (a redelivery), or its parts carry it on. */
  | { kind: 'skipped'; reason: string }
  /** Planned in parts: the parts queue takes it on. */
  | { kind: 'planned'; parts: number }
  | { kind: 'done'; outcome: FileOutcome; keys: DestinationKeys };
