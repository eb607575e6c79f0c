import { describe, expect, it } from 'vitest';
import type { BareLoopResult } from '../../../bench/bare-loop.ts';
import { bareConservation, fileConservation, type FileRunFacts } from '../../../bench/conservation.ts';

function facts(overrides: Partial<FileRunFacts> = {}): FileRunFacts {
  return {
    ledger: { status: 'PROCESSED', rows: 1000, written: 1000, rejected: 0, blank: 0, duration_ms: 10, reason: null },
    expectedRows: 1000,
    batchFailures: 0,
    stored: 1000,
    storedWhere: 'items the instant table answered',
    batchWriteCalls: 40,
    ...overrides,
  };
}

function bare(overrides: Partial<BareLoopResult> = {}): BareLoopResult {
  return { client: 'document', concurrency: 4, itemsSent: 100, items: 75, requests: 3, unprocessed: 0, seconds: 1, itemsPerSecond: 75, cpuMs: 5, microsPerItem: 66, ...overrides };
}

describe('fileConservation', () => {
  it('holds when every generated row is accounted for and the server got exactly the written items', () => {
    // Act
    const c = fileConservation(facts());

    // Assess
    expect(c.ok).toBe(true);
    expect(c.checks).toHaveLength(6);
  });

  it.each([
    ['a lost item', { stored: 999 }, 'items the instant table answered = written'],
    ['a row missing from the ledger', { expectedRows: 1001 }, 'rows = generated rows'],
    ['a failed SQS record', { batchFailures: 1 }, 'no failed SQS record'],
    ['too few BatchWriteItem calls', { batchWriteCalls: 39 }, 'BatchWriteItem calls ≥ written / 25'],
    ['no ledger item', { ledger: null }, 'ledger final'],
  ])('fails on %s', (_what, overrides, failing) => {
    // Act
    const c = fileConservation(facts(overrides));

    // Assess
    expect(c.ok).toBe(false);
    expect(c.checks.filter((k) => !k.ok).map((k) => k.name)).toContain(failing);
  });
});

describe('bareConservation', () => {
  it('fails when the server received fewer items than were sent or some came back unprocessed', () => {
    // Act
    const held = bareConservation(bare(), 100, 'items in the orders table');
    const lost = bareConservation(bare(), 99, 'items in the orders table');
    const unprocessed = bareConservation(bare({ unprocessed: 2 }), 100, 'items in the orders table');

    // Assess
    expect(held.ok).toBe(true);
    expect(lost.ok).toBe(false);
    expect(unprocessed.ok).toBe(false);
  });
});
