import { describe, expect, it } from 'vitest';
import { compactNumber, sparkline } from '../../../../cli/render/sparkline.ts';
import { toJson } from '../../../../cli/render/json.ts';
import { bar, stepPrinter, waitingLine, WaitProgress } from '../../../../cli/render/progress.ts';
import { renderTable } from '../../../../cli/render/table.ts';

describe('sparkline', () => {
  it('scales values from zero to the maximum', () => {
    // Assess
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).toBe('▁▂▃▄▅▆▇█');
  });

  it('shows periods without data as spaces', () => {
    // Assess
    expect(sparkline([null, 2, null, 7])).toBe(' ▃ █');
  });

  it('draws a flat series as the lowest tick, and no data as blanks', () => {
    // Assess
    expect(sparkline([0, 0, 0])).toBe('▁▁▁');
    expect(sparkline([null, null])).toBe('  ');
  });
});

describe('compactNumber', () => {
  it.each([
    [950, '950'],
    [12_345, '12.3k'],
    [3_400_000, '3.4M'],
    [2.5, '2.50'],
  ])('%d → %s', (n, text) => {
    // Assess
    expect(compactNumber(n)).toBe(text);
  });
});

describe('bar', () => {
  it('fills in proportion and clamps', () => {
    // Assess
    expect(bar(0.5, 10)).toBe('[█████·····]  50%');
    expect(bar(2, 4)).toBe('[████] 100%');
    expect(bar(Number.NaN, 4)).toBe('[····]   0%');
  });
});

describe('renderTable', () => {
  it('aligns text left and numbers right', () => {
    // Act
    const text = renderTable(['file', 'rows'], [['a.csv', 10], ['longer.csv', 7]]);

    // Assess
    expect(text.split('\n')).toEqual(['file        rows', '----------  ----', 'a.csv         10', 'longer.csv     7']);
  });

  it('keeps our own colour, ignoring its codes when measuring', () => {
    // Act
    const text = renderTable(['s'], [[{ text: 'OK', paint: (t) => `\u001b[32m${t}\u001b[0m` }], ['FAILED']]);

    // Assess
    expect(text.split('\n')[1]).toBe('------');
    expect(text.split('\n')[2]).toBe('\u001b[32mOK\u001b[0m');
  });

  it('escapes escape sequences, line breaks and bidi characters in cells', () => {
    // Act
    const text = renderTable(['key'], [['raw-data/\u001b[2J\u001b]0;x\u0007a\rb\u202ec.csv']]);

    // Assess
    expect(text.split('\n')).toHaveLength(3);
    expect(text.split('\n')[2]).toBe('raw-data/\\u001b[2J\\u001b]0;x\\u0007a\\rb\\u202ec.csv');
  });
});

describe('stepPrinter', () => {
  it('prints every line when not on a terminal', () => {
    // Prepare
    const printed: string[] = [];
    const step = stepPrinter((l) => printed.push(l), (l) => `  ${l}`, false);

    // Act
    step('terraform: 1/2 a', true);
    step('terraform: 2/2 b', true);
    step('terraform: Apply complete!');

    // Assess
    expect(printed).toEqual(['  terraform: 1/2 a', '  terraform: 2/2 b', '  terraform: Apply complete!']);
  });
});

describe('waitingLine', () => {
  it('counts the files handled and shows the progress of the large ones', () => {
    // Act
    const line = waitingLine(1, 3, [
      { key: 'raw-data/a.csv', progress: null },
      { key: 'raw-data/big.csv', progress: 'parts 3/8 written' },
      { key: 'raw-data/huge.csv', progress: 'scanning 5/20' },
    ]);

    // Assess
    expect(line).toBe('waiting for the outcomes: 1/3 files handled… · raw-data/big.csv parts 3/8 written · raw-data/huge.csv scanning 5/20');
  });
});

describe('WaitProgress', () => {
  it('prints a plain line per file each time its progress changes when not on a terminal', () => {
    // Prepare
    const printed: string[] = [];
    const progress = new WaitProgress(false, (l) => printed.push(l));

    // Act
    progress.update(0, 2, [{ key: 'raw-data/a.csv', progress: null }, { key: 'raw-data/big.csv', progress: 'scanning 2/8' }]);
    progress.update(0, 2, [{ key: 'raw-data/a.csv', progress: null }, { key: 'raw-data/big.csv', progress: 'scanning 2/8' }]);
    progress.update(1, 2, [{ key: 'raw-data/a.csv', progress: null }, { key: 'raw-data/big.csv', progress: 'parts 3/8 written' }]);
    progress.clear();

    // Assess
    expect(printed).toEqual(['raw-data/big.csv: scanning 2/8', 'raw-data/big.csv: parts 3/8 written']);
  });
});

describe('toJson', () => {
  it('prints sets as sorted arrays', () => {
    // Assess
    expect(JSON.parse(toJson({ parts_scanned: new Set([3, 0, 12]), parts: 13 }))).toEqual({ parts_scanned: [0, 3, 12], parts: 13 });
  });
});
