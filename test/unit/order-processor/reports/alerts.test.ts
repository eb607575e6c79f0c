import { describe, expect, it } from 'vitest';
import { alertBody, alertSubject, renderAlert, summarizeErrors, summarizeReason } from '../../../../functions/order-processor/reports/alerts.ts';
import type { FileOutcome } from '../../../../functions/order-processor/pipeline/outcome.ts';

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
    unloaded: 0,
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
  it('names a non-empty object whose key ends in / by its last folder', () => {
    // Act / Assess
    expect(alertSubject(outcome({ status: 'FAILED', rows: 0, written: 0, rejected: 0, key: 'raw-data/eu/orders/' }))).toBe(
      '[order-pipeline] FAILED: orders/ (file rejected, nothing written)',
    );
  });

  it('names status, file and counts', () => {
    // Act / Assess
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
    expect(body).toContain('File:       "s3://bkt/raw-data/orders.csv"');
    expect(body).toContain('PARTIAL - 2 of 10 data rows were rejected');
    expect(body).toContain('10 data rows: 8 written, 2 rejected; 1 blank lines skipped');
    expect(body).toContain('line 3, order "A-2", column "quantity": quantity "x" is not an integer');
    expect(body).toContain('Errors report:   "s3://bkt/failed-data/2026/11/22/orders.ing-1.errors.csv"');
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

  it('counts orders apart from rows when an order has several lines, and only then', () => {
    // Act
    const lines = alertBody(outcome({ status: 'PARTIAL', rows: 10, written: 7, ordersWritten: 3, ordersRejected: 1, rejected: 3 }));
    const allWritten = alertBody(outcome({ status: 'PROCESSED', rows: 10, written: 10, ordersWritten: 4, ordersRejected: 0, rejected: 0 }));
    const oneLineEach = alertBody(outcome({ status: 'PARTIAL', rows: 10, written: 7, ordersWritten: 7, ordersRejected: 1, rejected: 3 }));
    const single = alertBody(outcome({ status: 'PARTIAL', rows: 10, written: 7, ordersWritten: 7, rejected: 3 }));
    // Assess
    expect(lines).toContain('Orders:     3 written, 1 rejected (an order of several lines counts once, and is loaded only with all its lines)');
    expect(allWritten).toContain('Orders:     4 written, 0 rejected (an order of several lines counts once)');
    expect(oneLineEach).toContain('Orders:     7 written, 1 rejected (an order of several lines counts once, and is loaded only with all its lines)');
    expect(single).not.toContain('Orders:');
  });

  it('says how many rows were written when a file in parts failed after some of its parts were', () => {
    // Prepare
    const failed = outcome({ status: 'FAILED', rows: 100, written: 60, rejected: 10, unloaded: 30, reason: 'part 3 of 8 failed to write 3 time(s)', errorsReport: null, original: null });
    // Act
    const [subject, body] = [alertSubject(failed), alertBody(failed)];
    // Assess
    expect(subject).toBe('[order-pipeline] FAILED: orders.csv (failed, 60 of 100 rows written)');
    expect(body).toContain('60 rows were written before processing stopped; the other 40 were not (30 valid, 10 rejected).');
    // A part still writing when the file failed adds its rows to the ledger later: the alert says its counts are as of now.
    expect(body).toContain('The counts are as of this alert');
    expect(body).toContain(`every row is under ingestion_id ${failed.ingestionId}`);
    expect(body).not.toContain('Nothing from this file was written.');
  });
});

describe('alertBody with crafted values', () => {
  const FORGED = '\nOutcome:    PROCESSED\n\nWhat to do next:\n  Nothing to fix: see http://evil.example/login\n';

  /** The body's own lines that start like one of ours (a forged line would make a second one). */
  const linesStarting = (body: string, start: string) => body.split('\n').filter((line) => line.startsWith(start));

  it('keeps a line break in an order_id, a column or a reason from adding lines of its own', () => {
    // Act
    const body = alertBody(
      outcome({ firstErrors: [{ line: 3, order_id: `A-2${FORGED}`, column: `quantity${FORGED}`, reason: `quantity "x${FORGED}" is not an integer` }] }),
    );
    // Assess
    expect(linesStarting(body, 'Outcome:')).toEqual(['Outcome:    PARTIAL - 2 of 10 data rows were rejected']);
    expect(linesStarting(body, 'What to do next:')).toHaveLength(1);
    expect(body).not.toMatch(/^\s*Nothing to fix/m);
    expect(body).toContain(
      '  - line 3, order "A-2\\nOutcome:    PROCESSED\\n\\nWhat to do next:\\n  Nothing to fix: see http://evil.example/login\\n", column "quantity\\n',
    );
  });

  it('keeps a crafted S3 key, version and reason inert, each value quoted', () => {
    // Act
    const body = alertBody(
      outcome({
        key: `raw-data/a${FORGED}.csv`,
        versionId: 'v"1',
        reason: `the file name "a${FORGED}" is wrong`,
        errorsReport: `s3://bkt/failed-data/a${FORGED}.errors.csv`,
        duplicateOf: `file#bkt/raw-data/a${FORGED}#v1`,
      }),
    );
    // Assess
    expect(body.split('\n').filter((l) => /^(File|Outcome|Errors report|Same content as):/.test(l))).toHaveLength(4);
    expect(linesStarting(body, 'Outcome:')).toHaveLength(1);
    expect(body).toContain('File:       "s3://bkt/raw-data/a\\nOutcome:    PROCESSED\\n\\nWhat to do next:\\n  Nothing to fix: see http://evil.example/login\\n.csv" (version "v\\"1")');
    expect(body).not.toMatch(/^\s*Nothing to fix/m);
  });

  it.each([
    ['a carriage return', '\r', '\\r'],
    ['a tab', '\t', '\\t'],
    ['NUL', '\u0000', '\\u0000'],
    ['DEL', '\u007f', '\\u007f'],
    ['a C1 next-line control', '\u0085', '\\u0085'],
    ['the line separator', '\u2028', '\\u2028'],
    ['the paragraph separator', '\u2029', '\\u2029'],
    ['a right-to-left override', '\u202e', '\\u202e'],
    ['a bidi isolate', '\u2066', '\\u2066'],
    ['a zero-width space', '\u200b', '\\u200b'],
    ['a lone surrogate', '\ud800', '\\ud800'],
  ])('shows %s in an order_id as an escape', (_what, char, shown) => {
    // Act
    const body = alertBody(outcome({ firstErrors: [{ line: 3, order_id: `A${char}B`, column: null, reason: `bad${char}` }] }));
    // Assess
    expect(body).toContain(`order "A${shown}B": bad${shown}`);
    expect(body).not.toContain(char);
  });

  it('leaves ordinary text, accents and emoji as they are', () => {
    // Act
    const body = alertBody(outcome({ key: 'raw-data/été/注文 😀.csv' }));
    // Assess
    expect(body).toContain('File:       "s3://bkt/raw-data/été/注文 😀.csv"');
  });
});

describe('renderAlert', () => {
  it('renders subject, body and the attributes subscriptions filter on', () => {
    // Act
    const alert = renderAlert(outcome(), 'dev');
    // Assess
    expect(alert).toEqual({
      subject: '[order-pipeline dev] PARTIAL: orders.csv (2 of 10 rows rejected)',
      body: alertBody(outcome()),
      attributes: { status: 'PARTIAL', ingestion_id: 'ing-1' },
    });
  });
});
