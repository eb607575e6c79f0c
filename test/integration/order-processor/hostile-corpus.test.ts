/**
 * The hostile corpus (test/fixtures/hostile/README.md) through the real handler against moto:
 * the ledger must agree with what `validate` says of each file (expected.json, checked against
 * validateFile by the unit test of the same name), and the orders table must hold exactly the
 * valid rows.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { readOrders } from '../../../functions/order-processor/contract/reader.ts';
import { CORPUS_FILES as FILES, corpusPath, EXPECTED_OUTCOMES as EXPECTED, type ExpectedOutcome } from '../../fixtures/hostile/corpus.ts';
import { env, ledgerItem, objectCreatedBody, ORDERS, putRaw, run, sqsEvent, useProcessorEnvironment, type PutResult } from './setup.ts';

useProcessorEnvironment();

/** The ledger's final status for each `validate` status. */
const LEDGER_STATUS = { VALID: 'PROCESSED', PARTIAL: 'PARTIAL', REJECTED: 'FAILED' } as const;

/** Records per SQS batch, as the event-source mapping would deliver them. */
const BATCH = 10;

/** The valid rows' order_ids, read with the contract itself (what validate counts as valid). */
async function validIds(name: string): Promise<string[]> {
  const ids: string[] = [];
  const now = new Date();
  try {
    for await (const event of readOrders(createReadStream(corpusPath(name)), { sourceKey: name, ingestionId: 'ids', processedAt: now.toISOString(), now })) {
      if (event.kind === 'valid') ids.push(event.order.order_id);
    }
  } catch {
    return []; // rejected as a whole: nothing is written
  }
  return ids;
}

const uploaded = new Map<string, PutResult>();
const savedCaps = { MAX_FILE_MB: process.env.MAX_FILE_MB, MAX_FILE_LINES: process.env.MAX_FILE_LINES };

beforeAll(async () => {
  // The corpus is judged under the default caps, as validate judges it with none set.
  delete process.env.MAX_FILE_MB;
  delete process.env.MAX_FILE_LINES;
  // The handler's logs and metrics are not under test here: keep them off the test output.
  const quiet = [process.stdout, process.stderr].map((stream) => vi.spyOn(stream, 'write').mockImplementation(() => true));
  for (const name of FILES) uploaded.set(name, await putRaw(`raw-data/hostile/${name}`, readFileSync(corpusPath(name))));
  const names = [...FILES];
  for (let i = 0; i < names.length; i += BATCH) {
    const batch = names.slice(i, i + BATCH).map((name) => objectCreatedBody(uploaded.get(name) as PutResult));
    const response = await run(sqsEvent(...batch));
    expect(response.batchItemFailures).toEqual([]);
  }
  for (const spy of quiet) spy.mockRestore();
}, 120_000);

afterAll(() => {
  for (const [name, value] of Object.entries(savedCaps)) if (value !== undefined) process.env[name] = value;
});

describe('the handler on the hostile corpus', () => {
  it.each(FILES)('agrees with validate on %s', async (name) => {
    // Prepare
    const expected = EXPECTED[name] as ExpectedOutcome;

    // Act
    const item = await ledgerItem(uploaded.get(name) as PutResult);

    // Assess
    expect(item).toMatchObject({
      status: LEDGER_STATUS[expected.status],
      rows: expected.rows,
      written: expected.valid,
      rejected: expected.rejected,
      blank: expected.blank,
    });
    const firstErrors = (item?.first_errors ?? []).map(({ line, column, reason }) => ({ line, column, reason }));
    if (expected.rows === 0) {
      // Rejected as a whole: the file's reason, which the ledger also lists as its one error.
      expect(item?.reason).toBe(expected.reason);
      expect(firstErrors.map((e) => e.reason)).toEqual([expected.reason]);
    } else {
      expect(firstErrors).toEqual(expected.errors.map(({ line, column, reason }) => ({ line, column, reason })));
    }
  });

  it('writes exactly the valid rows of every file, and nothing else', async () => {
    // Prepare: the (order_id, source_key) of every valid row; ids never repeat across files
    const wanted = new Map<string, string>();
    for (const name of FILES) {
      for (const id of await validIds(name)) {
        expect(wanted.has(id), `${id} is valid in two files`).toBe(false);
        wanted.set(id, `raw-data/hostile/${name}`);
      }
    }

    // Act
    const stored = new Map<string, string>();
    let start: Record<string, unknown> | undefined;
    do {
      const page = await env.doc.send(new ScanCommand({ TableName: ORDERS, ExclusiveStartKey: start, ConsistentRead: true }));
      for (const item of page.Items ?? []) stored.set(String(item.order_id), String(item.source_key));
      start = page.LastEvaluatedKey;
    } while (start);

    // Assess
    expect(stored.size).toBe(wanted.size);
    expect(stored).toEqual(wanted);
  });
});
