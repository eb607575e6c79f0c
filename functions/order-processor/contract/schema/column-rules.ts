/**
 * The rule of each column type (docs/csv-format.md "Column types"): a declared column in, a
 * function from one trimmed cell to the value stored (or nothing) out, pushing a Problem for a
 * value it refuses. Each reason quotes the value as found and says what is expected, built from
 * the same options the check compares with. Look-alikes are refused, never folded: digits are
 * ASCII only (`\d` without the `u` flag is [0-9]), codes, booleans and enum values are matched
 * in ASCII case only, e-mail addresses are lower-cased in ASCII only, after refusing the letters
 * that case-fold to ASCII (look-alikes.ts). Pure.
 */
import { ISO_3166_ALPHA2_CODES } from '../countries.ts';
import { ISO_4217_CODES } from '../currencies.ts';
import { countText, quote } from '../headers.ts';
import { hasIsoDateShape, isCanonicalIso, parseIsoDate } from '../iso-date.ts';
import { codePointName, firstAsciiLookAlike, firstControlCharacter, hasInvisibleCharacter, hasVisibleCharacter, isPrintableAscii } from '../look-alikes.ts';
import type { OrderValue } from '../types.ts';
import type { ColumnSpec, DateColumn, DecimalColumn, EmailColumn, EnumColumn, IdColumn, IntegerColumn, TextColumn } from './format.ts';


export interface Problem {
  column: string;
  reason: string;
}

/** What a row's check may need besides the cell: "now" for dates. */
export interface RowClock {
  now: Date;
}

/**
 * One column's rule: the cell (undefined when the header has no such column) → the value to
 * store, or undefined (nothing stored: an empty optional cell, or a refused value, for which a
 * Problem was pushed).
 */
export type CellRule = (value: string | undefined, problems: Problem[], clock: RowClock) => OrderValue | undefined;

/** Length in characters (code points), cheap when UTF-16 length is already within `limit`. */
export function lengthOver(value: string, limit: number): number | null {
  if (value.length <= limit) return null;
  const length = [...value].length;
  return length > limit ? length : null;
}

const ID_CHARS = /^[A-Za-z0-9._:-]+$/;

/** The "expected …" half of each type's reasons, from the column's options. */
export function expectedText(spec: ColumnSpec): string {
  switch (spec.type) {
    case 'id':
      return `expected 1 to ${spec.maxLength} characters of A-Z, a-z, 0-9, ".", "_", ":" or "-"`;
    case 'text':
      return spec.required ? 'expected a value' : `expected at most ${spec.maxLength} characters`;
    case 'email':
      return 'expected an address like name@example.com';
    case 'integer':
      return `expected a whole number from ${countText(spec.min)} to ${countText(spec.max)}`;
    case 'decimal':
      return `expected a decimal number from ${countText(spec.min)} to ${countText(spec.max)} with ${decimalsText(spec.scale)}, e.g. ${decimalExample(spec.scale)}`;
    case 'boolean':
      return 'expected true, false, yes, no, 1 or 0 (any case)';
    case 'date':
      return 'expected an ISO 8601 date like 2024-03-05';
    case 'datetime':
      return 'expected an ISO 8601 date like 2024-03-05 or date-time like 2024-03-05T14:30:00Z';
    case 'currency':
      return 'expected a three-letter ISO 4217 code such as USD, EUR or GBP';
    case 'country':
      return 'expected a two-letter ISO 3166-1 code such as US, DE or JP';
    case 'enum':
      return `expected one of ${listText(spec.values.map((v) => quote(v)))} (any case)`;
  }
}

const decimalsText = (scale: number): string => (scale === 0 ? 'no decimals' : `at most ${scale} decimal${scale === 1 ? '' : 's'}`);
const decimalExample = (scale: number): string => (scale === 0 ? '19' : `19.${'9'.repeat(scale)}`);
const listText = (items: readonly string[]): string =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;

/** The rule of one declared column (the key column's duplicate rule is the row validator's: compile.ts). */
export function cellRule(spec: ColumnSpec): CellRule {
  switch (spec.type) {
    case 'id':
      return idRule(spec);
    case 'text':
      return textRule(spec);
    case 'email':
      return emailRule(spec);
    case 'integer':
      return integerRule(spec);
    case 'decimal':
      return decimalRule(spec);
    case 'boolean':
      return booleanRule(spec);
    case 'date':
    case 'datetime':
      return dateRule(spec);
    case 'currency':
    case 'country':
      return codeRule(spec.name, spec.required, spec.default, expectedText(spec), spec.type === 'currency' ? CURRENCY : COUNTRY);
    case 'enum':
      return enumRule(spec);
  }
}

/** The problem of an empty required cell (an empty optional cell stores nothing). */
function emptyProblem(spec: ColumnSpec, expected: string): Problem {
  return { column: spec.name, reason: `${spec.name} is empty; ${expected}` };
}

/** The id rule's own problem for a value, or null (shared with the key's duplicate rule and the guess of a broken row's id). */
export function idProblem(name: string, value: string, maxLength: number, expected: string): Problem | null {
  if (!value) return { column: name, reason: `${name} is empty; ${expected}` };
  const length = lengthOver(value, maxLength);
  if (length !== null) return { column: name, reason: `${name} ${quote(value)} is ${length} characters long; expected at most ${maxLength}` };
  if (!ID_CHARS.test(value)) {
    const bad = [...new Set([...value].filter((ch) => !ID_CHARS.test(ch)))].map((ch) => quote(ch)).join(', ');
    return { column: name, reason: `${name} ${quote(value)} contains ${bad}; ${expected}` };
  }
  return null;
}

/** Whether a value passes the id rule (used to name the order of a row broken before the rules ran). */
export function looksLikeId(value: string | undefined, maxLength: number): value is string {
  return value !== undefined && value.length > 0 && value.length <= maxLength && ID_CHARS.test(value);
}

function idRule(spec: IdColumn): CellRule {
  const expected = expectedText(spec);
  return (value, problems) => {
    if (!value && !spec.required) return undefined;
    const problem = idProblem(spec.name, value ?? '', spec.maxLength, expected);
    if (problem) problems.push(problem);
    return problem ? undefined : value;
  };
}

/**
 * Free text: stored as found (trimmed), nothing folded. A value with nothing visible is empty.
 * Controls other than tab and line breaks are refused; so is a value over `maxLength` characters.
 */
function textRule(spec: TextColumn): CellRule {
  const { name, maxLength } = spec;
  const expected = expectedText(spec);
  return (value, problems) => {
    const text = value ?? '';
    const visible = hasVisibleCharacter(text);
    if (!visible && spec.required) problems.push(emptyProblem(spec, expected));
    const length = lengthOver(text, maxLength);
    if (length !== null) problems.push({ column: name, reason: `${name} is ${length} characters long; expected at most ${maxLength}` });
    const control = firstControlCharacter(text);
    if (control !== null) {
      problems.push({
        column: name,
        reason: `${name} ${quote(text)} contains the control character ${codePointName(control)}; expected printable text (tabs and line breaks are allowed)`,
      });
    }
    return visible && length === null && control === null ? text : undefined;
  };
}

/**
 * A plausible address, stricter than "something@something.tld": a local part of 1–64 characters
 * with no dot at either end and no two dots in a row; a domain of labels of letters, digits and
 * inner hyphens, none empty, at least two of them; no spaces, quotes, commas, brackets or angle
 * brackets anywhere. Non-ASCII letters are allowed (international addresses), except those that
 * case-fold to ASCII letters; the address is stored lower-cased in ASCII only.
 */
/** Characters never in an address: whitespace, quotes, commas, semicolons, brackets, backslash, "@". */
const EMAIL_CHAR = '[^\\s@",;<>()[\\]\\\\';
/** A local part: dot-separated runs (no dot at either end, no two in a row). */
const EMAIL_LOCAL = `${EMAIL_CHAR}.]+(?:\\.${EMAIL_CHAR}.]+)*`;
/** A domain label: 1–63 characters, no dot or "_", no "-" at either end. */
const EMAIL_LABEL = `${EMAIL_CHAR}._-](?:${EMAIL_CHAR}._]{0,61}${EMAIL_CHAR}._-])?`;
const EMAIL = new RegExp(`^(?=[^@]{1,64}@)${EMAIL_LOCAL}@${EMAIL_LABEL}(?:\\.${EMAIL_LABEL})+$`);

export function isPlausibleEmail(value: string): boolean {
  return EMAIL.test(value);
}

/** Lower-cases ASCII letters only: a non-ASCII letter keeps its case (none left folds to ASCII). */
function lowerAscii(value: string, printableAscii: boolean): string {
  if (printableAscii) return value.toLowerCase();
  return value.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

function emailRule(spec: EmailColumn): CellRule {
  const { name, maxLength } = spec;
  const expected = expectedText(spec);
  return (value, problems) => {
    if (!value) {
      if (spec.required) problems.push(emptyProblem(spec, expected));
      return undefined;
    }
    const ascii = isPrintableAscii(value);
    const lookAlike = ascii ? null : firstAsciiLookAlike(value);
    if (lookAlike !== null) {
      problems.push({ column: name, reason: lookAlikeReason(name, value, lookAlike, expected) });
      return undefined;
    }
    if (lengthOver(value, maxLength) !== null || (!ascii && hasInvisibleCharacter(value)) || !EMAIL.test(value)) {
      problems.push({ column: name, reason: `${name} ${quote(value)} is not a plausible e-mail address; ${expected}` });
      return undefined;
    }
    return lowerAscii(value, ascii);
  };
}

/** The reason for a look-alike of an ASCII letter or digit (the same wording in every type). */
export function lookAlikeReason(name: string, value: string, ch: string, expected: string): string {
  return `${name} ${quote(value)} contains ${quote(ch)} (${codePointName(ch)}), a look-alike of an ASCII letter or digit; ${expected}`;
}

function integerRule(spec: IntegerColumn): CellRule {
  const { name, min, max } = spec;
  const expected = expectedText(spec);
  // A sign only where negative values are allowed: "-5" is "not a whole number" for a count.
  const shape = min < 0 ? /^-?\d+$/ : /^\d+$/;
  return (value, problems) => {
    if (!value) {
      if (spec.required) problems.push(emptyProblem(spec, expected));
      return undefined;
    }
    if (!shape.test(value)) {
      problems.push({ column: name, reason: `${name} ${quote(value)} is not a whole number; ${expected}` });
      return undefined;
    }
    const n = Number(value);
    if (n < min || n > max) {
      problems.push({ column: name, reason: `${name} ${quote(value)} is out of range; ${expected}` });
      return undefined;
    }
    return n;
  };
}

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?$/;

/**
 * A plain decimal (digits, an optional point and digits; a sign only for a negative value where
 * `min` allows one: "+5", "-0" are never plain). Stored as a number: its value in minor units
 * (an exact integer, within 2^53 as the schema check ensures) divided by 10^scale.
 */
function decimalRule(spec: DecimalColumn): CellRule {
  const { name, min, max, scale } = spec;
  const expected = expectedText(spec);
  const unit = 10 ** scale;
  const minMinor = min * unit;
  const maxMinor = max * unit;
  return (value, problems) => {
    if (!value) {
      if (spec.required) problems.push(emptyProblem(spec, expected));
      return undefined;
    }
    const problem = decimalProblem(value, min, scale, maxMinor, minMinor, unit);
    if (typeof problem === 'string') {
      problems.push({ column: name, reason: `${name} ${quote(value)} ${problem}; ${expected}` });
      return undefined;
    }
    return problem / unit;
  };
}

/** The value in minor units, or what is wrong with it. */
function decimalProblem(value: string, min: number, scale: number, maxMinor: number, minMinor: number, unit: number): number | string {
  const match = DECIMAL.exec(value);
  if (!match) return 'is not a plain decimal number';
  const [, sign = '', whole = '', fraction = ''] = match;
  if (sign !== '') {
    const zero = !/[1-9]/.test(whole) && !/[1-9]/.test(fraction);
    if (sign === '-' && !zero && min >= 0) return 'is negative';
    if (sign === '+' || zero) return 'is not a plain decimal number';
  }
  if (fraction.length > scale) return scale === 0 ? 'has decimals' : `has more than ${decimalsText(scale).slice('at most '.length)}`;
  const magnitude = Number(whole) * unit + (scale === 0 ? 0 : Number(fraction.padEnd(scale, '0')));
  const minor = sign === '-' ? -magnitude : magnitude;
  if (minor > maxMinor) return `is more than ${countText(maxMinor / unit)}`;
  if (minor < minMinor) return `is less than ${countText(minMinor / unit)}`;
  return minor;
}

function booleanRule(spec: ColumnSpec): CellRule {
  const expected = expectedText(spec);
  return (value, problems) => {
    if (!value) {
      if (spec.required) problems.push(emptyProblem(spec, expected));
      return undefined;
    }
    // No `u` flag: then `i` matches ASCII case only (with `u`, "K" would match "k").
    if (/^(true|yes|1)$/i.test(value)) return true;
    if (/^(false|no|0)$/i.test(value)) return false;
    problems.push({ column: spec.name, reason: `${spec.name} ${quote(value)} is not a yes/no value; ${expected}` });
    return undefined;
  };
}

const DAY_MS = 24 * 60 * 60 * 1000;
const ISO_DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * `datetime`: an ISO 8601 date or date-time, stored as the UTC date-time toISOString writes.
 * `date`: an ISO 8601 calendar date, stored as written. Both: not before `notBefore`, at most
 * `maxDaysAhead` days after processing.
 */
function dateRule(spec: DateColumn): CellRule {
  const { name, type } = spec;
  const expected = expectedText(spec);
  const earliest = spec.notBefore === undefined ? null : parseIsoDate(spec.notBefore);
  const earliestText = spec.notBefore === undefined ? '' : type === 'date' ? spec.notBefore.slice(0, 10) : new Date(earliest ?? 0).toISOString();
  const aheadMs = spec.maxDaysAhead === undefined ? null : spec.maxDaysAhead * DAY_MS;
  const days = spec.maxDaysAhead === 1 ? '1 day' : `${spec.maxDaysAhead} days`;
  // "Now" is the same for every row of a file: the latest day a date may name is worked out once per "now".
  let latestFor = NaN;
  let latestDay = '';
  return (value, problems, clock) => {
    if (!value) {
      if (spec.required) problems.push(emptyProblem(spec, expected));
      return undefined;
    }
    const now = clock.now.getTime();
    if (type === 'date' && aheadMs !== null && now !== latestFor) {
      latestFor = now;
      latestDay = new Date(now + aheadMs).toISOString().slice(0, 10);
    }
    return dateValue(value, now, problems);
  };

  function refuse(value: string, problem: string, problems: Problem[]): undefined {
    problems.push({ column: name, reason: `${name} ${quote(value)} ${problem}` });
    return undefined;
  }

  /** The value stored, or undefined after pushing what is wrong with it. */
  function dateValue(value: string, now: number, problems: Problem[]): string | undefined {
    const time = type === 'date' && !ISO_DATE_ONLY.test(value) ? null : parseIsoDate(value);
    if (time === null) {
      const shaped = type === 'date' ? ISO_DATE_ONLY.test(value) : hasIsoDateShape(value);
      const what = type === 'date' ? 'an ISO 8601 date' : 'an ISO 8601 date or date-time';
      return refuse(value, `${shaped ? `is not a real calendar date${type === 'date' ? '' : ' or time'}` : `is not ${what}`}; ${expected}`, problems);
    }
    if (earliest !== null && time < earliest) return refuse(value, `is too far in the past; expected no earlier than ${earliestText}`, problems);
    if (aheadMs !== null) {
      const latest = now + aheadMs;
      // A date is a whole day: it may be the day `latest` falls on (dates compare as text).
      if (type === 'date' ? value > latestDay : time > latest) {
        return refuse(value, `is in the future; expected no later than ${type === 'date' ? latestDay : new Date(latest).toISOString()} (${days} after processing)`, problems);
      }
    }
    if (type === 'date') return value;
    // Already in the form toISOString writes (that layout, and it parsed): its own canonical form.
    return isCanonicalIso(value) ? value : new Date(time).toISOString();
  }
}

interface CodeList {
  length: number;
  codes: ReadonlySet<string>;
  what: string;
}
const CURRENCY: CodeList = { length: 3, codes: ISO_4217_CODES, what: 'an ISO 4217 currency code' };
const COUNTRY: CodeList = { length: 2, codes: ISO_3166_ALPHA2_CODES, what: 'an ISO 3166-1 alpha-2 country code' };

/** An ISO code: ASCII letters first (toUpperCase folds look-alikes: "uſd" → "USD"), stored upper-case. */
function codeRule(name: string, required: boolean, fallback: string | undefined, expected: string, list: CodeList): CellRule {
  const shape = new RegExp(`^[A-Za-z]{${list.length}}$`);
  return (value, problems) => {
    if (!value) {
      if (required) problems.push({ column: name, reason: `${name} is empty; ${expected}` });
      return fallback;
    }
    const code = shape.test(value) ? value.toUpperCase() : '';
    if (!list.codes.has(code)) {
      problems.push({ column: name, reason: `${name} ${quote(value)} is not ${list.what}; ${expected}` });
      return undefined;
    }
    return code;
  };
}

/** One of the declared values, any ASCII case; stored as declared. */
function enumRule(spec: EnumColumn): CellRule {
  const expected = expectedText(spec);
  const byFolded = new Map(spec.values.map((v) => [lowerAscii(v, false), v]));
  return (value, problems) => {
    if (!value) {
      if (spec.required) problems.push(emptyProblem(spec, expected));
      return undefined;
    }
    const ascii = isPrintableAscii(value);
    const lookAlike = ascii ? null : firstAsciiLookAlike(value);
    const declared = lookAlike === null ? byFolded.get(lowerAscii(value, ascii)) : undefined;
    if (declared === undefined) {
      problems.push({
        column: spec.name,
        reason: lookAlike === null ? `${spec.name} ${quote(value)} is not one of the allowed values; ${expected}` : lookAlikeReason(spec.name, value, lookAlike, expected),
      });
    }
    return declared;
  };
}
