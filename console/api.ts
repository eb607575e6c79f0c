/**
 * What the console's API does, over the same deployment/ adapters the CLI uses: each function takes
 * the connection and returns plain JSON-ready data (console/web/api-types.ts); server.ts routes to
 * them. Nothing here prints.
 */
import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { PREFIX, type LoadedSchema } from '../functions/order-processor/index.ts';
import { defaultPeriod } from '../cli/commands/dashboard.ts';
import { describeParts, outcomeDetail } from '../cli/render/file-progress.ts';
import { describeAlarms } from '../deployment/alarms.ts';
import type { Connection } from '../deployment/connect.ts';
import { queueArn } from '../deployment/connect.ts';
import { getDashboardWidgets, loadWidgetData, timeWindow } from '../deployment/dashboard-data.ts';
import { deliveryState, setDelivery } from '../deployment/delivery.ts';
import { getLedgerItem, partsProgress, prefixesOf, recentIngestions, type LedgerItem } from '../deployment/ledger-view.ts';
import { readObject, type ObjectStream } from '../deployment/objects.ts';
import { deadLetterName, processorQueues, queueName, type QueueRole } from '../deployment/processor-queues.ts';
import { moveMessages, queueDepth, startMoveTask } from '../deployment/queues.ts';
import { NotReplayableError, replayKeyFor, replayObject } from '../deployment/replay.ts';
import { contentTypeFor, rawKeyFor, uploadLedgerKey, uploadStream } from '../deployment/uploads.ts';
import { localPaths } from '../deployment/local-home.ts';
import { listOutbox } from '../local/outbox.ts';
import { queryReport, type ReportQuery } from './errors-report.ts';
import type {
  ActionResult,
  AlertList,
  AlertView,
  DashboardData,
  Download,
  FileDetail,
  Ingestion,
  IngestionList,
  Operations,
  ReportPage,
  Session,
  Uploaded,
} from './web/api-types.ts';

/** A request the API refuses, with the HTTP status to answer and a sentence for the page. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ConsoleContext {
  connection: Connection;
  /** The order schema the in-browser check uses (ORDER_SCHEMA, else the built-in one), as `validate`. */
  schema: LoadedSchema;
  /** For reading objects back (deployment/objects.ts says why it is a client of its own). */
  reader: S3Client;
}

const outputsOf = (ctx: ConsoleContext) => ctx.connection.target.outputs;

export function session(ctx: ConsoleContext): Session {
  const { target } = ctx.connection;
  const { schema, file } = ctx.schema;
  const { name, version, fingerprint } = schema.identity;
  return {
    target: target.kind,
    description: target.description,
    bucket: target.outputs.bucket_name,
    rawPrefix: PREFIX.raw,
    schema: { name, version, fingerprint, file, spec: schema.spec },
  };
}

/** A ledger item as JSON: number sets (parts scanned, written) as sorted arrays. */
function jsonItem(item: LedgerItem): LedgerItem {
  const copy: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) copy[k] = v instanceof Set ? [...(v as Set<number>)].sort((a, b) => a - b) : v;
  return copy as unknown as LedgerItem;
}

/** Where a loaded file went, by prefix (its page names the keys); why or how far otherwise, as `status` says it. */
function ingestion(item: LedgerItem): Ingestion {
  const detail = item.status === 'PROCESSED' || item.status === 'PARTIAL' ? prefixesOf(item) : outcomeDetail(item);
  return { item: jsonItem(item), parts: partsProgress(item), partsText: describeParts(item), detail };
}

export async function listIngestions(ctx: ConsoleContext, limit: number): Promise<IngestionList> {
  const items = await recentIngestions(ctx.connection.clients.doc, outputsOf(ctx).ingestions_table_name, { limit });
  return { ingestions: items.map(ingestion) };
}

async function ledgerItem(ctx: ConsoleContext, pk: string): Promise<LedgerItem> {
  if (!pk.startsWith('file#')) throw new ApiError(400, 'not the ledger key of a file');
  const item = await getLedgerItem(ctx.connection.clients.doc, outputsOf(ctx).ingestions_table_name, pk);
  if (!item) throw new ApiError(404, 'no such file in the ledger');
  return item;
}

/** The alert e-mail of a file: found in the local outbox by its ingestion id; on AWS it went by e-mail. */
function alertOf(ctx: ConsoleContext, item: LedgerItem): AlertView {
  if (item.status === 'PROCESSED' || item.status === 'PROCESSING') return { source: 'none', subject: null, text: null, note: 'no alert: alerts are sent for PARTIAL, FAILED and DUPLICATE files' };
  if (item.alert_error) return { source: 'none', subject: null, text: null, note: `the alert could not be sent: ${item.alert_error}` };
  if (ctx.connection.target.kind !== 'local') return { source: 'none', subject: null, text: null, note: 'sent by e-mail to the subscribers of the alerts topic' };
  const marker = `Ingestion:  ${item.ingestion_id}\n`;
  for (const entry of listOutbox(localPaths().outbox).reverse()) {
    const text = readFileSync(entry.path, 'utf8');
    if (text.includes(marker)) return { source: 'outbox', subject: entry.subject, text, note: entry.path };
  }
  return { source: 'none', subject: null, text: null, note: 'not (yet) captured in the local outbox' };
}

export async function fileDetail(ctx: ConsoleContext, pk: string): Promise<FileDetail> {
  const item = await ledgerItem(ctx, pk);
  const downloads: Download[] = [];
  if (item.processed_key) downloads.push({ label: 'cleaned CSV', key: item.processed_key });
  if (item.errors_key) downloads.push({ label: 'errors report', key: item.errors_key });
  const original = item.archive_key ?? item.failed_key ?? (item.status === 'PROCESSING' ? item.key : null);
  if (original) downloads.push({ label: 'original', key: original });
  return { ...ingestion(item), downloads, alert: alertOf(ctx, item), replayKey: item.archive_key ?? item.failed_key ?? null };
}

export async function errorsPage(ctx: ConsoleContext, pk: string, query: ReportQuery): Promise<ReportPage> {
  const item = await ledgerItem(ctx, pk);
  if (!item.errors_key) return { total: 0, matched: 0, offset: 0, rows: [], columns: [], kinds: [] };
  const { body } = await readObject(ctx.reader, outputsOf(ctx).bucket_name, item.errors_key);
  return queryReport(body as AsyncIterable<Uint8Array>, query);
}

/** Objects the console hands out: the pipeline's own prefixes (never staging/ internals). */
const DOWNLOADABLE = [PREFIX.raw, PREFIX.processed, PREFIX.archive, PREFIX.failed];

export async function download(ctx: ConsoleContext, key: string): Promise<ObjectStream> {
  if (!DOWNLOADABLE.some((p) => key.startsWith(p))) throw new ApiError(400, `only objects under ${DOWNLOADABLE.join(', ')} can be downloaded`);
  try {
    return await readObject(ctx.reader, outputsOf(ctx).bucket_name, key);
  } catch (e) {
    if ((e as { name?: string }).name === 'NoSuchKey') throw new ApiError(404, 'no such object (expired by the lifecycle rules?)');
    throw e;
  }
}

export async function operations(ctx: ConsoleContext): Promise<Operations> {
  const { clients } = ctx.connection;
  const o = outputsOf(ctx);
  const queues = processorQueues(o);
  const [views, delivery, alarms] = await Promise.all([
    Promise.all(
      queues.map(async (q) => ({
        role: q.role,
        name: queueName(q.role),
        deadLetterName: deadLetterName(q.role),
        depth: await queueDepth(clients.sqs, q.url),
        deadLetterDepth: await queueDepth(clients.sqs, q.deadLetterUrl),
      })),
    ),
    deliveryState(ctx.connection),
    describeAlarms(clients.cloudwatch, `${o.dashboard_name}-`),
  ]);
  const notes: string[] = [];
  if (ctx.connection.target.kind === 'local') notes.push('the emulator does not evaluate alarms: local states stay as created');
  return {
    queues: views,
    delivery,
    alarms: alarms.map((a) => ({
      name: a.AlarmName ?? '',
      state: a.StateValue ?? '',
      since: a.StateUpdatedTimestamp?.toISOString() ?? null,
      reason: a.StateReason ?? null,
    })),
    notes,
  };
}

/** Moves each DLQ's messages back to its queue, as `order-pipeline redrive` does. */
export async function redrive(ctx: ConsoleContext, role?: QueueRole): Promise<ActionResult> {
  const { target, clients } = ctx.connection;
  const messages: string[] = [];
  let ok = true;
  for (const queue of processorQueues(target.outputs).filter((q) => role === undefined || q.role === role)) {
    const dlq = deadLetterName(queue.role);
    const back = queueName(queue.role);
    const before = await queueDepth(clients.sqs, queue.deadLetterUrl);
    if (before.visible === 0) {
      messages.push(`the ${dlq} is empty; nothing to redrive`);
      continue;
    }
    if (target.kind === 'aws') {
      // SQS's own redrive: server-side, and the messages keep their attributes.
      const task = await startMoveTask(clients.sqs, await queueArn(clients.sqs, queue.deadLetterUrl), await queueArn(clients.sqs, queue.url));
      messages.push(`move task ${task.status}: ${task.moved} of ${before.visible} message(s) moved from the ${dlq} to the ${back}`);
      if (task.status === 'FAILED') ok = false;
      continue;
    }
    const result = await moveMessages(clients.sqs, queue.deadLetterUrl, queue.url);
    const after = await queueDepth(clients.sqs, queue.deadLetterUrl);
    messages.push(`moved ${result.moved} message(s) from the ${dlq} to the ${back}; ${after.visible} left in the ${dlq}`);
    if (result.failed > 0) {
      ok = false;
      messages.push(`${result.failed} message(s) could not be sent and stay in the ${dlq}`);
    }
  }
  return { ok, message: messages.join('. ') };
}

/** `pause` (enabled false) or `resume` (true). */
export async function changeDelivery(ctx: ConsoleContext, enabled: boolean): Promise<ActionResult> {
  const change = await setDelivery(ctx.connection, enabled, `order-pipeline console ${enabled ? 'resume' : 'pause'}`);
  const what = enabled
    ? 'delivery to the processor restarted: queued files and parts drain'
    : 'delivery to the processor stopped: new files keep queuing in the ingest queue until resumed';
  const poller = change.pollerRunning === false ? ' (no local poller is running right now; the state applies when `local up` runs it)' : '';
  return { ok: true, message: `${enabled ? 'resumed' : 'paused'} (was ${change.was}, now ${change.now}): ${what}${poller}` };
}

export async function replay(ctx: ConsoleContext, source: string, as?: string): Promise<ActionResult> {
  let destination: string;
  try {
    destination = replayKeyFor(source, as);
  } catch (e) {
    if (e instanceof NotReplayableError) throw new ApiError(400, e.message);
    throw e;
  }
  const bucket = outputsOf(ctx).bucket_name;
  const result = await replayObject(ctx.connection.clients.s3, bucket, source, destination);
  if (result.outcome === 'no-source') return { ok: false, message: `s3://${bucket}/${source} does not exist` };
  if (result.outcome === 'destination-exists') return { ok: false, message: `s3://${bucket}/${destination} already exists (not overwritten); choose another name` };
  return { ok: true, message: `replayed s3://${bucket}/${source} → s3://${bucket}/${destination}: the processor handles it as a new file` };
}

export async function dashboard(ctx: ConsoleContext, hours: number): Promise<DashboardData> {
  const { clients, target } = ctx.connection;
  const period = defaultPeriod(hours);
  const widgets = await getDashboardWidgets(clients.cloudwatch, target.outputs.dashboard_name);
  const window = timeWindow(hours, period);
  return {
    name: target.outputs.dashboard_name,
    start: window.start.toISOString(),
    end: window.end.toISOString(),
    period,
    widgets: await loadWidgetData(clients.cloudwatch, widgets, window),
    note: target.kind === 'local' ? "locally only the processor's own metrics have data: moto does not produce Lambda, SQS or DynamoDB metrics" : null,
  };
}

export function alerts(ctx: ConsoleContext): AlertList {
  if (ctx.connection.target.kind !== 'local') {
    return { available: false, note: 'alerts are captured only locally; on AWS they arrive by e-mail to the ALERT_EMAILS subscribers', emails: [] };
  }
  const dir = localPaths().outbox;
  const emails = listOutbox(dir)
    .map((e) => ({ number: Number.parseInt(e.file, 10), subject: e.subject, date: e.date, to: e.to, text: readFileSync(e.path, 'utf8') }))
    .reverse();
  return { available: true, note: `captured from the alerts topic into ${dir}`, emails };
}

/** A browser's file, relayed as it arrives into raw-data/<name> (multipart above 8 MiB). */
export async function upload(ctx: ConsoleContext, name: string, body: Readable, size: number | undefined, signal: AbortSignal): Promise<Uploaded> {
  if (!name || name.includes('/') || name.includes('\\') || name === '.' || name === '..') throw new ApiError(400, 'a file name without folders is required');
  const bucket = outputsOf(ctx).bucket_name;
  const key = rawKeyFor(name);
  const uploaded = await uploadStream(ctx.connection.clients.s3, bucket, key, body, { contentType: contentTypeFor(name), ...(size !== undefined ? { size } : {}), signal });
  return { key, versionId: uploaded.versionId, size: uploaded.size, pk: uploadLedgerKey(bucket, uploaded) };
}

