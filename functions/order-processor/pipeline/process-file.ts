/**
 * Handling of one S3 object, end to end (DESIGN §1, §4, §5).
 *
 * Two streaming passes over the same object version, so that a whole-file rejection or a
 * duplicate is known before anything is written, and memory never grows with file size:
 *  1. read + sha256 + the full contract, counting only → fingerprint and file-level verdict;
 *  2. only for a file with valid rows (or an all-rejected file, for its report): valid rows →
 *     DynamoDB and the cleaned CSV, rejected rows → the errors report.
 * Bad data never throws; infrastructure faults throw (after releasing the claim) so SQS retries.
 */
import { createHash, type Hash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { FileRejectedError, type ContractContext, type ContractEvent, type FileCounts, type Order, type RowError } from '../contract/types.ts';
import { fileNameProblem } from '../contract/file-name.ts';
import { MAX_ALERT_ERRORS, needsAlert, publishAlert, summarizeErrors, summarizeReason, type FileOutcome } from '../reports/alerts.ts';
import { cleanedHeaderLine, cleanedRowLine, errorReportHeaderLine, errorReportLine } from '../reports/csv-output.ts';
import { DynamoBatchWriter, documentClientSender, type WriteItem, type WriterOptions } from '../adapters/dynamo-writer.ts';
import type { ObjectRef } from '../event.ts';
import { Ledger } from '../adapters/ledger.ts';
import { fileLedgerKey, type FinalStatus } from '../ledger-item.ts';
import { destinationKeys, s3Uri, type DestinationKeys } from '../naming.ts';
import { recordFileMetrics } from '../observability.ts';
import {
  copyOriginal,
  isGoneError,
  MAX_SINGLE_COPY_BYTES,
  openObject,
  removeFromLanding,
  resolveEventKey,
  startUpload,
  type StreamingUpload,
} from '../adapters/s3-objects.ts';
import { ORDERS_HASH_KEY } from '../settings.ts';

/** The contract reader's signature (contract/reader.ts). */
export type ReadOrders = (
  input: NodeJS.ReadableStream | AsyncIterable<Uint8Array>,
  ctx: ContractContext,
) => AsyncGenerator<ContractEvent>;

export interface ProcessorConfig {
  dataBucket?: string;
  ordersTable: string;
  ingestionsTable: string;
  alertsTopicArn: string;
  writeConcurrency: number;
  writeRetryDeadlineMs: number;
  /** How long a claim is held before another attempt may take over a stuck PROCESSING item. */
  leaseMs: number;
  stage?: string;
}

export interface ProcessorDeps {
  s3: S3Client;
  doc: DynamoDBDocumentClient;
  sns: SNSClient;
  config: ProcessorConfig;
  readOrders: ReadOrders;
  logger: Logger;
  metrics: Metrics;
  now?: () => Date;
  /** Test hooks for the writer (sleep, clock, backoff). */
  writer?: Partial<Omit<WriterOptions, 'keyOf'>>;
}

export type FileResult =
  | { kind: 'skipped'; reason: string }
  | { kind: 'done'; outcome: FileOutcome; keys: DestinationKeys };

/** Another attempt holds a live claim on the file: retry later (not a data problem). */
export class FileBusyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FileBusyError';
  }
}

/** An internal invariant broke (row counts differ between passes, or written ≠ valid). */
export class ConservationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConservationError';
  }
}

/** Hashes and counts bytes as the reader pulls them; can finish reading what the reader left. */
class HashingSource implements AsyncIterable<Uint8Array> {
  private readonly hash: Hash = createHash('sha256');
  private readonly source: AsyncIterator<Uint8Array>;
  bytes = 0;
  complete = false;

  constructor(body: AsyncIterable<Uint8Array>) {
    this.source = body[Symbol.asyncIterator]();
  }

  private async next(): Promise<Uint8Array | null> {
    const r = await this.source.next();
    if (r.done) {
      this.complete = true;
      return null;
    }
    this.hash.update(r.value);
    this.bytes += r.value.byteLength;
    return r.value;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    for (let chunk = await this.next(); chunk; chunk = await this.next()) yield chunk;
  }

  /** Reads any bytes the reader did not consume, so the fingerprint covers the whole object. */
  async finish(): Promise<string> {
    while (!this.complete) await this.next();
    return this.hash.digest('hex');
  }
}

interface Scan {
  counts: FileCounts;
  firstErrors: RowError[];
  fileError: FileRejectedError | null;
}

const emptyCounts = (): FileCounts => ({ rows: 0, valid: 0, rejected: 0, blank: 0 });

/** Pass 1: the whole contract, nothing written. */
async function scan(input: AsyncIterable<Uint8Array>, ctx: ContractContext, readOrders: ReadOrders): Promise<Scan> {
  const counts = emptyCounts();
  const firstErrors: RowError[] = [];
  try {
    for await (const event of readOrders(input, ctx)) {
      if (event.kind === 'valid') {
        counts.valid++;
      } else if (event.kind === 'rejected') {
        counts.rejected++;
        if (firstErrors.length < MAX_ALERT_ERRORS) firstErrors.push(event.error);
      } else if (event.kind === 'blank') {
        counts.blank++;
      }
    }
  } catch (error) {
    if (error instanceof FileRejectedError) {
      // Like `validate` (contract/summary.ts FileTally.reject): a file rejected as a whole counts
      // zero rows, whatever was read before the line that stopped it (nothing of it is loaded).
      return { counts: emptyCounts(), firstErrors: [], fileError: error };
    }
    throw error;
  }
  counts.rows = counts.valid + counts.rejected;
  return { counts, firstErrors, fileError: null };
}

const sameCounts = (a: FileCounts, b: FileCounts) =>
  a.rows === b.rows && a.valid === b.valid && a.rejected === b.rejected && a.blank === b.blank;

export async function processFile(eventRef: ObjectRef, deps: ProcessorDeps): Promise<FileResult> {
  const { s3, logger, config } = deps;
  const ref = await resolveEventKey(s3, eventRef);
  if (ref.key !== eventRef.key) {
    logger.appendKeys({ s3_key: ref.key });
    logger.info('The event carried the key URL-encoded; using the decoded key', { event_key: eventRef.key });
  }
  const now = deps.now ?? (() => new Date());
  const ledger = new Ledger(deps.doc, config.ingestionsTable);
  const pk = fileLedgerKey(ref);
  const attemptStart = now();

  const claim = await ledger.claimFile(ref, { now: attemptStart, leaseMs: config.leaseMs });
  if (claim.kind === 'final') {
    logger.appendKeys({ ingestion_id: claim.item.ingestion_id });
    logger.info('File already handled: redelivery ignored', { status: claim.item.status, finished_at: claim.item.finished_at });
    // An earlier attempt may have recorded the outcome and then failed to remove the original.
    // Only when a copy was routed: a file left in raw-data/ on purpose (over 5 GiB) must stay.
    if (claim.item.archive_key || claim.item.failed_key) await removeFromLanding(s3, ref);
    return { kind: 'skipped', reason: `already ${claim.item.status}` };
  }
  if (claim.kind === 'busy') {
    throw new FileBusyError(
      `${s3Uri(ref.bucket, ref.key)} is being processed by another attempt (ingestion ${claim.item.ingestion_id}, lease until ${new Date(claim.item.lease_expires_at ?? 0).toISOString()}); will retry`,
    );
  }

  const ingestionId = claim.item.ingestion_id;
  logger.appendKeys({ ingestion_id: ingestionId });
  const keys = destinationKeys(ref.key, ingestionId, new Date(claim.item.started_at));
  const ctx: ContractContext = {
    sourceKey: ref.key,
    ingestionId,
    // The first attempt's start: a retry of the same file writes identical items (idempotent upserts).
    processedAt: claim.item.started_at,
    now: attemptStart,
  };
  logger.info('Processing file', { size: ref.size, attempt: claim.item.attempts });

  const run = new FileRun(ref, deps, ledger, claim.attemptId, ingestionId, keys, ctx, attemptStart, now);
  try {
    const outcome = await run.execute();
    return { kind: 'done', outcome, keys };
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    if (run.heldContent) await ledger.releaseContent(run.heldContent, pk);
    await ledger.release(pk, claim.attemptId, reason);
    throw error;
  }
}

/** One attempt at one file, after the claim. */
class FileRun {
  private readonly pk: string;
  /** The content fingerprint this attempt claimed (released again if the attempt fails). */
  heldContent: string | null = null;

  constructor(
    private readonly ref: ObjectRef,
    private readonly deps: ProcessorDeps,
    private readonly ledger: Ledger,
    private readonly attemptId: string,
    private readonly ingestionId: string,
    private readonly keys: DestinationKeys,
    private readonly ctx: ContractContext,
    private readonly attemptStart: Date,
    private readonly now: () => Date,
  ) {
    this.pk = fileLedgerKey(ref);
  }

  private get uri() {
    return (key: string) => s3Uri(this.ref.bucket, key);
  }

  async execute(): Promise<FileOutcome> {
    const { ref, deps } = this;
    if (ref.size > MAX_SINGLE_COPY_BYTES) return this.tooLarge();
    const nameProblem = fileNameProblem(ref.key);
    if (nameProblem) return this.rejectWholeFile('FAILED', emptyCounts(), { reason: nameProblem, bytes: 0 });
    const body1 = await this.open();
    if (!body1) return this.objectGone();
    const source = new HashingSource(body1);
    let pass1: Scan;
    let fingerprint: string;
    try {
      pass1 = await scan(source, this.ctx, deps.readOrders);
      // A rejected file needs no fingerprint: only files with rows to write claim their content.
      fingerprint = pass1.fileError ? '' : await source.finish();
    } finally {
      body1.destroy();
    }
    const { counts } = pass1;

    if (pass1.fileError) {
      return this.rejectWholeFile('FAILED', counts, {
        reason: pass1.fileError.reason,
        reportLine: pass1.fileError.line ?? 1,
        bytes: source.bytes,
      });
    }
    const bytes = source.bytes;

    if (counts.rows === 0) {
      return this.rejectWholeFile('FAILED', counts, { reason: 'the file has a header but no data rows', bytes, fingerprint });
    }

    if (counts.valid > 0) {
      const holder = await this.ledger.claimContent(
        fingerprint,
        { pk: this.pk, ingestionId: this.ingestionId, bucket: ref.bucket, key: ref.key },
        this.now(),
      );
      if (!holder) {
        this.heldContent = fingerprint;
      } else {
        const original = await this.ledger.get(holder);
        const holderUri = original ? s3Uri(original.bucket, original.key) : holder;
        return this.rejectWholeFile('DUPLICATE', counts, {
          reason: `same content (sha256 ${fingerprint.slice(0, 12)}…) as ${holderUri}${original ? `, ingestion ${original.ingestion_id}, ${original.status}` : ''}`,
          bytes,
          fingerprint,
          duplicateOf: holder,
        });
      }
    }

    // Pass 2: write.
    const body2 = await this.open();
    if (!body2) return this.objectGone();
    const pass2 = await this.write(body2, counts);
    if (counts.valid === 0) {
      return this.rejectWholeFile('FAILED', counts, {
        reason: `all ${counts.rows} data rows were rejected`,
        firstErrors: pass2.firstErrors,
        bytes,
        fingerprint,
      });
    }
    return this.conclude(counts.rejected > 0 ? 'PARTIAL' : 'PROCESSED', counts, {
      reason: counts.rejected > 0 ? `${counts.rejected} of ${counts.rows} data rows were rejected` : null,
      firstErrors: pass2.firstErrors,
      written: pass2.written,
      bytes,
      fingerprint,
      routeTo: this.keys.archive,
      errorsKey: counts.rejected > 0 ? this.keys.errors : null,
      processedKey: this.keys.processed,
    });
  }

  /**
   * Nothing of the file is written: every data row counts as rejected (rows = 0 + rejected), the
   * original goes to failed-data/, and the errors report says why (one line naming the file-level
   * reason, unless pass 2 already wrote the row-by-row report).
   */
  private async rejectWholeFile(
    status: 'FAILED' | 'DUPLICATE',
    counts: FileCounts,
    o: {
      reason: string;
      bytes: number;
      fingerprint?: string;
      /** Row errors already reported by pass 2. */
      firstErrors?: RowError[];
      /** Line the file-level reason refers to (default 1, the header). */
      reportLine?: number;
      duplicateOf?: string;
    },
  ): Promise<FileOutcome> {
    let firstErrors = o.firstErrors;
    if (!firstErrors) {
      const error: RowError = { line: o.reportLine ?? 1, order_id: null, column: null, reason: o.reason };
      await this.writeSingleErrorReport(error);
      firstErrors = [error];
    }
    return this.conclude(status, { ...counts, rejected: counts.rows }, {
      reason: o.reason,
      bytes: o.bytes,
      fingerprint: o.fingerprint,
      duplicateOf: o.duplicateOf,
      firstErrors,
      written: 0,
      routeTo: this.keys.failed,
      errorsKey: this.keys.errors,
    });
  }

  /** GetObject pinned to the event's version/etag; null when that version no longer exists. */
  private async open(): Promise<Readable | null> {
    try {
      return await openObject(this.deps.s3, this.ref);
    } catch (error) {
      if (isGoneError(error)) return null;
      throw error;
    }
  }

  /**
   * Over CopyObject's 5 GiB limit (and far beyond what two passes can read within Lambda's 15
   * minutes): decided before reading anything; the original stays in raw-data/ for an operator.
   */
  private tooLarge(): Promise<FileOutcome> {
    const gib = (this.ref.size / 1024 ** 3).toFixed(1);
    return this.conclude('FAILED', emptyCounts(), {
      reason: `the file is ${gib} GiB; files over 5 GiB are not processed - split it into smaller files and upload those`,
      firstErrors: [],
      written: 0,
      bytes: 0,
      routeTo: null,
      errorsKey: null,
    });
  }

  /** Deleted or overwritten before we could read it: nothing to route; the newer version has its own event. */
  private async objectGone(): Promise<FileOutcome> {
    if (this.heldContent) {
      await this.ledger.releaseContent(this.heldContent, this.pk);
      this.heldContent = null;
    }
    const reason = 'the object version named in the event no longer exists (deleted or overwritten before it was processed)';
    return this.conclude('FAILED', emptyCounts(), {
      reason,
      firstErrors: [],
      written: 0,
      bytes: 0,
      routeTo: null,
      errorsKey: null,
    });
  }

  private async writeSingleErrorReport(error: RowError): Promise<void> {
    const report = startUpload(this.deps.s3, this.ref.bucket, this.keys.errors);
    try {
      await report.write(errorReportHeaderLine());
      await report.write(errorReportLine(error));
      await report.finish();
    } catch (e) {
      await report.abort();
      throw e;
    }
  }

  /** Pass 2: valid rows → DynamoDB + cleaned CSV, rejected rows → report; checks conservation. */
  private async write(body: Readable, expected: FileCounts): Promise<{ written: number; firstErrors: RowError[] }> {
    const { deps } = this;
    const writer = new DynamoBatchWriter(documentClientSender(deps.doc, deps.config.ordersTable), {
      keyOf: (item) => String(item[ORDERS_HASH_KEY]),
      concurrency: deps.config.writeConcurrency,
      retryDeadlineMs: deps.config.writeRetryDeadlineMs,
      onRetry: (info) => deps.logger.warn('Retrying DynamoDB batch write', info),
      ...deps.writer,
    });
    const uploads: StreamingUpload[] = [];
    const cleaned = expected.valid > 0 ? startUpload(deps.s3, this.ref.bucket, this.keys.processed) : null;
    const report = expected.rejected > 0 ? startUpload(deps.s3, this.ref.bucket, this.keys.errors) : null;
    if (cleaned) uploads.push(cleaned);
    if (report) uploads.push(report);
    const counts = emptyCounts();
    const firstErrors: RowError[] = [];
    try {
      await cleaned?.write(cleanedHeaderLine());
      await report?.write(errorReportHeaderLine());
      for await (const event of deps.readOrders(body, this.ctx)) {
        if (event.kind === 'valid') {
          counts.valid++;
          if (!cleaned) throw new ConservationError('a row was valid in pass 2 but no row was valid in pass 1');
          await writer.put(toItem(event.order));
          await cleaned.write(cleanedRowLine(event.order));
        } else if (event.kind === 'rejected') {
          counts.rejected++;
          if (!report) throw new ConservationError('a row was rejected in pass 2 but none was in pass 1');
          if (firstErrors.length < MAX_ALERT_ERRORS) firstErrors.push(event.error);
          await report.write(errorReportLine(event.error));
        } else if (event.kind === 'blank') {
          counts.blank++;
        }
      }
      counts.rows = counts.valid + counts.rejected;
      await writer.flush();
      for (const upload of uploads) await upload.finish();
    } catch (error) {
      body.destroy();
      await Promise.all(uploads.map((u) => u.abort()));
      if (error instanceof FileRejectedError) {
        throw new ConservationError(`the file was accepted in pass 1 but rejected in pass 2: ${error.reason}`);
      }
      throw error;
    }
    if (!sameCounts(counts, expected)) {
      throw new ConservationError(`row counts differ between passes: ${JSON.stringify(expected)} then ${JSON.stringify(counts)}`);
    }
    if (writer.written !== counts.valid) {
      throw new ConservationError(`${counts.valid} valid rows but DynamoDB confirmed ${writer.written} writes`);
    }
    return { written: writer.written, firstErrors };
  }

  /** Routes the original, alerts, records the outcome, then removes the original from raw-data/. */
  private async conclude(
    status: FinalStatus,
    counts: FileCounts,
    o: {
      reason: string | null;
      firstErrors: RowError[];
      written: number;
      bytes: number;
      fingerprint?: string;
      routeTo: string | null;
      errorsKey: string | null;
      processedKey?: string;
      duplicateOf?: string;
    },
  ): Promise<FileOutcome> {
    const { ref, deps } = this;
    if (counts.rows !== o.written + counts.rejected) {
      throw new ConservationError(`rows ${counts.rows} ≠ written ${o.written} + rejected ${counts.rejected}`);
    }
    if (o.routeTo) await copyOriginal(deps.s3, ref, o.routeTo);
    const reason = summarizeReason(o.reason);
    const firstErrors = summarizeErrors(o.firstErrors);

    const outcome: FileOutcome = {
      status,
      bucket: ref.bucket,
      key: ref.key,
      versionId: ref.versionId,
      ingestionId: this.ingestionId,
      rows: counts.rows,
      written: o.written,
      rejected: counts.rejected,
      blank: counts.blank,
      reason,
      firstErrors,
      errorsReport: o.errorsKey ? this.uri(o.errorsKey) : null,
      original: o.routeTo ? this.uri(o.routeTo) : null,
      processed: o.processedKey ? this.uri(o.processedKey) : null,
      duplicateOf: o.duplicateOf ?? null,
    };
    // Alert before the ledger turns final: a failed publish is retried with the record
    // (a repeated alert is better than a lost one).
    if (needsAlert(status)) await publishAlert(deps.sns, deps.config.alertsTopicArn, outcome, deps.config.stage);

    const finished = this.now();
    const durationMs = finished.getTime() - this.attemptStart.getTime();
    await this.ledger.finish(this.pk, this.attemptId, {
      status,
      finished_at: finished.toISOString(),
      duration_ms: durationMs,
      fingerprint: o.fingerprint ?? null,
      rows: counts.rows,
      written: o.written,
      rejected: counts.rejected,
      blank: counts.blank,
      reason,
      duplicate_of: o.duplicateOf ?? null,
      processed_key: o.processedKey ?? null,
      archive_key: status === 'PROCESSED' || status === 'PARTIAL' ? o.routeTo : null,
      failed_key: status === 'PROCESSED' || status === 'PARTIAL' ? null : o.routeTo,
      errors_key: o.errorsKey,
      first_errors: firstErrors,
    });
    // From here on the fingerprint belongs to a finished file and is never released.
    this.heldContent = null;

    // Counted now that the outcome is final, exactly once: if removing the original fails below,
    // the retry finds the file final and only removes it (the handler publishes metrics either way).
    recordFileMetrics(deps.metrics, {
      status,
      rows: counts.rows,
      written: o.written,
      rejected: counts.rejected,
      // A rejected file may not have been read to the end; the object's size is what arrived.
      bytes: Math.max(o.bytes, ref.size),
      durationMs,
    });
    deps.logger.info('File handled', {
      status,
      rows: counts.rows,
      written: o.written,
      rejected: counts.rejected,
      blank: counts.blank,
      reason,
      duration_ms: durationMs,
      destination: o.routeTo,
      errors_report: o.errorsKey,
      processed: o.processedKey ?? null,
    });
    if (o.routeTo) await removeFromLanding(deps.s3, ref);
    return outcome;
  }
}

/** The DynamoDB item: the validated order, optional attributes omitted when absent. */
function toItem(order: Order): WriteItem {
  const item: WriteItem = {};
  for (const [k, v] of Object.entries(order)) if (v !== undefined && v !== null && v !== '') item[k] = v;
  return item;
}
