import { describe, expect, it } from 'vitest';
import { markdownTable } from '../../../../bench/report/markdown.ts';

describe('markdownTable', () => {
  it('right-aligns numeric columns and escapes pipes in cells', () => {
    // Prepare
    const table = { headers: ['run', 'rows/s', 'share'], rows: [['a | b', '1,234', '12.5 %'], ['c', '-', '3.0 %']] };

    // Act
    const md = markdownTable(table);

    // Assess
    expect(md.split('\n')).toEqual(['| run | rows/s | share |', '|---|---:|---:|', '| a \\| b | 1,234 | 12.5 % |', '| c | - | 3.0 % |']);
  });
});
