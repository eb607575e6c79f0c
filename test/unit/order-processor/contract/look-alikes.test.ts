import { describe, expect, it } from 'vitest';
import { quote } from '../../../../functions/order-processor/contract/headers.ts';
import {
  CHARACTER_CLASSES,
  classPattern,
  firstAsciiLookAlike,
  firstControlCharacter,
  hasInvisibleCharacter,
  hasVisibleCharacter,
  type CharacterClass,
} from '../../../../functions/order-processor/contract/look-alikes.ts';
import { validateRow, isRowError } from '../../../../functions/order-processor/contract/rules.ts';

const NOW = new Date('2026-01-15T12:00:00.000Z');
const ctx = { sourceKey: 'k', ingestionId: 'i', processedAt: NOW.toISOString(), now: NOW };
const ROW = { order_id: 'A-1', customer_name: 'Ann', product_name: 'Pen', quantity: '1', unit_price: '1' };

/** Every code point (surrogates left out), as strings. */
function* allCharacters(): Generator<string> {
  for (let cp = 0; cp <= 0x10ffff; cp++) if (cp < 0xd800 || cp > 0xdfff) yield String.fromCodePoint(cp);
}

/** The reason a row gets for one column's value. */
function reasonFor(column: string, value: string): string {
  const result = validateRow({ ...ROW, [column]: value }, 2, ctx, new Map());
  return isRowError(result) ? result.reason : '';
}

describe('CHARACTER_CLASSES: one table, every class used', () => {
  it('lists exactly the classes the tests below cover', () => {
    const covered: CharacterClass[] = ['invisible', 'combiningMark', 'control', 'foldsToAscii', 'nonAsciiDigit'];
    expect(Object.keys(CHARACTER_CLASSES).sort()).toEqual([...covered].sort());
  });
});

describe('invisible', () => {
  it.each(['\u200b', '\u2060', '\ufeff', '\u3164', '\u2800', '\u00a0', '\u2028', '\ufe0f'])('holds %j: a name of it alone is empty, a reason shows it escaped', (ch) => {
    const code = (ch.codePointAt(0) ?? 0).toString(16).padStart(4, '0');
    expect(hasVisibleCharacter(ch)).toBe(false);
    expect(quote(`a${ch}b`)).toBe(`"a\\u${code}b"`);
    expect(reasonFor('customer_name', ch)).toBe('customer_name is empty; expected a value (the file has no customer_id column)');
  });

  it('makes an e-mail address implausible, and leaves the plain space unescaped in reasons', () => {
    expect(hasInvisibleCharacter('ann\u200b@example.com')).toBe(true);
    expect(reasonFor('customer_email', 'ann\u200b@example.com')).toContain('is not a plausible e-mail address');
    expect(quote('a b')).toBe('"a b"');
  });
});

describe('combiningMark', () => {
  it('is visible only on a base character', () => {
    expect(hasVisibleCharacter('\u0301')).toBe(false);
    expect(hasVisibleCharacter('e\u0301')).toBe(true);
    expect(classPattern('combiningMark').test('\u20dd')).toBe(true);
  });
});

describe('control', () => {
  it.each(['\u001b', '\u0007', '\u007f', '\u0085'])('refuses %j in free text, naming its code point', (ch) => {
    expect(firstControlCharacter(`Pen${ch}`)).toBe(ch);
    const code = `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
    expect(reasonFor('product_name', `Pen${ch}`)).toContain(`contains the control character ${code}; expected printable text`);
  });

  it('allows tabs and line breaks (spreadsheet exports put them in names)', () => {
    expect(firstControlCharacter('a\tb\r\nc')).toBeNull();
  });
});

describe('foldsToAscii', () => {
  it('is every non-ASCII character whose upper or lower case holds an ASCII letter (scanned over all of Unicode)', () => {
    // Prepare
    const pattern = classPattern('foldsToAscii');
    const expected: string[] = [];
    const found: string[] = [];
    // Act
    for (const ch of allCharacters()) {
      if ((ch.codePointAt(0) ?? 0) < 0x80) continue;
      if (/[A-Za-z]/.test(ch.toUpperCase() + ch.toLowerCase())) expected.push(ch);
      if (pattern.test(ch)) found.push(ch);
    }
    // Assess
    expect(found).toEqual(expected);
    expect(found).toEqual(expect.arrayContaining(['ſ', '\u212a', 'İ', 'ı', 'ß', 'ﬁ']));
  });

  it.each([
    ['customer_email', 'ann@\u212aiwi.example', 'customer_email "ann@\u212aiwi.example" contains "\u212a" (U+212A), a look-alike of an ASCII letter or digit; expected an address like name@example.com'],
    ['customer_email', 'jo\u017fe@example.com', 'customer_email "jo\u017fe@example.com" contains "\u017f" (U+017F), a look-alike of an ASCII letter or digit; expected an address like name@example.com'],
    ['customer_email', '\u0130nfo@example.com', 'customer_email "\u0130nfo@example.com" contains "\u0130" (U+0130), a look-alike of an ASCII letter or digit; expected an address like name@example.com'],
    ['currency', 'u\u017fd', 'currency "u\u017fd" is not an ISO 4217 currency code; expected a three-letter ISO 4217 code such as USD, EUR or GBP'],
    ['currency', '\u0131nr', 'currency "\u0131nr" is not an ISO 4217 currency code; expected a three-letter ISO 4217 code such as USD, EUR or GBP'],
  ])('is refused in %s: %j', (column, value, reason) => {
    expect(reasonFor(column, value)).toBe(reason);
  });

  it('leaves other non-ASCII letters of an address alone, lower-casing ASCII letters only', () => {
    const result = validateRow({ ...ROW, customer_email: 'JOSÉ@Example.COM' }, 2, ctx, new Map());
    expect(isRowError(result) ? result.reason : result.customer_email).toBe('josÉ@example.com');
  });
});

describe('nonAsciiDigit', () => {
  it.each(['٣', '３', '߃', '𝟑'])('holds %j, which is never read as a number', (digit) => {
    expect(classPattern('nonAsciiDigit').test(digit)).toBe(true);
    expect(firstAsciiLookAlike(`1${digit}`)).toBe(digit);
    expect(reasonFor('quantity', digit)).toBe(`quantity "${digit}" is not a whole number; expected a whole number from 1 to 1,000,000`);
  });

  it('does not hold ASCII digits', () => {
    expect(classPattern('nonAsciiDigit').test('7')).toBe(false);
  });
});
