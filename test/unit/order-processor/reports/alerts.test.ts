import { describe, expect, it } from 'vitest';
import { alertBody, alertSubject, summarizeErrors, summarizeReason, type FileOutcome } from '../../../../functions/order-processor/reports/alerts.ts';

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

  it('stays under 100 characters (SNS rejects 100 and more) and has no line breaks for a long key with control characters', () => {
    // Act
    const subject = alertSubject(outcome({ key: `raw-data/line\nbreak\r\t${'x'.repeat(300)}.csv` }), 'production-eu-west-1');
    // Assess
    expect(subject.length).toBeLessThan(100);
    expect(subject).not.toMatch(/[\x00-\x1f\x7f]/);
    expect(subject.startsWith('[order-pipeline production-eu-west-1] PARTIAL: line?break??xxx')).toBe(true);
    expect(subject.endsWith('...')).toBe(true);
  });
});

describe('summarizeErrors', () => {
  it('keeps at most 10 errors and clips huge ids and reasons, so the ledger item and the alert stay small', () => {
    // Prepare
    const huge = 'x'.repeat(500_000);
    const errors = Array.from({ length: 12 }, (_, i) => ({ line: i + 2, order_id: huge, column: 'quantity', reason: huge }));
    // Act
    const summary = summarizeErrors(errors);
    // Assess
    expect(summary).toHaveLength(10);
    expect(summary[0]).toEqual({ line: 2, order_id: `${'x'.repeat(99)}…`, column: 'quantity', reason: `${'x'.repeat(999)}…` });
    expect(alertBody(outcome({ firstErrors: summary, reason: summarizeReason(huge) })).length).toBeLessThan(20_000);
  });

  it('never cuts a character in half (a lone surrogate is not valid UTF-8 for DynamoDB or SNS)', () => {
    // Prepare
    const emoji = '😀'.repeat(2000);
    // Act
    const [summary] = summarizeErrors([{ line: 2, order_id: emoji, column: null, reason: `x${emoji}` }]);
    // Assess
    expect(summary?.order_id).toBe(`${'😀'.repeat(49)}…`);
    expect(summary?.reason).toBe(`x${'😀'.repeat(499)}…`);
    expect(summary?.reason).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('leaves ordinary errors untouched', () => {
    // Prepare
    const errors = [{ line: 3, order_id: null, column: null, reason: 'expected 5 fields (one per header column), found 4' }];
    // Act / Assess
    expect(summarizeErrors(errors)).toEqual(errors);
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

  it('says plainly that nothing was loaded from a file rejected as a whole', () => {
    // Act
    const body = alertBody(
      outcome({ status: 'FAILED', rows: 0, written: 0, rejected: 0, blank: 0, reason: 'the file is empty; expected a header row followed by at least one data row', firstErrors: [] }),
    );
    // Assess
    expect(body).toContain('Rows:       none loaded: the file was rejected as a whole, so no row counts (see the reason above)');
    expect(body).not.toContain('0 data rows');
  });
});
