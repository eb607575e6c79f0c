/**
 * The cleaned CSV round-trips (docs/csv-format.md, "Output files"): reading a cleaned CSV back
 * with the contract gives exactly the orders that were written — same count, same values, all
 * valid — for random valid files with values at every length limit, formula-looking cells,
 * quotes, commas and quoted line breaks followed by lines of any field count; under a schema that
 * keeps unknown columns too (the kept columns are in the cleaned CSV; its derived columns are read
 * back without being kept). A row whose cleaned record could not read back (a line after a line
 * break with as many fields as the cleaned header: docs/csv-format.md, "Output files") is rejected
 * before anything is written, and only such a row: written anyway, it would not read back as itself.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_SCHEMA } from '../../../../functions/order-processor/contract/schema/built-in.ts';
import { cleanedRecordCheck, cleanedRecordProblem } from '../../../../functions/order-processor/contract/cleaned-record.ts';
import { isRowError, validateRow } from '../../../../functions/order-processor/contract/rules.ts';
import { compileSchema } from '../../../../functions/order-processor/contract/schema/compile.ts';
import { RECORD_ATTRIBUTES } from '../../../../functions/order-processor/contract/schema/format.ts';
import type { ContractEvent, Order } from '../../../../functions/order-processor/contract/types.ts';
import { CLEANED_COLUMNS, cleanedColumnsFor, cleanedHeaderLine, cleanedRowLine } from '../../../../functions/order-processor/reports/csv-output.ts';
import { chunked, makeContext, readSource } from '../contract/reading.ts';

/** The built-in schema's columns, and the length limits it declares (order-schema.json). */
const CANONICAL_COLUMNS = BUILT_IN_SCHEMA.columnNames;
const maxLengthOf = (name: string): number => {
  const column = BUILT_IN_SCHEMA.spec.columns.find((c) => c.name === name);
  if (!column || !('maxLength' in column) || typeof column.maxLength !== 'number') throw new Error(`${name} has no maxLength`);
  return column.maxLength;
};
const LIMITS = { textMaxLength: maxLengthOf('customer_name'), emailMaxLength: maxLengthOf('customer_email'), orderIdMaxLength: maxLengthOf('order_id') };
const INPUT_HEADER = CANONICAL_COLUMNS.join(',');

/** A cell as an exporter writes it: quoted when it holds a comma, a quote or a line break. */
const csvValue = (value: string): string => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

/** A record may span at most 100 lines (docs/csv-format.md, "Limits"). */
const lineBreakCount = (values: readonly string[]): number => values.join('').match(/\r\n|\r|\n/g)?.length ?? 0;

const FORMULA_STARTS = ['=', '+', '-', '@', '=HYPERLINK("http://x","y")', '-2+3', '@SUM(A1)'];

/** A free-text value: up to the length limit (exactly at it often), formula-looking, with commas and quotes. */
function textArb(lineBreaks: boolean): fc.Arbitrary<string> {
  const unit = fc.constantFrom('a', 'Z', '9', ' ', ',', '"', 'é', '注', '=', '-', ...(lineBreaks ? ['\n', '\r\n', '\r'] : []));
  // A line after a break with exactly the cleaned header's field count: commas in a row.
  const cleanedWidthLine = fc.constantFrom(CLEANED_COLUMNS.length - 1, CLEANED_COLUMNS.length - 2, CLEANED_COLUMNS.length).map((commas) => `a\n${'b,'.repeat(commas)}c\nd`);
  const body = fc.oneof(
    fc.string({ unit, minLength: 1, maxLength: 40 }),
    ...(lineBreaks ? [cleanedWidthLine] : []),
    fc.constant(LIMITS.textMaxLength),
  );
  return fc
    .tuple(fc.constantFrom('', ...FORMULA_STARTS), body, fc.constantFrom('Pen', 'x'))
    .map(([start, middle, end]) => {
      if (typeof middle === 'number') return `${start}${'y'.repeat(middle)}`.slice(0, LIMITS.textMaxLength);
      return `${start}${middle}${end}`.slice(-LIMITS.textMaxLength);
    })
    .map((v) => v.trim())
    .filter((v) => /[a-zZ9éPx注]/.test(v));
}

/** A plausible e-mail, at the length limit or formula-looking. */
const emailArb = fc.oneof(
  fc.constant(''),
  fc.constantFrom('-', '+', '=', '@').map((sign) => (sign === '@' ? 'ann@example.com' : `${sign}ann@example.com`)),
  // At the length limit and still plausible: a 64-character local part, domain labels under 64.
  fc.constantFrom('-', 'a').map((first) => {
    const local = `${first}${'b'.repeat(63)}`;
    const label = 'c'.repeat(61);
    const email = `${local}@${label}.${label}.${label}.com`;
    if (email.length !== LIMITS.emailMaxLength) throw new Error(`the limit e-mail has ${email.length} characters`);
    return email;
  }),
);

function fileArb(lineBreaks: boolean): fc.Arbitrary<string> {
  const text = textArb(lineBreaks);
  const row = fc.tuple(text, text, emailArb, text, text, fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 0, max: 100_000_000 }), fc.constantFrom('', 'usd', 'EUR'));
  const fitting = row.filter(([customerId, name, , sku, product]) => lineBreakCount([customerId, name, sku, product]) < 90);
  return fc.array(fitting, { minLength: 1, maxLength: 12 }).map((rows) => {
    const lines = rows.map(([customerId, name, email, sku, product, quantity, cents], i) => {
      const [, , , , , , , currency] = rows[i] ?? [];
      const id = `${'-'.repeat(i % 2)}R${i}`.padEnd(i === 0 ? LIMITS.orderIdMaxLength : 0, 'x');
      const price = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
      return [id, customerId, name, email, sku, product, String(quantity), price, currency ?? '', '2026-01-01'].map(csvValue).join(',');
    });
    return `${INPUT_HEADER}\r\n${lines.join('\r\n')}\r\n`;
  });
}

const isEqual = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
const valid = (events: Awaited<ReturnType<typeof readSource>>['events']): Order[] => events.flatMap((e) => (e.kind === 'valid' ? [e.order] : []));
const contractValues = (orders: readonly Order[]) => orders.map((o) => CANONICAL_COLUMNS.map((c) => o[c] ?? null));

/** Reading a cleaned CSV of `orders` back: its events. */
async function readBack(orders: readonly Order[]) {
  const cleaned = cleanedHeaderLine() + orders.map((order) => cleanedRowLine(order)).join('');
  return readSource(chunked(Buffer.from(cleaned, 'utf8'), 61));
}

const UNWRITABLE = /cleaned CSV/;

async function roundTrip(file: string): Promise<void> {
  // Prepare: the orders the contract makes of the file, as the processor writes them
  const first = await readSource(chunked(Buffer.from(file, 'utf8')));
  expect(first.error).toBeUndefined();
  const refused = first.events.flatMap((e) => (e.kind === 'rejected' ? [e.error] : []));
  // A line after a break may, in the input too, have the input header's field count: not a valid file then.
  fc.pre(refused.every((error) => UNWRITABLE.test(error.reason)));
  for (const error of refused) expect(error.order_id).not.toBeNull();
  const written = valid(first.events);
  // Act
  const again = await readBack(written);
  // Assess
  expect(again.error).toBeUndefined();
  expect(again.events.filter((e) => e.kind !== 'valid' && e.kind !== 'header')).toEqual([]);
  expect(contractValues(valid(again.events))).toEqual(contractValues(written));
}

describe('the cleaned CSV read back with the contract', () => {
  it('gives exactly the orders written: values at every limit, formula-looking cells, quotes and commas', async () => {
    await fc.assert(fc.asyncProperty(fileArb(false), roundTrip), { numRuns: 200 });
  });

  it('gives exactly the orders written when values hold quoted line breaks (CR, LF, CRLF) followed by lines of any field count; only rows that could not read back are refused', async () => {
    await fc.assert(fc.asyncProperty(fileArb(true), roundTrip), { numRuns: 300 });
  });

  it('refuses exactly the rows whose cleaned record would not read back as itself', async () => {
    const text = textArb(true);
    const row = fc.tuple(text, text, text);
    await fc.assert(
      fc.asyncProperty(row, async ([name, sku, product]) => {
        const cells = { order_id: 'R1', customer_name: name, sku, product_name: product, quantity: '1', unit_price: '2.50' };
        const order = validateRow(cells, 2, makeContext(), new Map());
        if (isRowError(order)) return; // only rows the other rules accept matter here
        const problem = cleanedRecordProblem(order, cleanedRecordCheck(CLEANED_COLUMNS, 'raw-data/orders.csv'));
        const back = await readBack([order]);
        const readsBack = back.events.filter((e) => e.kind !== 'header').length === 1 && contractValues(valid(back.events)).length === 1 && isEqual(contractValues(valid(back.events)), contractValues([order]));
        expect(problem === undefined).toBe(readsBack);
      }),
      { numRuns: 400 },
    );
  });
});

/** The built-in schema keeping unknown columns (docs/csv-format.md "Unknown columns"). */
const KEEP = compileSchema({ ...BUILT_IN_SCHEMA.spec, unknownColumns: 'keep' });

/**
 * Unknown header names: plain, folding to one name, to nothing, to `column_<n>`, named like a
 * derived attribute (never kept), empty, non-ASCII; none is a column's name or alias.
 */
const UNKNOWN_NAMES = ['Sales Channel', 'notes', 'Notes', '!!', 'column_12', 'Gift-Note', 'total_amount', 'Source Line', 'line', 'schema_version', 'ProcessedAt', '', '备注', 'x'];

function keepFileArb(lineBreaks: boolean): fc.Arbitrary<string> {
  const text = textArb(lineBreaks);
  // At most one line break per unknown cell: the record stays within 100 lines (the row's own values have fewer than 90).
  const cell = fc.oneof(text.filter((v) => lineBreakCount([v]) <= 1), fc.constant(''), fc.constantFrom(' ', '=1+1', '-', '0042'));
  return fc
    .tuple(fc.array(fc.constantFrom(...UNKNOWN_NAMES), { minLength: 1, maxLength: 6 }), fileArb(lineBreaks), fc.array(fc.array(cell, { minLength: 6, maxLength: 6 }), { minLength: 12, maxLength: 12 }))
    .map(([names, file, cells]) => {
      const [header, ...rows] = file.split('\r\n').reduce<string[]>(joinQuotedLines, []);
      const extra = (i: number): string => names.map((_, k) => csvValue(cells[i]?.[k] ?? '')).join(',');
      return [`${header},${names.map(csvValue).join(',')}`, ...rows.filter((r) => r !== '').map((r, i) => `${r},${extra(i)}`), ''].join('\r\n');
    });
}

/** Rejoins the records of a file split at CRLF where a quoted value held one (an odd count of quotes so far). */
function joinQuotedLines(records: string[], line: string): string[] {
  const last = records[records.length - 1];
  if (last !== undefined && (last.match(/"/g)?.length ?? 0) % 2 === 1) records[records.length - 1] = `${last}\r\n${line}`;
  else records.push(line);
  return records;
}

/** An order without the attributes of its reading (where and when it was read): what the cleaned CSV must give back. */
function withoutRecord(order: Order): Record<string, unknown> {
  const rest: Record<string, unknown> = { ...order };
  for (const a of RECORD_ATTRIBUTES) delete rest[a];
  return rest;
}

const headerOf = (events: readonly ContractEvent[]) => {
  const first = events[0];
  if (first?.kind !== 'header') throw new Error('no header event');
  return first.header;
};

async function keepRoundTrip(file: string): Promise<void> {
  // Prepare: the orders a keep schema makes of the file, and its cleaned CSV
  const first = await readSource(chunked(Buffer.from(file, 'utf8')), { schema: KEEP });
  expect(first.error).toBeUndefined();
  const refused = first.events.flatMap((e) => (e.kind === 'rejected' ? [e.error] : []));
  fc.pre(refused.every((error) => UNWRITABLE.test(error.reason)));
  const written = valid(first.events);
  const columns = cleanedColumnsFor(KEEP, headerOf(first.events));
  const cleaned = cleanedHeaderLine(columns) + written.map((order) => cleanedRowLine(order, columns)).join('');
  // Act
  const again = await readSource(chunked(Buffer.from(cleaned, 'utf8'), 61), { schema: KEEP });
  // Assess: the same orders, the same kept columns (and no more), and the same cleaned header
  expect(again.error).toBeUndefined();
  expect(again.events.filter((e) => e.kind !== 'valid' && e.kind !== 'header')).toEqual([]);
  expect(valid(again.events).map(withoutRecord)).toEqual(written.map(withoutRecord));
  expect(cleanedColumnsFor(KEEP, headerOf(again.events))).toEqual(columns);
}

describe('the cleaned CSV of a schema that keeps unknown columns, read back with that schema', () => {
  it('gives exactly the orders written, kept columns included, keeping none of its derived columns', async () => {
    await fc.assert(fc.asyncProperty(keepFileArb(false), keepRoundTrip), { numRuns: 150 });
  });

  it('does so when values hold quoted line breaks followed by lines of any field count', async () => {
    await fc.assert(fc.asyncProperty(keepFileArb(true), keepRoundTrip), { numRuns: 150 });
  });
});
