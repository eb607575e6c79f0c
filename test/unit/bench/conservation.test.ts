import { describe, expect, it } from 'vitest';
import { conservationFailures, readResults } from '../../../bench/report.ts';
import { fileConservation } from '../../../bench/runs.ts';

const ledger = { status: 'PROCESSED' as const, rows: 1000, written: 990, rejected: 10 };
const stored = { stored: 990, where: 'items in the orders table' };

describe('fileConservation', () => {
  it('holds when the ledger accounts for every generated row and the server holds exactly the written items', () => {
    expect(fileConservation(ledger, 1000, 0, stored).ok).toBe(true);
  });

  it('fails when the file has no ledger item', () => {
    const result = fileConservation(null, 1000, 0, stored);
    expect(result.ok).toBe(false);
    expect(result.checks.find((c) => c.name === 'ledger final')).toMatchObject({ ok: false, detail: 'status missing' });
  });

  it.each([
    ['a failed SQS record', fileConservation(ledger, 1000, 1, stored), 'no failed SQS record'],
    ['rows lost between written and rejected', fileConservation({ ...ledger, rejected: 9 }, 1000, 0, stored), 'rows = written + rejected'],
    ['fewer rows than generated', fileConservation({ ...ledger, rows: 999, rejected: 9 }, 1000, 0, stored), 'rows = generated rows'],
    ['an item more on the server', fileConservation(ledger, 1000, 0, { ...stored, stored: 991 }), 'items in the orders table = written'],
  ])('fails on %s, naming the check', (_, result, check) => {
    expect(result.ok).toBe(false);
    expect(result.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual([check]);
  });
});

describe('conservationFailures, re-import', () => {
  it('fails a re-import run that did not write every line, naming it', () => {
    // Prepare: the recorded run, with re-import runs added
    const run = { what: 're-import', orders: 10, lines: 20, requests: { BatchWriteItem: 0, PutItem: 20, Query: 10, DeleteItem: 10 }, cpuMicrosPerLine: 1, status: 'PROCESSED', written: 20 };
    // Act
    const clean = conservationFailures({ ...readResults(), reimport: [run] });
    const short = conservationFailures({ ...readResults(), reimport: [{ ...run, written: 19 }] });
    // Assess
    expect(clean).toEqual([]);
    expect(short).toEqual(['re-import, re-import: every line written (PROCESSED, 19 of 20)']);
  });
});
