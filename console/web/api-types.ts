/**
 * What the console's API sends: shared by the server (console/api.ts) and the page, so both agree
 * at compile time. Plain JSON: a ledger item's number sets arrive as arrays.
 */
import type { LedgerItem } from '../../functions/order-processor/ledger-item.ts';
import type { PartsProgress } from '../../deployment/ledger-view.ts';
import type { QueueDepth } from '../../deployment/queues.ts';
import type { WidgetData } from '../../deployment/dashboard-data.ts';

export type { ReportPage, ReportRow } from '../errors-report.ts';
export type { LedgerItem, PartsProgress, QueueDepth, WidgetData };

export interface Session {
  target: 'local' | 'aws';
  description: string;
  bucket: string;
  /** The raw-data/ prefix uploads go to. */
  rawPrefix: string;
  /** The order schema the check in the browser compiles (the same file `validate` would use). */
  schema: { name: string; version: number; fingerprint: string; file: string; spec: unknown };
}

/** A ledger item as JSON, with what the console says of it. */
export interface Ingestion {
  item: LedgerItem;
  parts: PartsProgress | null;
  /** `scanning 5/8`, `8 parts`… (the CLI's words), or null for a file processed whole. */
  partsText: string | null;
  /** Why (FAILED, DUPLICATE), how far (PROCESSING), or where it went, by prefix. */
  detail: string;
}

export interface IngestionList {
  ingestions: Ingestion[];
}

export interface Download {
  label: string;
  key: string;
}

export interface AlertView {
  /** Where the text comes from: the local outbox, or none on AWS (sent by e-mail). */
  source: 'outbox' | 'none';
  subject: string | null;
  text: string | null;
  note: string;
}

export interface FileDetail extends Ingestion {
  downloads: Download[];
  alert: AlertView;
  /** A key that `replay` accepts for this file (its archived or failed original), or null. */
  replayKey: string | null;
}

export interface QueueView {
  role: 'ingest' | 'parts';
  name: string;
  deadLetterName: string;
  depth: QueueDepth;
  deadLetterDepth: QueueDepth;
}

export interface AlarmView {
  name: string;
  state: string;
  since: string | null;
  reason: string | null;
}

export interface Operations {
  queues: QueueView[];
  delivery: { enabled: boolean; detail: string };
  alarms: AlarmView[];
  notes: string[];
}

export interface ActionResult {
  ok: boolean;
  /** What was done, in one or more sentences (the CLI's words where it has them). */
  message: string;
}

export interface DashboardData {
  name: string;
  start: string;
  end: string;
  period: number;
  widgets: WidgetData[];
  note: string | null;
}

export interface AlertEmail {
  number: number;
  subject: string;
  date: string;
  to: string;
  text: string;
}

export interface AlertList {
  available: boolean;
  note: string;
  emails: AlertEmail[];
}

export interface Uploaded {
  key: string;
  versionId: string | null;
  size: number;
  /** The ledger key to follow it by. */
  pk: string;
}

export interface ApiError {
  error: string;
}
