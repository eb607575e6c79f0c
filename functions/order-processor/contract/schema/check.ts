/**
 * Checks a parsed schema file (docs/csv-format.md "The schema file") and fills in its defaults.
 * Every problem names its place in the file (`columns[3].type`), what was found and what is
 * expected; a schema with any problem is never compiled. Pure.
 */
import { ISO_3166_ALPHA2_CODES } from '../countries.ts';
import { ISO_4217_CODES } from '../currencies.ts';
import { countText, normalizeHeaderName } from '../headers.ts';
import { parseIsoDate } from '../iso-date.ts';
import { firstAsciiLookAlike } from '../look-alikes.ts';
import {
  COLUMN_TYPES,
  LINE_ATTRIBUTE,
  RECORD_ATTRIBUTES,
  SCHEMA_VERSION_ATTRIBUTE,
  UNKNOWN_COLUMN_POLICIES,
  type ColumnSpec,
  type ColumnType,
  type DerivedSpec,
  type SchemaSpec,
} from './format.ts';

/** One problem of a schema file: where, and what is wrong and expected. */
export interface SchemaProblem {
  place: string;
  message: string;
}

/** The orders table's key (modules/tables.ts): the one key column a schema may declare today. */
export const TABLE_KEY = 'order_id';

const TOP_LEVEL = ['$schema', 'name', 'version', 'description', 'key', 'lines', 'unknownColumns', 'columns', 'atLeastOne', 'derived'];
const COMMON = ['name', 'type', 'required', 'aliases', 'description', 'level'];
const OPTIONS: Record<ColumnType, readonly string[]> = {
  id: ['maxLength'],
  text: ['maxLength'],
  email: ['maxLength'],
  integer: ['min', 'max'],
  decimal: ['min', 'max', 'scale'],
  boolean: [],
  date: ['notBefore', 'maxDaysAhead'],
  datetime: ['notBefore', 'maxDaysAhead'],
  currency: ['default'],
  country: ['default'],
  enum: ['values'],
};
const DEFAULT_MAX_LENGTH: Record<'id' | 'text' | 'email', number> = { id: 64, text: 256, email: 254 };
const MAX_LENGTH_CAP: Record<'id' | 'text' | 'email', number> = { id: 1024, text: 100_000, email: 254 };
const NAME = /^[a-z][a-z0-9_]{0,63}$/;
const SCHEMA_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Attribute names the pipeline sets itself. */
const RESERVED = new Set<string>([...RECORD_ATTRIBUTES, SCHEMA_VERSION_ATTRIBUTE, LINE_ATTRIBUTE]);
const MAX_SCALE = 8;

type Json = Record<string, unknown>;

const shown = (value: unknown): string => {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}…` : text;
};
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

class Problems {
  readonly list: SchemaProblem[] = [];
  add(place: string, message: string): void {
    this.list.push({ place, message });
  }
  /** `found` is the value as written (absent: "is missing"). */
  expect(place: string, found: unknown, expected: string): void {
    this.add(place, `${found === undefined ? 'is missing' : `is ${shown(found)}`}; expected ${expected}`);
  }
}

/** Checks `raw` (parsed JSON); returns the schema with its defaults filled in, or every problem found. */
export function checkSchema(raw: unknown): { spec: SchemaSpec } | { problems: SchemaProblem[] } {
  const p = new Problems();
  if (!isObject(raw)) {
    p.expect('(top level)', raw, 'an object with "name", "version" and "columns"');
    return { problems: p.list };
  }
  unknownKeys(raw, TOP_LEVEL, '', p);
  const name = raw.name;
  if (typeof name !== 'string' || !SCHEMA_NAME.test(name)) p.expect('name', name, 'a name of 1 to 64 letters, digits, ".", "_" or "-"');
  const version = raw.version;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) p.expect('version', version, 'a whole number from 1 up (raise it when the rules change)');
  const key = raw.key ?? TABLE_KEY;
  const lineColumnName = Array.isArray(key) && key.length === 2 && key[0] === TABLE_KEY && typeof key[1] === 'string' ? key[1] : undefined;
  if (key !== TABLE_KEY && lineColumnName === undefined) {
    p.expect('key', key, `"${TABLE_KEY}" (the orders table's key), or ["${TABLE_KEY}", "<line column>"] for a file of order lines`);
  }
  const lines = raw.lines;
  if (lines !== undefined && lines !== 'by-position') p.expect('lines', lines, '"by-position" (adjacent rows of one order are its lines 1, 2, 3 …)');
  else if (lines !== undefined && lineColumnName !== undefined) p.expect('lines', lines, `no "lines" with a line column (key[1] "${lineColumnName}" numbers the lines)`);
  const unknownColumns = raw.unknownColumns ?? 'ignore';
  if (!UNKNOWN_COLUMN_POLICIES.includes(unknownColumns as never)) p.expect('unknownColumns', unknownColumns, `one of ${UNKNOWN_COLUMN_POLICIES.map((v) => `"${v}"`).join(', ')}`);

  // By position, undefined where a column has problems of its own (later checks skip it).
  const checked: (ColumnSpec | undefined)[] = [];
  if (!Array.isArray(raw.columns) || raw.columns.length === 0) p.expect('columns', raw.columns, 'an array of at least one column');
  else for (const [i, column] of raw.columns.entries()) checked.push(checkColumn(column, `columns[${i}]`, p));
  crossCheckColumns(checked, p);
  const columns = checked.filter((c): c is ColumnSpec => c !== undefined);
  const columnsOk = columns.length === checked.length && columns.length > 0;
  const declared = new Set((Array.isArray(raw.columns) ? raw.columns : []).map((c: unknown) => (isObject(c) ? c.name : undefined)));

  const names = new Set(columns.map((c) => c.name));
  const keyColumn = columns.find((c) => c.name === TABLE_KEY);
  if (columnsOk && (!keyColumn || keyColumn.type !== 'id' || !keyColumn.required)) {
    const i = columns.findIndex((c) => c.name === TABLE_KEY);
    p.add(i < 0 ? 'columns' : `columns[${i}]`, `${i < 0 ? `has no "${TABLE_KEY}" column` : `"${TABLE_KEY}" is not a required id column`}; expected the key column { "name": "${TABLE_KEY}", "type": "id", "required": true }`);
  }
  if (columnsOk && lineColumnName !== undefined) checkLineColumn(lineColumnName, columns, p);
  columns.forEach((c, i) => {
    if (c.level === undefined) return;
    if (c.name === TABLE_KEY) p.expect(`columns[${i}].level`, c.level, `no level on the key column (every row names its order)`);
    else if (lines !== 'by-position') p.expect(`columns[${i}].level`, c.level, 'no level unless "lines" is "by-position" (order-level values are taken from an order\'s first row)');
  });
  const atLeastOne = checkGroups(raw.atLeastOne, names, declared, columns, p);
  const derived = checkDerived(raw.derived, columns, declared, p);
  if (p.list.length > 0) return { problems: p.list };
  return {
    spec: {
      name: name as string,
      version: version as number,
      key: TABLE_KEY,
      ...(lineColumnName !== undefined ? { lineColumn: lineColumnName } : {}),
      ...(lines === 'by-position' ? { lines: 'by-position' as const } : {}),
      unknownColumns: unknownColumns as SchemaSpec['unknownColumns'],
      columns,
      atLeastOne,
      derived,
    },
  };
}

function unknownKeys(object: Json, allowed: readonly string[], at: string, p: Problems): void {
  for (const key of Object.keys(object)) {
    if (!allowed.includes(key)) p.add(`${at}${at ? '.' : ''}${key}`, `is not a known property; expected one of ${allowed.join(', ')}`);
  }
}

function wholeNumber(value: unknown, place: string, p: Problems, min: number, max: number, what = 'a whole number'): number | undefined {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    p.expect(place, value, `${what} from ${countText(min)} to ${countText(max)}`);
    return undefined;
  }
  return value;
}

function checkColumn(raw: unknown, at: string, p: Problems): ColumnSpec | undefined {
  if (!isObject(raw)) {
    p.expect(at, raw, 'a column object with "name" and "type"');
    return undefined;
  }
  const before = p.list.length;
  const name = raw.name;
  if (typeof name !== 'string' || !NAME.test(name)) p.expect(`${at}.name`, name, 'a snake_case name: a lower-case letter, then up to 63 lower-case letters, digits or "_"');
  else if (RESERVED.has(name)) p.expect(`${at}.name`, name, `a name other than ${[...RESERVED].join(', ')} (set by the pipeline)`);
  const type = raw.type;
  if (!COLUMN_TYPES.includes(type as never)) {
    p.expect(`${at}.type`, type, `one of ${COLUMN_TYPES.join(', ')}`);
    return undefined;
  }
  const t = type as ColumnType;
  unknownKeys(raw, [...COMMON, ...OPTIONS[t]], at, p);
  if (raw.required !== undefined && typeof raw.required !== 'boolean') p.expect(`${at}.required`, raw.required, 'true or false');
  if (raw.description !== undefined && typeof raw.description !== 'string') p.expect(`${at}.description`, raw.description, 'a string');
  if (raw.level !== undefined && raw.level !== 'order') p.expect(`${at}.level`, raw.level, '"order" (the same value on every line of an order)');
  const aliases = raw.aliases ?? [];
  if (!Array.isArray(aliases)) p.expect(`${at}.aliases`, aliases, 'an array of header names');
  else aliases.forEach((alias, i) => {
    if (typeof alias !== 'string' || normalizeHeaderName(alias) === '') p.expect(`${at}.aliases[${i}]`, alias, 'a header name with at least one letter or digit');
  });
  const base = {
    name: name as string,
    required: raw.required === true,
    aliases: Array.isArray(aliases) ? (aliases as string[]) : [],
    ...(typeof raw.description === 'string' ? { description: raw.description } : {}),
    ...(raw.level === 'order' ? { level: 'order' as const } : {}),
  };
  const spec = typeOptions(t, raw, at, base, p);
  return p.list.length === before ? spec : undefined;
}

function typeOptions(type: ColumnType, raw: Json, at: string, base: Omit<ColumnSpec, 'type'>, p: Problems): ColumnSpec | undefined {
  switch (type) {
    case 'id':
    case 'text':
    case 'email': {
      const maxLength = raw.maxLength === undefined ? DEFAULT_MAX_LENGTH[type] : wholeNumber(raw.maxLength, `${at}.maxLength`, p, 1, MAX_LENGTH_CAP[type]);
      return maxLength === undefined ? undefined : { ...base, type, maxLength };
    }
    case 'integer': {
      const min = wholeNumber(raw.min ?? -Number.MAX_SAFE_INTEGER, `${at}.min`, p, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
      const max = wholeNumber(raw.max ?? Number.MAX_SAFE_INTEGER, `${at}.max`, p, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
      if (min === undefined || max === undefined) return undefined;
      if (min > max) return void p.expect(`${at}.min`, min, `a number no greater than max (${max})`);
      return { ...base, type, min, max };
    }
    case 'decimal': {
      const scale = raw.scale === undefined ? 2 : wholeNumber(raw.scale, `${at}.scale`, p, 0, MAX_SCALE);
      if (scale === undefined) return undefined;
      // Exact: every value in minor units (value × 10^scale) must be a safe integer.
      const bound = Math.floor(Number.MAX_SAFE_INTEGER / 10 ** scale);
      const min = wholeNumber(raw.min ?? 0, `${at}.min`, p, -bound, bound, `a whole number (exact in minor units at scale ${scale})`);
      const max = wholeNumber(raw.max, `${at}.max`, p, -bound, bound, `a whole number (exact in minor units at scale ${scale})`);
      if (min === undefined || max === undefined) return undefined;
      if (min > max) return void p.expect(`${at}.min`, min, `a number no greater than max (${max})`);
      return { ...base, type, min, max, scale };
    }
    case 'boolean':
      return { ...base, type };
    case 'date':
    case 'datetime': {
      const spec: ColumnSpec = { ...base, type };
      if (raw.notBefore !== undefined) {
        const ok = typeof raw.notBefore === 'string' && parseIsoDate(raw.notBefore) !== null && (type === 'datetime' || /^\d{4}-\d{2}-\d{2}$/.test(raw.notBefore));
        if (!ok) p.expect(`${at}.notBefore`, raw.notBefore, type === 'date' ? 'an ISO 8601 date like 1970-01-01' : 'an ISO 8601 date or date-time like 1970-01-01');
        else spec.notBefore = raw.notBefore as string;
      }
      if (raw.maxDaysAhead !== undefined) {
        const days = wholeNumber(raw.maxDaysAhead, `${at}.maxDaysAhead`, p, 0, 36_500);
        if (days !== undefined) spec.maxDaysAhead = days;
      }
      return spec;
    }
    case 'currency':
    case 'country': {
      const codes = type === 'currency' ? ISO_4217_CODES : ISO_3166_ALPHA2_CODES;
      if (raw.default !== undefined && (typeof raw.default !== 'string' || !codes.has(raw.default))) {
        p.expect(`${at}.default`, raw.default, type === 'currency' ? 'an upper-case ISO 4217 code such as "USD"' : 'an upper-case ISO 3166-1 alpha-2 code such as "US"');
        return undefined;
      }
      return { ...base, type, ...(typeof raw.default === 'string' ? { default: raw.default } : {}) };
    }
    case 'enum': {
      const values = raw.values;
      if (!Array.isArray(values) || values.length === 0) return void p.expect(`${at}.values`, values, 'a non-empty array of the allowed values');
      const seen = new Map<string, number>();
      values.forEach((v, i) => {
        if (typeof v !== 'string' || v.trim() === '' || v.trim() !== v || firstAsciiLookAlike(v) !== null) {
          p.expect(`${at}.values[${i}]`, v, 'a non-empty value without surrounding spaces or look-alikes of ASCII letters');
          return;
        }
        const folded = v.replace(/[A-Z]+/g, (s) => s.toLowerCase());
        const first = seen.get(folded);
        if (first !== undefined) p.expect(`${at}.values[${i}]`, v, `a value other than values[${first}] in any case`);
        seen.set(folded, i);
      });
      return { ...base, type, values: values as string[] };
    }
  }
}

/** Names unique; every alias (and its form without underscores) claimed by one column only. */
function crossCheckColumns(columns: readonly (ColumnSpec | undefined)[], p: Problems): void {
  const claimed = new Map<string, { column: number; place: string }>();
  const claimedSquashed = new Map<string, { column: number; place: string }>();
  columns.forEach((column, i) => {
    if (!column) return;
    const spellings: [string, string][] = [[`columns[${i}].name`, column.name], ...column.aliases.map((a, k): [string, string] => [`columns[${i}].aliases[${k}]`, a])];
    for (const [place, spelling] of spellings) {
      const name = normalizeHeaderName(spelling);
      for (const [map, form] of [[claimed, name], [claimedSquashed, name.replace(/_/g, '')]] as const) {
        const first = map.get(form);
        if (first && first.column !== i) {
          p.add(place, `${shown(spelling)} means the same header as ${first.place} (${shown(columns[first.column]?.name)}); expected each header name to be claimed by one column`);
          break;
        }
        if (!first) map.set(form, { column: i, place });
      }
    }
  });
}

/** The most lines an order may have (a line column's largest value). */
export const MAX_ORDER_LINES = 100_000;

/**
 * The line column of `"key": ["order_id", name]` (docs/csv-format.md "Orders with several lines"):
 * a required integer column whose values lie within 1 … MAX_ORDER_LINES (the table's sort key),
 * or a required id column (the sort key is then the line's place among its order's rows).
 */
function checkLineColumn(name: string, columns: readonly ColumnSpec[], p: Problems): void {
  const i = columns.findIndex((c) => c.name === name);
  const column = columns[i];
  const expected = `a required integer column with min 1 or more and max ${countText(MAX_ORDER_LINES)} or less, e.g. { "name": "${name}", "type": "integer", "required": true, "min": 1, "max": ${MAX_ORDER_LINES} }, or a required id column`;
  if (!column || name === TABLE_KEY) return void p.expect('key[1]', name, `the name of a column of this schema other than "${TABLE_KEY}" (the line column)`);
  const integerLines = column.type === 'integer' && column.min >= 1 && column.max <= MAX_ORDER_LINES;
  if (!column.required || !(integerLines || column.type === 'id')) {
    p.add(`columns[${i}]`, `is the line column (key[1]); expected ${expected}`);
  }
}

/** `declared`: every name in the file's columns, also of those with problems of their own (not reported again here). */
function checkGroups(raw: unknown, names: ReadonlySet<string>, declared: ReadonlySet<unknown>, columns: readonly ColumnSpec[], p: Problems): string[][] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    p.expect('atLeastOne', raw, 'an array of groups of column names, e.g. [["customer_id", "customer_name"]]');
    return [];
  }
  const inGroup = new Set<string>();
  const order = new Map(columns.map((c, i) => [c.name, i]));
  return raw.map((group, g) => {
    const at = `atLeastOne[${g}]`;
    if (!Array.isArray(group) || group.length < 2) {
      p.expect(at, group, 'a group of at least two column names');
      return [];
    }
    group.forEach((member, k) => {
      if (typeof member !== 'string' || !names.has(member)) {
        if (!declared.has(member)) p.expect(`${at}[${k}]`, member, 'the name of a column of this schema');
      }
      else if (inGroup.has(member)) p.expect(`${at}[${k}]`, member, 'a column in one group only');
      else if (member === TABLE_KEY) p.expect(`${at}[${k}]`, member, 'a column other than the key (it is always required)');
      inGroup.add(member as string);
    });
    const sorted = [...(group as string[])].sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
    if (sorted.join() !== (group as string[]).join()) p.expect(at, group, `the columns in the order the schema declares them (${shown(sorted)})`);
    return group as string[];
  });
}

function checkDerived(raw: unknown, columns: readonly ColumnSpec[], declared: ReadonlySet<unknown>, p: Problems): DerivedSpec[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    p.expect('derived', raw, 'an array of derived values, e.g. [{ "name": "total_amount", "rule": "line-total", "of": ["quantity", "unit_price"] }]');
    return [];
  }
  const names = new Set(columns.map((c) => c.name));
  return raw.flatMap((d, i): DerivedSpec[] => {
    const at = `derived[${i}]`;
    if (!isObject(d)) {
      p.expect(at, d, 'an object with "name", "rule" and "of"');
      return [];
    }
    unknownKeys(d, ['name', 'rule', 'of', 'description'], at, p);
    if (typeof d.name !== 'string' || !NAME.test(d.name) || names.has(d.name) || RESERVED.has(d.name)) {
      p.expect(`${at}.name`, d.name, 'a snake_case name that no column or pipeline attribute has');
    } else names.add(d.name);
    if (d.rule !== 'line-total') p.expect(`${at}.rule`, d.rule, '"line-total" (an integer column × a decimal column, exact)');
    const of = d.of;
    const quantity = Array.isArray(of) ? columns.find((c) => c.name === of[0]) : undefined;
    const price = Array.isArray(of) ? columns.find((c) => c.name === of[1]) : undefined;
    if (!Array.isArray(of) || of.length !== 2 || quantity?.type !== 'integer' || price?.type !== 'decimal') {
      // A column named here whose own entry has problems was reported there.
      const reported = Array.isArray(of) && of.some((name) => declared.has(name) && !columns.some((c) => c.name === name));
      if (!reported) p.expect(`${at}.of`, of, 'the names of an integer column and a decimal column, e.g. ["quantity", "unit_price"]');
      return [];
    }
    // The total in minor units must stay exact (a safe integer).
    const most = Math.max(Math.abs(quantity.min), Math.abs(quantity.max)) * Math.max(Math.abs(price.min), Math.abs(price.max)) * 10 ** price.scale;
    if (!(most <= Number.MAX_SAFE_INTEGER)) p.add(`${at}.of`, `the largest total (${most.toExponential(2)} minor units) exceeds 2^53; expected smaller max values on ${quantity.name} or ${price.name} so totals stay exact`);
    return typeof d.name === 'string' ? [{ name: d.name, rule: 'line-total', of: [quantity.name, price.name] }] : [];
  });
}
