import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { PartMessage } from '../../../../../functions/order-processor/event.ts';
import type { LedgerItem } from '../../../../../functions/order-processor/ledger-item.ts';
import { ConservationError } from '../../../../../functions/order-processor/pipeline/errors.ts';
import { concludeParts } from '../../../../../functions/order-processor/pipeline/parts/conclude-parts.ts';
import { addCounts } from '../../../../../functions/order-processor/contract/tally.ts';
import { earliestProblem, partsFingerprint } from '../../../../../functions/order-processor/pipeline/parts/decide-parts.ts';
import { digestLine, parseDigestLine, parseSeeds, seedLine, stagedLines } from '../../../../../functions/order-processor/pipeline/parts/digests.ts';
import { addLateRows, failedCounts, failedPartReason, failFileForPart } from '../../../../../functions/order-processor/pipeline/parts/fail-file.ts';
import { loadedSoFar } from '../../../../../functions/order-processor/pipeline/outcome.ts';
import type { ProcessorPorts } from '../../../../../functions/order-processor/pipeline/ports.ts';
import { attemptOf, partMessages } from '../../../../../functions/order-processor/pipeline/parts/file-in-parts.ts';
import { stagingKeys, type PartScan, type PartWrite, type StoredDecision, type StoredPlan } from '../../../../../functions/order-processor/pipeline/parts/staging.ts';
import { writePart } from '../../../../../functions/order-processor/pipeline/parts/write-part.ts';
import { handlePart } from '../../../../../functions/order-processor/pipeline/parts/handle-part.ts';
import { processFile } from '../../../../../functions/order-processor/pipeline/process-file.ts';
import { INGESTION_ID, MemoryAlerts, MemoryLedger, MemoryObjects, memoryLog, memoryMetrics, objectRef } from '../ports.ts';
import { partsPorts, sha256 } from './fixtures.ts';
import { fingerprintOf } from '../../../../../functions/order-processor/pipeline/fingerprint.ts';

const counts = (valid: number, rejected: number, blank = 0) => ({ rows: valid + rejected, valid, rejected, blank });

const scanOf = (part: number, overrides: Partial<PartScan> = {}): PartScan => ({
  part,
  counts: counts(1, 0),
  problem: null,
  blocks: { first: part === 0 ? 0 : 1, hashes: part === 0 ? [sha256('block 0')] : [] },
  digestBytes: 0,
  ...overrides,
});

function storedPlan(overrides: Partial<StoredPlan> = {}): StoredPlan {
  const header = { raw: ['order_id'], canonical: ['order_id'], unknownColumns: [] };
  const parts = [0, 100, 200].map((offset, index) => ({ index, start: { offset, line: 1 + index * 5 }, end: offset + 100, next: null }));
  return { planId: 'plan-1', source: objectRef(), originalFingerprint: null, now: '2026-11-22T04:05:12.000Z', plan: { header, headerLine: 1, size: 300, parts }, ...overrides };
}

describe('staged digests and seeds', () => {
  it('round-trips a digest entry and the seeds of a part', () => {
    // Act
    const entry = parseDigestLine(digestLine({ id: 'O-1', line: 7, valid: false }).trimEnd());
    const seeds = parseSeeds(seedLine('O-1', 7) + seedLine('O-9', 12));
    // Assess
    expect(entry).toEqual({ id: 'O-1', line: 7, valid: false });
    expect([...seeds]).toEqual([['O-1', 7], ['O-9', 12]]);
  });

  it('reads the lines of a staged object in ranges, also when a range ends inside a line', async () => {
    // Prepare
    const objects = new MemoryObjects();
    const text = ['["A-1",2,1]', '["B-22",3,0]', '["C-333",4,1]'].join('\n') + '\n';
    await objects.putText('bkt', 'staging/x/digest', text);
    // Act
    const lines: string[] = [];
    for await (const line of stagedLines(objects, 'bkt', 'staging/x/digest', text.length, 5)) lines.push(line);
    // Assess
    expect(lines).toEqual(['["A-1",2,1]', '["B-22",3,0]', '["C-333",4,1]']);
  });

  it('fails when a staged object is shorter than its recorded size', async () => {
    // Prepare
    const objects = new MemoryObjects();
    await objects.putText('bkt', 'staging/x/digest', '["A-1",2,1]\n');
    // Act
    const reading = (async () => {
      for await (const _ of stagedLines(objects, 'bkt', 'staging/x/digest', 40, 16)) void _;
    })();
    // Assess
    await expect(reading).rejects.toThrow(/missing or shorter than 40 bytes/);
  });
});

describe('partsFingerprint', () => {
  it("is the original's fingerprint for a file that was read whole while planning (gzip)", () => {
    // Act / Assess
    expect(partsFingerprint(storedPlan({ originalFingerprint: 'a'.repeat(64) }), [scanOf(0), scanOf(1), scanOf(2)])).toBe('a'.repeat(64));
  });

  it('joins the block hashes the parts staged, in order, into the fingerprint a whole read gives', () => {
    // Prepare: a 300-byte file is one block, hashed by part 0 (reading past its end)
    const bytes = Buffer.from('x'.repeat(300));
    const block = createHash('sha256').update(bytes).digest('hex');
    // Act
    const fingerprint = partsFingerprint(storedPlan(), [scanOf(0, { blocks: { first: 0, hashes: [block] } }), scanOf(1), scanOf(2)]);
    // Assess
    expect(fingerprint).toBe(fingerprintOf(bytes));
  });

  it('refuses block hashes that do not cover the file', () => {
    // Act / Assess
    expect(() => partsFingerprint(storedPlan(), [scanOf(0, { blocks: { first: 0, hashes: [] } }), scanOf(1), scanOf(2)])).toThrow(/staged 0 block hashes for 1 blocks/);
  });
});

describe('earliestProblem', () => {
  it('is the file-level problem at the smallest offset, whichever part found it', () => {
    // Prepare
    const scans = [
      scanOf(0),
      scanOf(1, { problem: { reason: 'NUL at 180', line: 9, offset: 180 } }),
      scanOf(2, { problem: { reason: 'bad UTF-8 at 150', line: 8, offset: 150 } }),
    ];
    // Act / Assess
    expect(earliestProblem(scans)).toEqual({ reason: 'bad UTF-8 at 150', line: 8 });
    expect(earliestProblem([scanOf(0)])).toBeNull();
    expect(addCounts([counts(2, 1, 3), counts(1, 1)])).toEqual(counts(3, 2, 3));
  });
});

describe('failedCounts', () => {
  const item = (overrides: Partial<LedgerItem>) => ({ planned: counts(90, 10, 4), parts_rows_written: 60, ...overrides }) as LedgerItem;

  it('counts nothing loaded for a file that failed before WRITE', () => {
    // Act / Assess
    expect(failedCounts(item({ phase: 'SCAN' }))).toEqual({ rows: 0, written: 0, rejected: 0, unloaded: 0, blank: 0 });
  });

  it('counts every row upserted as written — the parts written, and what a failing part noted — and the other valid rows as unloaded, in WRITE', () => {
    // Act
    const failed = failedCounts(item({ phase: 'WRITE', parts_written: new Set([0, 1]), parts_loaded: { '0': 30, '1': 30, '2': 7 } }));
    // Assess
    expect(failed).toEqual({ rows: 100, written: 67, rejected: 10, unloaded: 23, blank: 4 });
    expect(failed.rows).toBe(failed.written + failed.rejected + failed.unloaded);
  });

  it('names the part, its phase, the receives and the error', () => {
    // Prepare
    const message = { part: 2, parts: 8, phase: 'write', ingestionId: 'ing-7' } as PartMessage;
    // Act
    const reason = failedPartReason(message, 3, new Error('boom'));
    // Assess
    expect(reason).toBe('part 3 of 8 failed to write 3 time(s), the last with Error: boom');
  });
});

describe('addLateRows', () => {
  const pk = 'file#bkt/raw-data/big.csv#v1';
  /** A file FAILED by part 3 while part 1 was still writing: 60 rows counted, 30 valid rows not loaded. */
  function failedFile() {
    const ledger = new MemoryLedger();
    const reason = `part 3 of 4 failed to write 3 time(s), the last with Error: boom; ${loadedSoFar(60, 30, INGESTION_ID)}`;
    ledger.items.set(pk, {
      pk, status: 'FAILED', plan_id: 'plan-1', ingestion_id: INGESTION_ID, bucket: 'bkt', key: 'raw-data/big.csv', version_id: 'v1', etag: 'e', size: 1,
      ingest_day: '2026-11-22', started_at: '2026-11-22T00:00:00.000Z', phase: 'WRITE', parts_written: new Set([0, 2]), parts_loaded: { '3': 5 },
      rows: 100, written: 60, orders_written: 60, rejected: 10, unloaded: 30, reason,
    });
    const metrics = memoryMetrics();
    return { ledger, metrics, ports: { ledger, log: memoryLog() as unknown as ProcessorPorts['log'], metrics: metrics as unknown as ProcessorPorts['metrics'] } };
  }

  it('adds the rows a part wrote after its file failed, once, and restates the reason with the new count', async () => {
    // Prepare
    const { ledger, metrics, ports } = failedFile();
    // Act: part 1 wrote 22 rows after the file failed; its note comes twice (a redelivery)
    const added = await addLateRows(pk, 'plan-1', 1, 22, ports);
    const again = await addLateRows(pk, 'plan-1', 1, 22, ports);
    // Assess
    expect([added, again]).toEqual([22, 0]);
    const item = ledger.items.get(pk);
    expect(item).toMatchObject({ status: 'FAILED', written: 82, orders_written: 82, unloaded: 8, parts_loaded: { '1': 22, '3': 5 } });
    expect((item?.rows ?? 0) - (item?.written ?? 0) - (item?.rejected ?? 0) - (item?.unloaded ?? 0)).toBe(0);
    expect(item?.reason).toBe(`part 3 of 4 failed to write 3 time(s), the last with Error: boom; ${loadedSoFar(82, 8, INGESTION_ID)}`);
    expect(metrics.sum('RowsWritten')).toBe(22);
  });

  it('adds only what a part had not noted when the file failed, and nothing for a part counted whole, another plan or a file not FAILED', async () => {
    // Prepare
    const { ledger, ports } = failedFile();
    // Act
    const failing = await addLateRows(pk, 'plan-1', 3, 9, ports);
    const whole = await addLateRows(pk, 'plan-1', 2, 30, ports);
    const otherPlan = await addLateRows(pk, 'plan-2', 1, 30, ports);
    // Assess
    expect([failing, whole, otherPlan]).toEqual([4, 0, 0]);
    expect(ledger.items.get(pk)).toMatchObject({ written: 64, unloaded: 26 });
  });
});

describe('failFileForPart', () => {
  it('counts a part that noted its rows while the outcome was being recorded, once', async () => {
    // Prepare: a file in WRITE under plan-1; part 0 written (30 rows), part 2 noted 5
    const ledger = new MemoryLedger();
    const pk = 'file#bkt/raw-data/big.csv#v1';
    ledger.items.set(pk, {
      pk, status: 'PROCESSING', plan_id: 'plan-1', attempt_id: 'plan-1', ingestion_id: INGESTION_ID, bucket: 'bkt', key: 'raw-data/big.csv', version_id: 'v1', etag: 'e', size: 1,
      ingest_day: '2026-11-22', started_at: '2026-11-22T00:00:00.000Z', phase: 'WRITE', parts: 3, parts_written: new Set([0]), parts_rows_written: 30,
      parts_loaded: { '0': 30, '2': 5 }, planned: counts(90, 10, 0),
    });
    // Part 1 notes 12 rows after the failing part read the item, before its outcome is recorded
    const finish = ledger.finish.bind(ledger);
    ledger.finish = async (key, attemptId, outcome) => {
      await ledger.notePartLoaded(key, 'plan-1', 1, 12);
      await finish(key, attemptId, outcome);
    };
    const metrics = memoryMetrics();
    const ports = { ledger, alerts: new MemoryAlerts(), log: memoryLog() as unknown as ProcessorPorts['log'], metrics: metrics as unknown as ProcessorPorts['metrics'], now: () => new Date(), stage: 'test' };
    const message = { type: 'order-pipeline.part', version: 1, phase: 'write', bucket: 'bkt', key: 'raw-data/big.csv', versionId: 'v1', etag: 'e', size: 1, ingestionId: INGESTION_ID, planId: 'plan-1', part: 2, parts: 3 } as PartMessage;
    // Act
    const failed = await failFileForPart(message, 3, new Error('boom'), ports);
    // Assess: the alert has the count as of the failure; the ledger has every row
    expect(failed).toBe(true);
    expect(ports.alerts.sent[0]?.subject).toContain('(failed, 35 of 100 rows written)');
    expect(ledger.items.get(pk)).toMatchObject({ status: 'FAILED', written: 47, unloaded: 43, rejected: 10 });
    expect(ledger.items.get(pk)?.reason).toMatch(/; 47 rows are loaded in the orders table under ingestion_id \S+; the other 43 valid rows are not loaded$/);
    expect(metrics.sum('RowsWritten')).toBe(47);
  });
});

describe('partMessages', () => {
  it('makes one message per part of the phase, naming the plan', () => {
    // Prepare
    const item = { bucket: 'bkt', key: 'raw-data/a.csv', version_id: null, etag: 'e', size: 9, ingestion_id: INGESTION_ID, attempt_id: 'plan-9', parts: 3 } as LedgerItem;
    // Act
    const messages = partMessages(item, 'write');
    // Assess
    expect(messages.map((m) => [m.phase, m.part, m.parts, m.planId, m.versionId])).toEqual([
      ['write', 0, 3, 'plan-9', null],
      ['write', 1, 3, 'plan-9', null],
      ['write', 2, 3, 'plan-9', null],
    ]);
  });
});

describe('writePart', () => {
  it('fails with ConservationError, writing no slice, when the part does not hold what DECIDE expects of it', async () => {
    // Prepare: a real plan, then a decision that expects one more valid row of part 0
    const env = partsPorts('order_id,customer_name,product_name,quantity,unit_price\nA-1,Ann,Pen,1,2\nA-2,Ann,Pen,1,2\nA-3,Ann,Pen,1,2\n', { chunkBytes: 30 });
    await processFile(env.ref, env.ports);
    const item = env.ledger.item(env.ref) as LedgerItem;
    const stored = JSON.parse(env.objects.read(stagingKeys(INGESTION_ID).plan)?.toString() ?? '{}') as StoredPlan;
    const decision: StoredDecision = {
      verdict: { kind: 'write', status: 'PROCESSED', reason: null },
      fingerprint: null,
      totals: counts(4, 0),
      expected: stored.plan.parts.map((_, k) => (k === 0 ? counts(2, 0) : counts(1, 0))),
      seeded: stored.plan.parts.map(() => 0),
    };
    // Act
    const writing = writePart(attemptOf(item, undefined, new Date(stored.now)), stored, decision, 0, env.ports);
    // Assess
    await expect(writing).rejects.toThrow(ConservationError);
    expect(env.objects.keysUnder(`${stagingKeys(INGESTION_ID).prefix}cleaned`)).toEqual([]);
  });
});

describe('concludeParts', () => {
  it('fails with ConservationError, concluding nothing, when the parts wrote other counts than were decided', async () => {
    // Prepare
    const env = partsPorts('x');
    const keys = stagingKeys(INGESTION_ID);
    const decision: StoredDecision = { verdict: { kind: 'write', status: 'PROCESSED', reason: null }, fingerprint: null, totals: counts(3, 0), expected: [counts(2, 0), counts(1, 0)], seeded: [0, 0] };
    const written = (part: number, valid: number): PartWrite => ({ part, counts: counts(valid, 0), written: valid, firstErrors: [], cleanedBytes: 0, errorsBytes: 0 });
    await env.objects.putText('bkt', keys.decision, JSON.stringify(decision));
    await env.objects.putText('bkt', keys.written(0), JSON.stringify(written(0, 2)));
    await env.objects.putText('bkt', keys.written(1), JSON.stringify(written(1, 0)));
    const item = { pk: 'p', bucket: 'bkt', key: 'raw-data/orders.csv', version_id: 'v1', etag: 'e1', size: 1, ingestion_id: INGESTION_ID, attempt_id: 'plan', started_at: '2026-11-21T23:59:59.000Z' } as LedgerItem;
    // Act
    const concluding = concludeParts(attemptOf(item, undefined, new Date()), 2, env.ports);
    // Assess
    await expect(concluding).rejects.toThrow(ConservationError);
    expect(env.alerts.sent).toEqual([]);
    expect(env.ledger.finished).toEqual([]);
  });
});

