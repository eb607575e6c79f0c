import { describe, expect, it } from 'vitest';
import { alertBody, alertSubject, type FileOutcome } from '../../../functions/order-processor/alerts.ts';

function outcome(overrides: Partial<FileOutcome> = {}): FileOutcome {
  return {
    status: 'PARTIAL',
    bucket: 'bkt',
    key: 'raw-data/orders.csv',
    versionId: null,
    ingestionId: 'ing-1',
    rows: 10,
    written: 8,
    rejected: 2,
    blank: 1,
    reason: '2 of 10 data rows were rejected',
    firstErrors: [{ line: 3, order_id: 'A-2', column: 'quantity', reason: 'quantity "x" is not an integer' }],
    errorsReport: 's3://bkt/failed-data/2026/11/22/orders.ing-1.errors.csv',
    original: 's3://bkt/archive/2026/11/22/orders.ing-1.csv',
    processed: null,
    duplicateOf: null,
    ...overrides,
  };
}

describe('alertSubject', () => {
  it('names status, file and counts', () => {
    expect(alertSubject(outcome(), 'dev')).toBe('[order-pipeline dev] PARTIAL: orders.csv (2 of 10 rows rejected)');
  });

  it('stays ASCII and within 100 characters', () => {
    // Act
    const subject = alertSubject(outcome({ status: 'FAILED', key: `raw-data/${'é'.repeat(150)}.csv` }));
    // Assess
    expect(subject.length).toBeLessThanOrEqual(100);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
  });
});

describe('alertBody', () => {
  it('tells a person the file, outcome, counts, first errors, report location and what to do', () => {
    // Act
    const body = alertBody(outcome());
    // Assess
    expect(body).toContain('s3://bkt/raw-data/orders.csv');
    expect(body).toContain('PARTIAL - 2 of 10 data rows were rejected');
    expect(body).toContain('10 data rows: 8 written, 2 rejected; 1 blank lines skipped');
    expect(body).toContain('line 3, order A-2, column quantity: quantity "x" is not an integer');
    expect(body).toContain('Errors report:   s3://bkt/failed-data/2026/11/22/orders.ing-1.errors.csv');
    expect(body).toContain('What to do next:');
  });
});
