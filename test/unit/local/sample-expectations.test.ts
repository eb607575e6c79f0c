import { describe, expect, it } from 'vitest';
import { parseSampleReadme } from '../../../local/sample-expectations.ts';

describe('parseSampleReadme', () => {
  it('maps the README table to ledger statuses and counts', () => {
    // Prepare
    const md = [
      '| file | what it shows | status | rows | valid | rejected | blank |',
      '|---|---|---|---|---|---|---|',
      '| `a.csv` | fine | VALID | 10 | 10 | 0 | 0 |',
      '| `b.csv` | some bad | PARTIAL | 13 | 7 | 6 | 1 |',
      '| `c.csv` | bad header | REJECTED (`missing required column`) | 0 | 0 | 0 | 0 |',
    ].join('\n');

    // Act
    const expected = parseSampleReadme(md);

    // Assess
    expect(expected).toEqual([
      { file: 'a.csv', status: 'PROCESSED', rows: 10, valid: 10, rejected: 0, blank: 0 },
      { file: 'b.csv', status: 'PARTIAL', rows: 13, valid: 7, rejected: 6, blank: 1 },
      { file: 'c.csv', status: 'FAILED', rows: 0, valid: 0, rejected: 0, blank: 0 },
    ]);
  });
});
