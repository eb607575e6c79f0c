/**
 * What the ingestion ledger holds (docs/architecture.md, "Tables"), as plain data: the item keys,
 * the statuses and the item's shape. The ledger adapter (adapters/ledger.ts) writes these items;
 * the CLI reads them with the same keys and statuses.
 */
import { randomBytes } from 'node:crypto';
import type { IngestionStatus } from './resource-names.ts';
import type { RowError } from './contract/types.ts';
import type { ObjectRef } from './event.ts';

export type FinalStatus = Exclude<IngestionStatus, 'PROCESSING'>;
export const FINAL_STATUSES: readonly FinalStatus[] = ['PROCESSED', 'PARTIAL', 'FAILED', 'DUPLICATE'];

/** A status no attempt will change again. */
export const isFinalStatus = (status: IngestionStatus | undefined): status is FinalStatus =>
  (FINAL_STATUSES as readonly string[]).includes(status ?? '');

/** Keyed on bucket + key + version (or etag): never on the event id, which moto keeps constant. */
export function fileLedgerKey(ref: Pick<ObjectRef, 'bucket' | 'key' | 'versionId' | 'etag'>): string {
  return `file#${ref.bucket}/${ref.key}#${ref.versionId ?? ref.etag}`;
}

export const contentLedgerKey = (sha256: string): string => `content#${sha256}`;

/** The attributes of a file item that name its object version (what the claim records of the event). */
export function objectAttributes(ref: ObjectRef): Pick<LedgerItem, 'bucket' | 'key' | 'version_id' | 'etag' | 'size' | 'event_time'> {
  return { bucket: ref.bucket, key: ref.key, version_id: ref.versionId, etag: ref.etag, size: ref.size, event_time: ref.eventTime };
}

/** Sortable, readable, unique: `20261122T040512Z-1a2b3c4d`. */
export function newIngestionId(now: Date, random: () => Buffer = () => randomBytes(4)): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${random().toString('hex')}`;
}

/**
 * Where a file processed in parts is (docs/architecture.md, "Large files in parts"): PLAN (the
 * ingest invocation splits it), SCAN (parts read, nothing written), DECIDE (the whole-file
 * verdict), WRITE (parts written), CONCLUDE (one outcome). Absent on a file processed whole.
 */
export type FilePhase = 'PLAN' | 'SCAN' | 'DECIDE' | 'WRITE' | 'CONCLUDE';
export const FILE_PHASES: readonly FilePhase[] = ['PLAN', 'SCAN', 'DECIDE', 'WRITE', 'CONCLUDE'];

/** The ledger item as stored (snake_case attributes). */
export interface LedgerItem {
  pk: string;
  status: IngestionStatus;
  ingestion_id: string;
  attempt_id?: string;
  attempts?: number;
  bucket: string;
  key: string;
  version_id: string | null;
  etag: string;
  size: number;
  event_time?: string;
  ingest_day: string;
  started_at: string;
  lease_expires_at?: number;
  finished_at?: string;
  duration_ms?: number;
  fingerprint?: string | null;
  rows?: number;
  written?: number;
  /** Orders written: rows of one order (its lines) count once; equal to `written` without order lines. */
  orders_written?: number;
  /** Orders rejected: with order lines, whole (a line of theirs was rejected); equal to `rejected` without them. */
  orders_rejected?: number;
  rejected?: number;
  blank?: number;
  reason?: string | null;
  duplicate_of?: string | null;
  processed_key?: string | null;
  archive_key?: string | null;
  failed_key?: string | null;
  errors_key?: string | null;
  first_errors?: RowError[];
  /** Why the file's alert could not be sent (after the SDK's retries); absent when it was sent or none was due. */
  alert_error?: string;
  /** The last infrastructure fault of an attempt that did not finish. */
  last_error?: string;
  /** Number of parts: 1 for a file processed whole. */
  parts?: number;
  /** Parts written so far (a file processed whole: 0, then 1 when it is concluded). */
  parts_done?: number;
  /**
   * A file processed in parts: its plan's id (the id of the attempt that planned it), set when it
   * enters SCAN; every step of its parts acts only while it is this plan. Before SCAN the planner
   * acts as any attempt, by `attempt_id`.
   */
  plan_id?: string;
  /** Only on a file processed in parts. */
  phase?: FilePhase;
  /** Indices of the parts scanned / written (number sets: each part is counted once, whatever the deliveries). */
  parts_scanned?: Set<number>;
  parts_written?: Set<number>;
  /** The phase whose part messages are all sent (a phase entered but not sent is resent after its lease). */
  sent_phase?: FilePhase;
  /** The part whose invocation holds DECIDE or CONCLUDE (its own redelivery takes over once the lease expires). */
  lead_part?: number;
  /** DECIDE's counts (a file read whole: pass 1's), kept for the outcome of a file that fails after rows were written. */
  planned?: { rows: number; valid: number; rejected: number; blank: number };
  /** Rows confirmed written by the parts written so far. */
  parts_rows_written?: number;
  /**
   * Per part (index as the key): the most rows any of its receives upserted, noted before it could
   * fail. A file read whole is part 0: the rows the table confirmed to its attempts, noted as confirmed (a lower bound, pipeline/rows-loaded.ts).
   */
  parts_loaded?: Record<string, number>;
  /** Rows read but not loaded: valid rows of a file that failed after (or before) part of it was written. */
  unloaded?: number;
  /** The order schema that checked the file (docs/csv-format.md "The schema file"), recorded by the claim. */
  schema_name?: string;
  schema_version?: number;
  schema_fingerprint?: string;
}

