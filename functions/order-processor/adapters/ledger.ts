/**
 * The ingestion ledger (docs/architecture.md, "Tables"; layout in resource-names.ts LEDGER): one item
 * per S3 object version, claimed with a conditional write before any work so repeated or
 * concurrent deliveries of the same object do not process it twice, plus `content#<sha256>` items
 * that detect the same bytes arriving under another key.
 */
import { randomBytes } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SchemaIdentity } from '../contract/schema/compile.ts';
import { LEDGER } from '../resource-names.ts';
import type { ObjectRef } from '../event.ts';
import { contentLedgerKey, fileLedgerKey, newIngestionId, objectAttributes, type FinalStatus, type LedgerItem, type FilePhase } from '../ledger-item.ts';
import { isConditionFailure, setExpression } from './ledger-expressions.ts';
import { amendFailed, markPart, notePartLoaded, noteWholeLoaded, updatePhase } from './ledger-parts.ts';
import { LedgerConflictError } from '../pipeline/errors.ts';
import type { ClaimOptions, ClaimResult, ContentOwner, LateRowsValues, LedgerPort, PartMark, PhaseCondition, PlannedCounts } from '../pipeline/ports.ts';

export type { ClaimOptions, ClaimResult } from '../pipeline/ports.ts';

export class Ledger implements LedgerPort {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** The schema this processor checks files with: recorded on every claim. */
    private readonly schema?: SchemaIdentity,
  ) {}

  async get(pk: string): Promise<LedgerItem | null> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { [LEDGER.hashKey]: pk }, ConsistentRead: true }),
    );
    return (out.Item as LedgerItem | undefined) ?? null;
  }

  /**
   * Claims the file: creates it as PROCESSING, or takes over a PROCESSING item whose lease
   * expired (a crashed or timed-out attempt). The ingestion id, start time and day survive a
   * takeover, so a retry writes to the same destination keys instead of creating new ones.
   */
  async claimFile(ref: ObjectRef, options: ClaimOptions): Promise<ClaimResult> {
    const pk = fileLedgerKey(ref);
    const attemptId = randomBytes(8).toString('hex');
    const startedAt = options.now.toISOString();
    const set = setExpression(
      {
        status: 'PROCESSING',
        attempt_id: attemptId,
        lease_expires_at: options.now.getTime() + options.leaseMs,
        attempt_started_at: startedAt,
        ingestion_id: options.ingestionId ?? newIngestionId(options.now),
        started_at: startedAt,
        [LEDGER.byDayHashKey]: startedAt.slice(0, 10),
        ...objectAttributes(ref),
        // A file processed whole is one part; planning a file in parts sets how many.
        parts: 1,
        parts_done: 0,
        ...(this.schema ? schemaAttributes(this.schema) : {}),
      },
      new Set(['ingestion_id', 'started_at', LEDGER.byDayHashKey, 'parts', 'parts_done']),
    );
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [LEDGER.hashKey]: pk },
          UpdateExpression: `${set.expression} ADD #attempts :one`,
          // A file in parts past planning is no longer the ingest message's: its parts carry it on.
          ConditionExpression:
            'attribute_not_exists(#pk) OR (#status = :processing AND (attribute_not_exists(#lease_expires_at) OR #lease_expires_at < :nowMs) AND (attribute_not_exists(#phase) OR #phase = :plan))',
          ExpressionAttributeNames: { ...set.names, '#pk': LEDGER.hashKey, '#attempts': 'attempts', '#phase': 'phase' },
          ExpressionAttributeValues: {
            ...set.values,
            ':one': 1,
            ':processing': 'PROCESSING',
            ':plan': 'PLAN' satisfies FilePhase,
            ':nowMs': options.now.getTime(),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { kind: 'claimed', item: out.Attributes as LedgerItem, attemptId };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const existing = await this.get(pk);
    if (!existing) {
      // Vanished between the two calls (deleted by an operator): let SQS retry the claim.
      throw new Error(`ledger item ${pk} changed while claiming it; retry`);
    }
    if (existing.status !== 'PROCESSING') return { kind: 'final', item: existing };
    return existing.phase && existing.phase !== 'PLAN' ? { kind: 'in-parts', item: existing } : { kind: 'busy', item: existing };
  }

  /**
   * Claims a content fingerprint for a file. Returns null when the claim is ours, or the file pk of
   * the file that already holds it (→ DUPLICATE). A holder that can no longer finish — its file
   * item is gone, FAILED, or PROCESSING with an expired lease (a timed-out attempt whose message
   * went to the DLQ) — does not count: its claim is taken over, so re-uploading such a file under
   * another key is processed instead of being called a duplicate forever.
   */
  async claimContent(sha256: string, file: ContentOwner, now: Date): Promise<string | null> {
    const ck = contentLedgerKey(sha256);
    let takeOverFrom: string | null = null;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              [LEDGER.hashKey]: ck,
              file_pk: file.pk,
              ingestion_id: file.ingestionId,
              bucket: file.bucket,
              key: file.key,
              claimed_at: now.toISOString(),
            },
            ConditionExpression: takeOverFrom
              ? '#file_pk = :stale'
              : 'attribute_not_exists(#pk) OR attribute_not_exists(#file_pk) OR #file_pk = :mine',
            ExpressionAttributeNames: takeOverFrom ? { '#file_pk': 'file_pk' } : { '#pk': LEDGER.hashKey, '#file_pk': 'file_pk' },
            ExpressionAttributeValues: takeOverFrom ? { ':stale': takeOverFrom } : { ':mine': file.pk },
          }),
        );
        return null;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      const holder = await this.get(ck);
      const holderPk = (holder as unknown as { file_pk?: string } | null)?.file_pk;
      if (!holderPk) {
        takeOverFrom = null;
        continue;
      }
      if (!(await this.isStaleHolder(holderPk, now))) return holderPk;
      takeOverFrom = holderPk;
    }
    throw new Error(`content claim ${ck} kept changing while claiming it; retry`);
  }

  /** A content holder whose file can no longer become PROCESSED/PARTIAL. */
  private async isStaleHolder(holderPk: string, now: Date): Promise<boolean> {
    const item = await this.get(holderPk);
    if (!item) return true;
    if (item.status === 'FAILED') return true;
    // A file in parts past planning always ends in an outcome (a part that keeps failing fails it).
    if (item.phase && item.phase !== 'PLAN') return false;
    return item.status === 'PROCESSING' && (item.lease_expires_at ?? 0) < now.getTime();
  }

  /**
   * Gives the fingerprint back after an infrastructure fault, so content whose only holder never
   * finished (e.g. ended in the DLQ) is not reported as a duplicate later. Best effort.
   */
  async releaseContent(sha256: string, filePk: string): Promise<void> {
    try {
      // An update, not a delete: the ledger role needs no dynamodb:DeleteItem.
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [LEDGER.hashKey]: contentLedgerKey(sha256) },
          UpdateExpression: 'REMOVE #file_pk SET #released_by = :mine',
          ConditionExpression: '#file_pk = :mine',
          ExpressionAttributeNames: { '#file_pk': 'file_pk', '#released_by': 'released_by' },
          ExpressionAttributeValues: { ':mine': filePk },
        }),
      );
    } catch {
      // best effort: a retry of the same file re-claims its own fingerprint anyway
    }
  }

  /**
   * Records the outcome; only the attempt that holds the claim may (for a file in parts: its
   * plan, whose id is the planning attempt's), and only once: a file already final stays as it is.
   */
  async finish(pk: string, attemptId: string, outcome: Partial<LedgerItem> & { status: FinalStatus }): Promise<void> {
    const set = setExpression({ ...outcome });
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [LEDGER.hashKey]: pk },
          UpdateExpression: `${set.expression} REMOVE #lease_expires_at`,
          ConditionExpression: '#attempt_id = :attempt AND #status = :processing',
          ExpressionAttributeNames: { ...set.names, '#lease_expires_at': 'lease_expires_at', '#attempt_id': 'attempt_id', '#status': 'status' },
          ExpressionAttributeValues: { ...set.values, ':attempt': attemptId, ':processing': 'PROCESSING' },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) {
        throw new LedgerConflictError(`ledger item ${pk} was taken over or concluded by another attempt before this one finished; retry`);
      }
      throw error;
    }
  }

  /** One step of a file in parts (ledger-parts.ts). */
  updatePhase(pk: string, planId: string, expect: PhaseCondition, values: Partial<LedgerItem>, remove: readonly (keyof LedgerItem)[] = []): Promise<boolean> {
    return updatePhase(this.doc, this.tableName, pk, planId, expect, values, remove);
  }

  /** Counts a part scanned or written, once (ledger-parts.ts). */
  async markPart(pk: string, planId: string, phase: 'SCAN' | 'WRITE', part: number, rowsWritten = 0): Promise<PartMark> {
    const item = await markPart(this.doc, this.tableName, pk, planId, phase, part, rowsWritten);
    return item ? { marked: true, item } : { marked: false, item: await this.get(pk) };
  }

  /** Rows a part has upserted so far (ledger-parts.ts). */
  notePartLoaded(pk: string, planId: string, part: number, rows: number): Promise<boolean> {
    return notePartLoaded(this.doc, this.tableName, pk, planId, part, rows);
  }

  /** Rows of a file read whole the table has confirmed so far, and pass 1's counts (ledger-parts.ts). */
  noteWholeLoaded(pk: string, rowsLoaded: number, planned: PlannedCounts): Promise<void> {
    return noteWholeLoaded(this.doc, this.tableName, pk, rowsLoaded, planned);
  }

  /** A late part's rows added to its FAILED file (ledger-parts.ts). */
  amendFailed(pk: string, planId: string, part: { index: number; before: number; rows: number } | null, expect: { written: number }, values: LateRowsValues): Promise<boolean> {
    return amendFailed(this.doc, this.tableName, pk, planId, part, expect, values);
  }

  /**
   * After an infrastructure fault: keep the item PROCESSING (not final) but expire the lease so
   * the SQS retry can take it over at once, and give back the content fingerprint the attempt
   * claimed. Only while the item is still this attempt's and not final: once the outcome is
   * recorded, the fingerprint belongs to a finished file and is never released. Best effort; a
   * stale lease expires by itself.
   */
  async release(pk: string, attemptId: string, reason: string, content: string | null = null): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [LEDGER.hashKey]: pk },
          UpdateExpression: 'SET #lease_expires_at = :zero, #last_error = :reason',
          ConditionExpression: '#attempt_id = :attempt AND #status = :processing',
          ExpressionAttributeNames: {
            '#lease_expires_at': 'lease_expires_at',
            '#last_error': 'last_error',
            '#attempt_id': 'attempt_id',
            '#status': 'status',
          },
          ExpressionAttributeValues: { ':zero': 0, ':reason': reason.slice(0, 1000), ':attempt': attemptId, ':processing': 'PROCESSING' },
        }),
      );
    } catch {
      // Best effort (DynamoDB may be the thing that is down), and not ours any more when the
      // condition failed: then the content claim is left alone too.
      return;
    }
    if (content) await this.releaseContent(content, pk);
  }
}

/** The ledger attributes of a schema's identity (a takeover records the schema of the attempt that checks the file). */
export function schemaAttributes(schema: SchemaIdentity): Pick<LedgerItem, 'schema_name' | 'schema_version' | 'schema_fingerprint'> {
  return { schema_name: schema.name, schema_version: schema.version, schema_fingerprint: schema.fingerprint };
}
