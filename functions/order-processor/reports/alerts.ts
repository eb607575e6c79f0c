/**
 * The alert a person can act on, as text: which file, what happened, counts, first errors, where
 * the report is, what to do next. Everything that comes from the file or its key is rendered
 * inert (reports/inert.ts), so a crafted order_id or key cannot add lines of its own. Sending it
 * is the alert publisher's job (adapters/alert-publisher.ts).
 */
import type { RowError } from '../contract/types.ts';
import { BUILT_IN_SCHEMA } from '../contract/schema/built-in.ts';
import type { SchemaIdentity } from '../contract/schema/compile.ts';
import type { FinalStatus } from '../ledger-item.ts';
import type { FileOutcome } from '../pipeline/outcome.ts';
import { escapeControls, quoted } from './inert.ts';

/** A rendered alert: what the publisher sends. */
export interface Alert {
  subject: string;
  body: string;
  /** Message attributes, for subscription filter policies. */
  attributes: Record<string, string>;
}

export const MAX_ALERT_ERRORS = 10;
/** Per-text cap for what the ledger item and the alert repeat (the errors report keeps it all). */
export const MAX_SUMMARY_CHARS = 1000;

/** Clips to at most `max` UTF-16 units, never between the two halves of a surrogate pair. */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

/**
 * The first errors as the ledger and the alert carry them: at most MAX_ALERT_ERRORS, each text
 * clipped. A cell can hold up to a megabyte, and a DynamoDB item (400 KB) or an SNS message
 * (256 KB) that is too large would fail the record for ever: bad data must not reach the DLQ.
 */
export function summarizeErrors(errors: readonly RowError[]): RowError[] {
  return errors.slice(0, MAX_ALERT_ERRORS).map((e) => ({
    line: e.line,
    order_id: e.order_id === null ? null : clip(e.order_id, 100),
    column: e.column,
    reason: clip(e.reason, MAX_SUMMARY_CHARS),
  }));
}

/** A file-level reason as the ledger and the alert carry it. */
export const summarizeReason = (reason: string | null): string | null =>
  reason === null ? null : clip(reason, 2 * MAX_SUMMARY_CHARS);
/** SNS: "less than 100 characters" (the API rejects longer subjects and the publish would fail for ever). */
const SUBJECT_LIMIT = 99;

export const needsAlert = (status: FinalStatus): boolean => status !== 'PROCESSED';

/** SNS subjects must be ASCII without line breaks or control characters and under 100 characters. */
export function alertSubject(outcome: FileOutcome, stage?: string): string {
  // The last segment of the key; a key ending in `/` keeps its last folder name and the slash.
  const name = /[^/]*\/?$/.exec(outcome.key)?.[0] ?? outcome.key;
  const what =
    outcome.status === 'PARTIAL'
      ? `${outcome.rejected} of ${outcome.rows} rows rejected`
      : outcome.status === 'DUPLICATE'
        ? 'duplicate file, nothing written'
        : outcome.written > 0
          ? `failed, ${outcome.written} of ${outcome.rows} rows written`
          : 'file rejected, nothing written';
  const prefix = `[order-pipeline${stage ? ` ${stage}` : ''}] ${outcome.status}: `;
  const ascii = (s: string) => s.replace(/[^\x20-\x7e]/g, '?');
  const subject = ascii(`${prefix}${name} (${what})`);
  return subject.length <= SUBJECT_LIMIT ? subject : `${subject.slice(0, SUBJECT_LIMIT - 3)}...`;
}

function nextSteps(outcome: FileOutcome): string[] {
  switch (outcome.status) {
    case 'PARTIAL':
      return [
        `${outcome.written} valid rows were written; the ${outcome.rejected} rejected rows were not.`,
        'Fix the rejected rows listed in the errors report, save them as a new CSV with the same header,',
        'and upload that file to raw-data/. Re-uploading the whole file is safe: writes are idempotent upserts.',
      ];
    case 'DUPLICATE':
      return [
        'The same bytes were already processed, so nothing was written again.',
        'If this upload was intentional (e.g. a correction), change the content and upload again;',
        'otherwise no action is needed.',
      ];
    default:
      if (outcome.written > 0) {
        // A file that failed after rows were written (a part that failed for good, a whole file stopped or deleted mid-write).
        return [
          `${outcome.written} rows were written before processing stopped; the other ${outcome.rows - outcome.written} were not (${outcome.unloaded} valid, ${outcome.rejected} rejected).`,
          'The counts are as of this alert: a part of the file still writing when it failed adds its rows to the',
          `ledger afterwards (order-pipeline status shows the final count; every row is under ingestion_id ${outcome.ingestionId}).`,
          'Once the problem named above is fixed, upload the file again: writes are idempotent upserts.',
        ];
      }
      return [
        'Nothing from this file was written.',
        'Fix the problem named above (see docs/csv-format.md for the format), then upload the corrected file to raw-data/.',
        `Check it first with: order-pipeline validate <file>`,
      ];
  }
}

/**
 * The orders, when they differ from the rows: an order of several lines counts once, and with order
 * lines an order with a rejected line is rejected whole (docs/csv-format.md "Counting rows and orders").
 */
function ordersLine(outcome: FileOutcome): string[] {
  const written = outcome.ordersWritten ?? outcome.written;
  const rejected = outcome.ordersRejected ?? outcome.rejected;
  if (written === outcome.written && rejected === outcome.rejected) return [];
  const why = rejected > 0 ? 'an order of several lines counts once, and is loaded only with all its lines' : 'an order of several lines counts once';
  return [`Orders:     ${written} written, ${rejected} rejected (${why})`];
}

export function alertBody(outcome: FileOutcome, schema: SchemaIdentity = BUILT_IN_SCHEMA.identity): string {
  const lines = [
    `File:       ${quoted(`s3://${outcome.bucket}/${outcome.key}`)}${outcome.versionId ? ` (version ${quoted(outcome.versionId)})` : ''}`,
    `Outcome:    ${outcome.status}${outcome.reason ? ` - ${escapeControls(outcome.reason)}` : ''}`,
    `Ingestion:  ${outcome.ingestionId}`,
    outcome.status === 'FAILED' && outcome.rows === 0
      ? 'Rows:       none loaded: the file was rejected as a whole, so no row counts (see the reason above)'
      : `Rows:       ${outcome.rows} data rows: ${outcome.written} written, ${outcome.rejected} rejected; ${outcome.blank} blank lines skipped`,
    ...ordersLine(outcome),
    `Schema:     ${quoted(schema.name)} version ${schema.version} (fingerprint ${schema.fingerprint})`,
  ];
  if (outcome.duplicateOf) lines.push(`Same content as: ${quoted(outcome.duplicateOf)}`);
  if (outcome.errorsReport) lines.push(`Errors report:   ${quoted(outcome.errorsReport)}`);
  if (outcome.original) lines.push(`Original file:   ${quoted(outcome.original)}`);
  if (outcome.processed) lines.push(`Cleaned CSV:     ${quoted(outcome.processed)}`);
  if (outcome.firstErrors.length > 0) {
    const shown = outcome.firstErrors.slice(0, MAX_ALERT_ERRORS);
    lines.push('', `First ${shown.length} error(s)${outcome.rejected > shown.length ? ` of ${outcome.rejected}` : ''}:`);
    for (const e of shown) {
      const where = [`line ${e.line}`, e.order_id ? `order ${quoted(e.order_id)}` : null, e.column ? `column ${quoted(e.column)}` : null];
      lines.push(`  - ${where.filter(Boolean).join(', ')}: ${escapeControls(e.reason)}`);
    }
  }
  lines.push('', 'What to do next:', ...nextSteps(outcome).map((s) => `  ${s}`));
  return `${lines.join('\n')}\n`;
}

/** The alert of a file's outcome; `schema`: the order schema that checked it (the built-in one when absent). */
export function renderAlert(outcome: FileOutcome, stage?: string, schema?: SchemaIdentity): Alert {
  return {
    subject: alertSubject(outcome, stage),
    body: alertBody(outcome, schema),
    attributes: { status: outcome.status, ingestion_id: outcome.ingestionId },
  };
}
