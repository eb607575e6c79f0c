import { describe, expect, it } from 'vitest';
import { addCounts, RowTally, sameCounts } from '../../../../functions/order-processor/contract/tally.ts';

const error = (line: number) => ({ line, order_id: null, column: null, reason: 'x' });

describe('RowTally', () => {
  it('counts events and keeps at most maxErrors errors while counts stay exact', () => {
    // Prepare
    const tally = new RowTally(1);
    // Act
    tally.observe({ kind: 'valid', line: 2, order: {} as never });
    tally.observe({ kind: 'rejected', error: error(3) });
    tally.observe({ kind: 'rejected', error: error(4) });
    tally.observe({ kind: 'blank', line: 5 });
    // Assess
    expect(tally.counts).toEqual({ rows: 3, valid: 1, rejected: 2, blank: 1 });
    expect(tally.firstErrors).toEqual([error(3)]);
  });

  it('passes every rejected row to onError, also beyond maxErrors', () => {
    // Prepare
    const streamed: number[] = [];
    const tally = new RowTally(1, (e) => streamed.push(e.line));
    // Act
    for (const line of [2, 3, 4]) tally.observe({ kind: 'rejected', error: error(line) });
    // Assess
    expect(streamed).toEqual([2, 3, 4]);
    expect(tally.firstErrors).toEqual([error(2)]);
  });

  it("takes the header's line and unknown columns from the header event", () => {
    // Prepare
    const tally = new RowTally();
    const header = { raw: ['order_id', 'x'], canonical: ['order_id', null], unknownColumns: ['x'] };
    // Act
    tally.observe({ kind: 'header', header: header as never, span: { line: 3, lastLine: 3, start: 2, end: 12 } });
    // Assess
    expect(tally.headerLine).toBe(3);
    expect(tally.unknownColumns).toEqual(['x']);
  });
});

describe('addCounts and sameCounts', () => {
  it('adds counts field by field and compares every field', () => {
    // Act
    const sum = addCounts([{ rows: 2, valid: 1, rejected: 1, blank: 3 }, { rows: 1, valid: 1, rejected: 0, blank: 0 }]);
    // Assess
    expect(sum).toEqual({ rows: 3, valid: 2, rejected: 1, blank: 3 });
    expect(sameCounts(sum, { rows: 3, valid: 2, rejected: 1, blank: 3 })).toBe(true);
    expect(sameCounts(sum, { rows: 3, valid: 2, rejected: 1, blank: 2 })).toBe(false);
  });
});
