/**
 * The ledger's part protocol for a file in parts (docs/architecture.md, "Large files in parts"):
 * every write is conditional on the item being PROCESSING under the plan (its plan_id), so a
 * superseded plan or a final file is never changed, each part is counted once, and each step
 * (DECIDE, CONCLUDE) is claimed by one invocation at a time.
 */
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LEDGER } from '../resource-names.ts';
import type { LedgerItem, FilePhase } from '../ledger-item.ts';
import type { PhaseCondition } from '../pipeline/ports.ts';
import { isConditionFailure, setExpression } from './ledger-expressions.ts';

/**
 * The item is under plan `:plan`. Items planned before plan_id existed carry the plan's id only
 * as attempt_id (the planner's claim, held until the file concludes).
 */
const UNDER_PLAN = '(#plan_id = :plan OR (attribute_not_exists(#plan_id) AND #attempt_id = :plan))';
const PLAN_NAMES = { '#plan_id': 'plan_id', '#attempt_id': 'attempt_id' } as const;

/**
 * One step of a file in parts: sets `values` only while the item is PROCESSING under this plan
 * (before SCAN: the planning attempt's attempt_id; from SCAN on: plan_id) and in the expected phase — with, when asked, its lease expired (a
 * takeover) or the phase's messages not all sent; removes the `remove` attributes. False when
 * the condition does not hold.
 */
export async function updatePhase(
  doc: DynamoDBDocumentClient,
  tableName: string,
  pk: string,
  planId: string,
  expect: PhaseCondition,
  values: Partial<LedgerItem>,
  remove: readonly (keyof LedgerItem)[] = [],
): Promise<boolean> {
  const set = setExpression({ ...values });
  if (Object.keys(set.values).length === 0 && remove.length === 0) throw new Error('updatePhase needs something to set or remove');
  const planning = expect.phase === null || expect.phase === 'PLAN';
  const conditions = [planning ? '#attempt_id = :plan' : UNDER_PLAN, '#status = :processing'];
  const names: Record<string, string> = { ...set.names, ...(planning ? { '#attempt_id': 'attempt_id' } : PLAN_NAMES), '#status': 'status', '#phase': 'phase' };
  const vals: Record<string, unknown> = { ...set.values, ':plan': planId, ':processing': 'PROCESSING' };
  if (expect.phase === null) {
    conditions.push('(attribute_not_exists(#phase) OR #phase = :planPhase)');
    vals[':planPhase'] = 'PLAN' satisfies FilePhase;
  } else {
    conditions.push('#phase = :expected');
    vals[':expected'] = expect.phase;
  }
  if (expect.leaseExpiredAt) {
    conditions.push('(attribute_not_exists(#lease) OR #lease < :nowMs)');
    names['#lease'] = 'lease_expires_at';
    vals[':nowMs'] = expect.leaseExpiredAt.getTime();
  }
  if (expect.unsent && expect.phase !== null) {
    conditions.push('(attribute_not_exists(#sent) OR #sent <> :expected)');
    names['#sent'] = 'sent_phase';
  }
  try {
    await doc.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { [LEDGER.hashKey]: pk },
        UpdateExpression: [
          Object.keys(set.values).length > 0 ? set.expression : '',
          remove.length > 0 ? `REMOVE ${remove.map((name) => `#rm_${name}`).join(', ')}` : '',
        ].join(' ').trim(),
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: { ...names, ...Object.fromEntries(remove.map((name) => [`#rm_${name}`, name])) },
        ExpressionAttributeValues: vals,
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/**
 * Counts part `part` as scanned or written, exactly once however often its message is
 * delivered: its index joins a number set only if it is not in it yet (a written part also adds
 * to `parts_done` and to the rows written). Returns the item as it is after counting it, or
 * null when it was counted already (or the file is not in that phase of that plan).
 */
export async function markPart(
  doc: DynamoDBDocumentClient,
  tableName: string,
  pk: string,
  planId: string,
  phase: 'SCAN' | 'WRITE',
  part: number,
  rowsWritten: number,
): Promise<LedgerItem | null> {
  const names: Record<string, string> = {
    '#set': phase === 'SCAN' ? 'parts_scanned' : 'parts_written',
    ...PLAN_NAMES,
    '#status': 'status',
    '#phase': 'phase',
  };
  const values: Record<string, unknown> = { ':part': new Set([part]), ':index': part, ':plan': planId, ':processing': 'PROCESSING', ':phase': phase };
  let adds = '#set :part';
  if (phase === 'WRITE') {
    adds += ', #done :one, #rows :rows';
    Object.assign(names, { '#done': 'parts_done', '#rows': 'parts_rows_written' });
    Object.assign(values, { ':one': 1, ':rows': rowsWritten });
  }
  try {
    const out = await doc.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { [LEDGER.hashKey]: pk },
        UpdateExpression: `ADD ${adds}`,
        ConditionExpression: `${UNDER_PLAN} AND #status = :processing AND #phase = :phase AND NOT contains(#set, :index)`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return out.Attributes as LedgerItem;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
  return null;
}

/**
 * Records that part `part` has upserted `rows` rows so far (the most any of its receives
 * confirmed), before it can fail: a file whose part fails for good then counts them as written.
 * Only while the item is PROCESSING under this plan in WRITE (false otherwise); never lowers the
 * figure (true then too: it is recorded).
 */
export async function notePartLoaded(doc: DynamoDBDocumentClient, tableName: string, pk: string, planId: string, part: number, rows: number): Promise<boolean> {
  try {
    await doc.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { [LEDGER.hashKey]: pk },
        UpdateExpression: 'SET #loaded.#part = :rows',
        ConditionExpression: `${UNDER_PLAN} AND #status = :processing AND #phase = :write AND (attribute_not_exists(#loaded.#part) OR #loaded.#part < :rows)`,
        ExpressionAttributeNames: { '#loaded': 'parts_loaded', '#part': String(part), ...PLAN_NAMES, '#status': 'status', '#phase': 'phase' },
        ExpressionAttributeValues: { ':rows': rows, ':plan': planId, ':processing': 'PROCESSING', ':write': 'WRITE' satisfies FilePhase },
      }),
    );
    return true;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
  // Not noted: already as high, or the file is not in WRITE under this plan any more.
  const out = await doc.send(new GetCommand({ TableName: tableName, Key: { [LEDGER.hashKey]: pk }, ConsistentRead: true }));
  const item = out.Item as LedgerItem | undefined;
  return item?.status === 'PROCESSING' && item.phase === 'WRITE' && (item.plan_id ?? item.attempt_id) === planId;
}

/**
 * A file read whole is its one part, part 0: the rows the orders table has confirmed for this
 * ingestion so far (pipeline/rows-loaded.ts) and pass 1's counts, while the item is PROCESSING
 * and not in parts; never lowers the figure.
 */
export async function noteWholeLoaded(doc: DynamoDBDocumentClient, tableName: string, pk: string, rowsLoaded: number, planned: NonNullable<LedgerItem['planned']>): Promise<void> {
  try {
    await doc.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { [LEDGER.hashKey]: pk },
        // The whole map: a file read whole has no other part.
        UpdateExpression: 'SET #loaded = :loaded, #planned = :planned',
        ConditionExpression: '#status = :processing AND (attribute_not_exists(#phase) OR #phase = :plan) AND (attribute_not_exists(#loaded.#part) OR #loaded.#part < :rows)',
        ExpressionAttributeNames: { '#loaded': 'parts_loaded', '#part': '0', '#planned': 'planned', '#status': 'status', '#phase': 'phase' },
        ExpressionAttributeValues: { ':loaded': { '0': rowsLoaded }, ':rows': rowsLoaded, ':planned': planned, ':processing': 'PROCESSING', ':plan': 'PLAN' satisfies FilePhase },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

/**
 * Sets a FAILED file's counts for rows written after (or while) another part failed it
 * (parts/fail-file.ts), once: only while `written` is still what the caller read and, with `part`,
 * the part's noted figure is still `before` (then raised to `rows`); else false: read again.
 */
export async function amendFailed(
  doc: DynamoDBDocumentClient,
  tableName: string,
  pk: string,
  planId: string,
  part: { index: number; before: number; rows: number } | null,
  expect: { written: number },
  values: Required<Pick<LedgerItem, 'written' | 'orders_written' | 'unloaded' | 'reason'>>,
): Promise<boolean> {
  const set = setExpression({ ...values });
  const names: Record<string, string> = { ...set.names, ...PLAN_NAMES, '#status': 'status', '#written': 'written' };
  const vals: Record<string, unknown> = { ...set.values, ':plan': planId, ':failed': 'FAILED', ':before_written': expect.written };
  let update = set.expression;
  let condition = `${UNDER_PLAN} AND #status = :failed AND #written = :before_written`;
  if (part) {
    Object.assign(names, { '#loaded': 'parts_loaded', '#part': String(part.index) });
    Object.assign(vals, { ':rows': part.rows, ':before': part.before });
    update += ', #loaded.#part = :rows';
    condition += part.before === 0 ? ' AND (attribute_not_exists(#loaded.#part) OR #loaded.#part = :before)' : ' AND #loaded.#part = :before';
  }
  try {
    await doc.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { [LEDGER.hashKey]: pk },
        UpdateExpression: update,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: vals,
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}
