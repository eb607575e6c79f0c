import { describe, expect, it } from 'vitest';
import { conservationProblems, outcomeDifferences, type Outcome } from '../../../bench/parts-outcome.ts';

function outcome(overrides: Partial<Outcome> = {}): Outcome {
  return {
    ledger: { status: 'PARTIAL', rows: 3, written: 2, rejected: 1, blank: 0, reason: null },
    orders: new Map([
      ['A-1', '{"order_id":"A-1","quantity":1}'],
      ['A-2', '{"order_id":"A-2","quantity":2}'],
    ]),
    cleanedCsv: 'order_id,quantity\nA-1,1\nA-2,2\n',
    errorsCsv: 'line,order_id,column,reason\n4,A-3,quantity,bad\n',
    ...overrides,
  };
}

describe('outcomeDifferences', () => {
  it('finds none when the outcomes are equal', () => {
    // Act
    const diffs = outcomeDifferences(outcome(), outcome());

    // Assess
    expect(diffs).toEqual([]);
  });

  it('names a ledger count, a missing order, a changed item and the first differing line when they differ', () => {
    // Prepare
    const other = outcome({
      ledger: { status: 'PARTIAL', rows: 3, written: 1, rejected: 2, blank: 0, reason: null },
      orders: new Map([['A-1', '{"order_id":"A-1","quantity":9}']]),
      cleanedCsv: 'order_id,quantity\nA-1,9\n',
    });

    // Act
    const diffs = outcomeDifferences(outcome(), other);

    // Assess
    expect(diffs).toEqual(
      expect.arrayContaining([
        'ledger written: 2 vs 1',
        'ledger rejected: 1 vs 2',
        'orders table: 1 order_id(s) only in the first: A-2',
        'orders table: 1 item(s) differ: {"order_id":"A-1","quantity":1} vs {"order_id":"A-1","quantity":9}',
        expect.stringMatching(/^cleaned CSV \(processed-data\/\): .* first difference on line 2: A-1,1 \| A-1,9$/),
      ]),
    );
  });

  it('says so when a report holds the same rows in another order', () => {
    // Prepare
    const a = 'line,order_id,column,reason\n4,A-3,quantity,bad\n9,A-8,currency,bad\n';
    const b = 'line,order_id,column,reason\n9,A-8,currency,bad\n4,A-3,quantity,bad\n';

    // Act
    const diffs = outcomeDifferences(outcome({ errorsCsv: a }), outcome({ errorsCsv: b }));

    // Assess
    expect(diffs).toContain('errors report (failed-data/): the same lines in another order');
  });
});

describe('conservationProblems', () => {
  it('reports rows not accounted for and a table that does not hold exactly the written rows', () => {
    // Act
    const problems = conservationProblems(outcome({ ledger: { status: 'PARTIAL', rows: 4, written: 3, rejected: 0, blank: 0, reason: null } }));

    // Assess
    expect(problems).toEqual(['rows 4 ≠ written 3 + rejected 0', '2 items in the orders table ≠ written 3']);
  });

  it('finds none when every row is written or rejected and the table holds exactly the written orders', () => {
    // Act
    const problems = conservationProblems(outcome());

    // Assess
    expect(problems).toEqual([]);
  });
});
