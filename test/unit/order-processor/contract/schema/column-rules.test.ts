import { describe, expect, it } from 'vitest';
import { cellRule, expectedText, isPlausibleEmail, type Problem } from '../../../../../functions/order-processor/contract/schema/column-rules.ts';
import type { ColumnSpec } from '../../../../../functions/order-processor/contract/schema/format.ts';

const NOW = new Date('2026-01-15T12:00:00.000Z');
const base = { required: false, aliases: [] };

/** What one column's rule makes of one cell: the stored value and the reasons. */
function apply(spec: ColumnSpec, value: string | undefined): { stored: unknown; reasons: string[] } {
  const problems: Problem[] = [];
  const stored = cellRule(spec)(value, problems, { now: NOW });
  expect(problems.every((p) => p.column === spec.name)).toBe(true);
  return { stored, reasons: problems.map((p) => p.reason) };
}

const accepts = (spec: ColumnSpec, value: string | undefined, stored: unknown) => expect(apply(spec, value)).toEqual({ stored, reasons: [] });
const refuses = (spec: ColumnSpec, value: string | undefined, reason: string) => expect(apply(spec, value)).toEqual({ stored: undefined, reasons: [reason] });

describe('id', () => {
  const spec: ColumnSpec = { ...base, name: 'ref', type: 'id', maxLength: 8 };
  const expected = 'expected 1 to 8 characters of A-Z, a-z, 0-9, ".", "_", ":" or "-"';
  it('accepts the charset up to maxLength; an empty optional id stores nothing', () => {
    accepts(spec, 'a.B_9:-z', 'a.B_9:-z');
    accepts(spec, '', undefined);
  });
  it('gives the length and the characters it refuses, from the same maxLength', () => {
    refuses(spec, 'ABCDEFGHI', 'ref "ABCDEFGHI" is 9 characters long; expected at most 8');
    refuses(spec, 'A/1 ', `ref "A/1 " contains "/", " "; ${expected}`);
    refuses({ ...spec, required: true }, '', `ref is empty; ${expected}`);
  });
});

describe('text', () => {
  const spec: ColumnSpec = { ...base, name: 'note', type: 'text', maxLength: 5 };
  it('stores what it finds; nothing visible is empty', () => {
    accepts(spec, 'Zoë', 'Zoë');
    accepts(spec, '\u200b', undefined);
  });
  it('refuses text over maxLength and control characters', () => {
    refuses(spec, 'abcdef', 'note is 6 characters long; expected at most 5');
    refuses(spec, 'a\u001bb', 'note "a\\u001bb" contains the control character U+001B; expected printable text (tabs and line breaks are allowed)');
    refuses({ ...spec, required: true }, ' ', 'note is empty; expected a value');
  });
});

describe('email', () => {
  const spec: ColumnSpec = { ...base, name: 'email', type: 'email', maxLength: 254 };
  const reason = (v: string) => `email ${JSON.stringify(v)} is not a plausible e-mail address; expected an address like name@example.com`;
  it('stores an address lower-cased in ASCII', () => {
    accepts(spec, 'Ann.Lee+x@Mail.Example.COM', 'ann.lee+x@mail.example.com');
    accepts(spec, 'zoë@exämple.de', 'zoë@exämple.de');
  });
  it.each(['.ann@example.com', 'ann.@example.com', 'a..b@example.com', 'ann@example', 'ann@.example.com', 'ann@example..com', 'ann@example.com.', 'ann@-example.com', 'ann@example-.com', 'ann@exa_mple.com', 'a@b@example.com', 'ann example@example.com', '"ann"@example.com', `${'a'.repeat(65)}@example.com`])(
    'refuses %j',
    (value) => {
      expect(isPlausibleEmail(value)).toBe(false);
      refuses(spec, value, reason(value));
    },
  );
  it('refuses a look-alike of an ASCII letter before anything else', () => {
    refuses(spec, '\u212aate@example.com', 'email "\u212aate@example.com" contains "\u212a" (U+212A), a look-alike of an ASCII letter or digit; expected an address like name@example.com');
  });
});

describe('integer', () => {
  const spec: ColumnSpec = { ...base, name: 'boxes', type: 'integer', min: 1, max: 12_000 };
  const expected = expectedText(spec);
  it('says its range from its options', () => expect(expected).toBe('expected a whole number from 1 to 12,000'));
  it('accepts whole numbers in range as numbers', () => accepts(spec, '007', 7));
  it.each([
    ['-3', 'is not a whole number'],
    ['1.0', 'is not a whole number'],
    ['٣', 'is not a whole number'],
    ['0', 'is out of range'],
    ['12001', 'is out of range'],
  ])('refuses %j: %s', (value, what) => refuses(spec, value, `boxes ${JSON.stringify(value)} ${what}; ${expected}`));
  it('takes a sign where min allows negative values', () => {
    accepts({ ...spec, min: -5 }, '-5', -5);
  });
});

describe('decimal', () => {
  const spec: ColumnSpec = { ...base, name: 'discount', type: 'decimal', min: 0, max: 500, scale: 3 };
  const expected = 'expected a decimal number from 0 to 500 with at most 3 decimals, e.g. 19.999';
  it('says its range and scale from its options', () => expect(expectedText(spec)).toBe(expected));
  it('stores an exact number', () => {
    accepts(spec, '0.125', 0.125);
    accepts(spec, '500', 500);
  });
  it.each([
    ['1.2345', 'has more than 3 decimals'],
    ['-1', 'is negative'],
    ['+1', 'is not a plain decimal number'],
    ['-0', 'is not a plain decimal number'],
    ['1e3', 'is not a plain decimal number'],
    ['500.001', 'is more than 500'],
  ])('refuses %j: %s', (value, what) => refuses(spec, value, `discount ${JSON.stringify(value)} ${what}; ${expected}`));
  it('words scale 0 and 1, and a minimum above 0', () => {
    const whole: ColumnSpec = { ...spec, scale: 0, min: 2 };
    expect(expectedText(whole)).toBe('expected a decimal number from 2 to 500 with no decimals, e.g. 19');
    refuses(whole, '3.5', `discount "3.5" has decimals; ${expectedText(whole)}`);
    refuses(whole, '1', `discount "1" is less than 2; ${expectedText(whole)}`);
    refuses({ ...spec, scale: 1 }, '1.25', 'discount "1.25" has more than 1 decimal; expected a decimal number from 0 to 500 with at most 1 decimal, e.g. 19.9');
  });
});

describe('boolean', () => {
  const spec: ColumnSpec = { ...base, name: 'gift', type: 'boolean' };
  it.each([['true', true], ['YES', true], ['1', true], ['False', false], ['no', false], ['0', false]])('reads %j as %s', (value, stored) => accepts(spec, value, stored));
  it.each(['y', 'ja', '2', 'yeſ', 'trUe\u200b'])('refuses %j', (value) => {
    expect(apply(spec, value).reasons[0]).toMatch(/^gift ".*" is not a yes\/no value; expected true, false, yes, no, 1 or 0 \(any case\)$/);
  });
});

describe('date', () => {
  const spec: ColumnSpec = { ...base, name: 'delivery', type: 'date', notBefore: '2020-01-01', maxDaysAhead: 30 };
  const expected = 'expected an ISO 8601 date like 2024-03-05';
  it('stores a calendar date as written', () => accepts(spec, '2026-02-14', '2026-02-14'));
  it.each([
    ['2026-02-30', `is not a real calendar date; ${expected}`],
    ['2026-02-14T10:00:00Z', `is not an ISO 8601 date; ${expected}`],
    ['14/02/2026', `is not an ISO 8601 date; ${expected}`],
    ['2019-12-31', 'is too far in the past; expected no earlier than 2020-01-01'],
    ['2026-02-15', 'is in the future; expected no later than 2026-02-14 (30 days after processing)'],
  ])('refuses %j', (value, what) => refuses(spec, value, `delivery ${JSON.stringify(value)} ${what}`));
});

describe('datetime', () => {
  const spec: ColumnSpec = { ...base, name: 'shipped_at', type: 'datetime', notBefore: '2000-01-01', maxDaysAhead: 0 };
  it('stores the UTC date-time', () => accepts(spec, '2026-01-15T13:00:00+02:00', '2026-01-15T11:00:00.000Z'));
  it('words its limits from its options', () => {
    refuses(spec, '1999-12-31', 'shipped_at "1999-12-31" is too far in the past; expected no earlier than 2000-01-01T00:00:00.000Z');
    refuses(spec, '2026-01-15T12:00:01Z', 'shipped_at "2026-01-15T12:00:01Z" is in the future; expected no later than 2026-01-15T12:00:00.000Z (0 days after processing)');
  });
});

describe('currency and country', () => {
  const country: ColumnSpec = { ...base, name: 'ship_to', type: 'country' };
  it('stores the code upper-cased, the default when empty', () => {
    accepts(country, 'de', 'DE');
    accepts({ ...country, default: 'US' }, '', 'US');
    accepts({ ...base, name: 'ccy', type: 'currency', default: 'EUR' }, undefined, 'EUR');
  });
  it.each(['UK', 'EU', 'DEU', 'ｄｅ'])('refuses %j (not an assigned alpha-2 code)', (value) => {
    refuses(country, value, `ship_to ${JSON.stringify(value)} is not an ISO 3166-1 alpha-2 country code; expected a two-letter ISO 3166-1 code such as US, DE or JP`);
  });
  it('refuses an empty required code', () => {
    refuses({ ...country, required: true }, '', 'ship_to is empty; expected a two-letter ISO 3166-1 code such as US, DE or JP');
  });
});

describe('enum', () => {
  const spec: ColumnSpec = { ...base, name: 'channel', type: 'enum', values: ['web', 'Store', 'phone'] };
  const expected = 'expected one of "web", "Store" or "phone" (any case)';
  it('matches in any ASCII case and stores the value as declared', () => {
    accepts(spec, 'WEB', 'web');
    accepts(spec, 'store', 'Store');
  });
  it('refuses other values and look-alikes', () => {
    refuses(spec, 'fax', `channel "fax" is not one of the allowed values; ${expected}`);
    refuses(spec, 'ſtore', `channel "ſtore" contains "ſ" (U+017F), a look-alike of an ASCII letter or digit; ${expected}`);
  });
});
