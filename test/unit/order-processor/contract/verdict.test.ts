import { describe, expect, it } from 'vitest';
import { fileVerdict, verdictOnName } from '../../../../functions/order-processor/contract/verdict.ts';

const read = (valid: number, rejected: number, blank = 0) => ({ counts: { rows: valid + rejected, valid, rejected, blank }, rejection: null, headerLine: 1 });

describe('fileVerdict', () => {
  it.each([
    ['every row valid', read(3, 0), { kind: 'rows', status: 'PROCESSED', reason: null }],
    ['some rows rejected', read(3, 1), { kind: 'rows', status: 'PARTIAL', reason: '1 of 4 data rows were rejected' }],
    ['every row rejected', read(0, 4), { kind: 'rows', status: 'FAILED', reason: 'all 4 data rows were rejected' }],
    ['the only row rejected', read(0, 1), { kind: 'rows', status: 'FAILED', reason: 'the only data row was rejected' }],
    [
      'a header and blank lines only',
      { ...read(0, 0, 2), headerLine: 3 },
      { kind: 'rejected', status: 'FAILED', reason: 'the file has a header row (line 3) but no data rows; expected at least one order', line: 3 },
    ],
    [
      'a file-level rejection',
      { ...read(0, 0), rejection: { reason: 'line 7 is not UTF-8', line: 7 } },
      { kind: 'rejected', status: 'FAILED', reason: 'line 7 is not UTF-8', line: 7 },
    ],
  ])('decides %s', (_what, input, verdict) => {
    // Act / Assess
    expect(fileVerdict(input)).toEqual(verdict);
  });
});

describe('verdictOnName', () => {
  it('reads .csv and .csv.gz names and rejects others on line 1', () => {
    // Act / Assess
    expect(verdictOnName('raw-data/a.CSV.GZ')).toBeNull();
    expect(verdictOnName('raw-data/a.xlsx')).toMatchObject({ kind: 'rejected', status: 'FAILED', line: 1 });
  });
});
