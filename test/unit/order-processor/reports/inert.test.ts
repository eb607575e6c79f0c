import { describe, expect, it } from 'vitest';
import { escapeControls, quoted } from '../../../../functions/order-processor/reports/inert.ts';

describe('quoted', () => {
  it('quotes a value and escapes the quote and backslash inside, so its end cannot be faked', () => {
    // Act / Assess
    expect(quoted('A-1')).toBe('"A-1"');
    expect(quoted('A" and "B')).toBe('"A\\" and \\"B"');
    expect(quoted('C:\\n')).toBe('"C:\\\\n"');
    expect(quoted('line\nbreak')).toBe('"line\\nbreak"');
  });
});

describe('escapeControls', () => {
  it('escapes line breaks and invisible characters and nothing else', () => {
    // Act / Assess
    expect(escapeControls('quantity "x\ny" is wrong')).toBe('quantity "x\\ny" is wrong');
    expect(escapeControls('abc\u202Edef')).toBe('abc\\u{202E}def');
    expect(escapeControls('"quoted" \\ été 注文 😀')).toBe('"quoted" \\ été 注文 😀');
  });
});
