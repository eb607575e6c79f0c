/**
 * The intermediate objects of a file processed in parts, under `staging/<ingestionId>/` in the
 * data bucket: what one step hands to the next when the steps run in different invocations. Each
 * is written whole before the ledger records the step, so a step that finds the ledger saying
 * "done" also finds its result here. Deleted when the file concludes; expired by lifecycle if not.
 */
import type { FilePlan } from '../../contract/parts.ts';
import type { FileCounts, RowError } from '../../contract/types.ts';
import type { ObjectRef } from '../../event.ts';
import { PREFIX } from '../../resource-names.ts';
import type { Verdict } from '../decide.ts';
import type { ObjectStore } from '../ports.ts';

/** Part numbers padded so that a listing sorts in part order. */
const pad = (part: number): string => String(part).padStart(5, '0');

export function stagingKeys(ingestionId: string) {
  const prefix = `${PREFIX.staging}${ingestionId}/`;
  return {
    prefix,
    /** The decompressed copy of a gzip file (what its parts read). */
    input: `${prefix}input.csv`,
    plan: `${prefix}plan.json`,
    decision: `${prefix}decision.json`,
    scan: (part: number) => `${prefix}scan-${pad(part)}.json`,
    digest: (part: number) => `${prefix}digest-${pad(part)}.ndjson`,
    seeds: (part: number) => `${prefix}seeds-${pad(part)}.ndjson`,
    /** With order lines: the part's orders as its scan saw them (contract/part-orders.ts). */
    orders: (part: number) => `${prefix}orders-${pad(part)}.ndjson`,
    /** With order lines: what the part's write needs of its orders (rejected whole, lines before). */
    orderSeeds: (part: number) => `${prefix}order-seeds-${pad(part)}.ndjson`,
    written: (part: number) => `${prefix}written-${pad(part)}.json`,
    cleaned: (part: number) => `${prefix}cleaned-${pad(part)}.csv`,
    errors: (part: number) => `${prefix}errors-${pad(part)}.csv`,
  };
}

export type StagingKeys = ReturnType<typeof stagingKeys>;

/** What the planning attempt decided: which bytes the parts read, and where each part lies. */
export interface StoredPlan {
  /** The planning attempt's id (the ledger item's plan_id). */
  planId: string;
  /** The bytes the parts read: the original, or the decompressed staging copy of a gzip file. */
  source: ObjectRef;
  /** The original's fingerprint when it was read whole while planning (a gzip file), else null. */
  originalFingerprint: string | null;
  /** "Now" for every part (the order_date rule), so that all parts and both of their reads judge alike. */
  now: string;
  plan: FilePlan;
}

/** A file-level problem found in a part: the file's is the one at the smallest offset. */
export interface PartProblem {
  reason: string;
  line: number;
  offset: number;
}

/** What scanning one part found (nothing written). */
export interface PartScan {
  part: number;
  counts: FileCounts;
  problem: PartProblem | null;
  /** The hashes of the aligned blocks that start in the part's range (fingerprint.ts), from block `first` on. */
  blocks: { first: number; hashes: string[] };
  /** Size of its order_id digest (NDJSON, sorted by id). */
  digestBytes: number;
  /** With order lines: size of its order digest (NDJSON, sorted by id). */
  ordersBytes?: number;
}

/** DECIDE's result for a file that is written: the verdict and what each part must find again. */
export interface StoredDecision {
  verdict: Verdict & { kind: 'write' };
  fingerprint: string | null;
  totals: FileCounts;
  /** Per part: the counts its write must reproduce (its scan's, after the cross-part duplicates). */
  expected: FileCounts[];
  /** Per part: how many order_ids it is seeded with (first seen in an earlier part). */
  seeded: number[];
  /**
   * The cleaned CSV's columns, from the plan's header (the unknown columns a `keep` schema keeps):
   * the parts' slices have them, CONCLUDE writes them as the header line once. Absent from a
   * decision staged before it was recorded: then the schema's columns without kept ones.
   */
  cleanedColumns?: string[];
  /** With order lines: the orders loaded (each once, whichever parts hold its rows). */
  ordersWritten?: number;
  /** With order lines, per part: how many of its orders have order seeds. */
  orderSeeded?: number[];
}

/** What writing one part did. */
export interface PartWrite {
  part: number;
  counts: FileCounts;
  /** Rows the orders table confirmed. */
  written: number;
  firstErrors: RowError[];
  /** Sizes of its slices of the cleaned CSV and of the errors report (0: none). */
  cleanedBytes: number;
  errorsBytes: number;
}

/** Reads a staged JSON object; a missing one is an infrastructure fault (retried), never bad data. */
export async function readStaged<T>(objects: ObjectStore, bucket: string, key: string): Promise<T> {
  const text = await objects.getText(bucket, key);
  if (text === null) throw new Error(`the staging object s3://${bucket}/${key} is missing`);
  return JSON.parse(text) as T;
}

export async function writeStaged(objects: ObjectStore, bucket: string, key: string, value: unknown): Promise<void> {
  await objects.putText(bucket, key, JSON.stringify(value));
}

export { mapBounded } from '../../contract/parts.ts';

/** Staging objects read or written at once. */
export const STAGING_CONCURRENCY = 16;

/** Part indices 0..n-1. */
export const partIndices = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
