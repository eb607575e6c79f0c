import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quote } from '../../../../functions/order-processor/contract/headers.ts';
import { escapeControls, quoted } from '../../../../functions/order-processor/reports/inert.ts';

/** What must never reach a terminal or a mail reader raw. */
const RAW = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

describe('quoted', () => {
  it('quotes a value and escapes the quote and backslash inside, so its end cannot be faked', () => {
    // Act / Assess
    expect(quoted('A-1')).toBe('"A-1"');
    expect(quoted('A" and "B')).toBe('"A\\" and \\"B"');
    expect(quoted('C:\\n')).toBe('"C:\\\\n"');
    expect(quoted('line\nbreak')).toBe('"line\\nbreak"');
  });

  it('is the contract\'s notation too: one escaper for reasons and alerts', () => {
    // Act / Assess
    for (const value of ['a\u200bb', 'x\u001b[2Jy', '\u202eevil', 'tab\there', 'nbsp\u00a0', 'ok']) expect(quote(value)).toBe(quoted(value));
  });

  it('gives the JSON text of the value whenever JSON.stringify escapes all it shows', () => {
    // Act / Assess: JSON.parse reads the escaped text back to the value
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        expect(JSON.parse(quoted(value))).toBe(value);
      }),
    );
  });
});

describe('escapeControls', () => {
  it('escapes line breaks and invisible characters and nothing else', () => {
    // Act / Assess
    expect(escapeControls('quantity "x\ny" is wrong')).toBe('quantity "x\\ny" is wrong');
    expect(escapeControls('abc\u202Edef')).toBe('abc\\u202edef');
    expect(escapeControls('\u001b]0;title\u0007\u001b[2J\r')).toBe('\\u001b]0;title\\u0007\\u001b[2J\\r');
    expect(escapeControls('"quoted" \\ été 注文 😀')).toBe('"quoted" \\ été 注文 😀');
  });

  it('leaves no control, bidi, zero-width or separator character, and escaping twice changes nothing more', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const once = escapeControls(text);
        expect(RAW.test(once)).toBe(false);
        expect(escapeControls(once)).toBe(once);
      }),
    );
  });
});
