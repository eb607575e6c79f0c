import { describe, expect, it } from 'vitest';
import { CsvRecords, queryReport, reasonKind, ROW_COLUMN } from '../../../console/errors-report.ts';
import { errorReportHeaderLine, errorReportLine } from '../../../functions/order-processor/reports/csv-output.ts';
import type { RowError } from '../../../functions/order-processor/contract/types.ts';

const ERRORS: RowError[] = [
  { line: 2, order_id: 'A-1', column: 'quantity', reason: 'quantity "0" is out of range; expected a whole number 1 … 1,000,000' },
  { line: 3, order_id: 'A-2', column: 'quantity', reason: 'quantity "x" is not a whole number; expected a whole number 1 … 1,000,000' },
  { line: 5, order_id: '=HYPERLINK("x")', column: 'unit_price', reason: 'unit_price "-1" is negative; expected …' },
  { line: 7, order_id: null, column: null, reason: 'the row has 3 fields, "a,\nb"; expected 5' },
  { line: 9, order_id: 'A-9', column: 'quantity', reason: 'quantity "12345678" is out of range; expected a whole number 1 … 1,000,000' },
];

/** The report exactly as the processor writes it, cut into uneven chunks. */
function report(errors: RowError[], chunk = 7): Uint8Array[] {
  const bytes = new TextEncoder().encode(errorReportHeaderLine() + errors.map(errorReportLine).join(''));
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += chunk) chunks.push(bytes.subarray(i, i + chunk));
  return chunks;
}

async function* each<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}

describe('queryReport', () => {
  it('reads back every row the processor wrote, quotes, line breaks and formula guards undone', async () => {
    // Act
    const page = await queryReport(each(report(ERRORS)), { offset: 0, limit: 50 });

    // Assess
    expect(page.total).toBe(5);
    expect(page.matched).toBe(5);
    expect(page.rows).toEqual(
      ERRORS.map((e) => ({ line: String(e.line), order_id: e.order_id ?? '', column: e.column ?? ROW_COLUMN, reason: e.reason })),
    );
  });

  it('filters by column, kind of reason and text, and counts each choice', async () => {
    // Act
    const byColumn = await queryReport(each(report(ERRORS)), { column: 'quantity', offset: 0, limit: 50 });
    const byKind = await queryReport(each(report(ERRORS)), { kind: 'quantity … is out of range', offset: 0, limit: 50 });
    const byText = await queryReport(each(report(ERRORS)), { text: 'NEGATIVE', offset: 0, limit: 50 });

    // Assess
    expect(byColumn.rows.map((r) => r.line)).toEqual(['2', '3', '9']);
    expect(byColumn.total).toBe(5);
    expect(byColumn.columns).toEqual([
      { value: 'quantity', count: 3 },
      { value: ROW_COLUMN, count: 1 },
      { value: 'unit_price', count: 1 },
    ]);
    expect(byKind.rows.map((r) => r.line)).toEqual(['2', '9']);
    expect(byKind.kinds[0]).toEqual({ value: 'quantity … is out of range', count: 2 });
    expect(byText.rows.map((r) => r.line)).toEqual(['5']);
  });

  it('pages through the matching rows', async () => {
    // Act
    const second = await queryReport(each(report(ERRORS)), { offset: 2, limit: 2 });

    // Assess
    expect(second.matched).toBe(5);
    expect(second.offset).toBe(2);
    expect(second.rows.map((r) => r.line)).toEqual(['5', '7']);
  });

  it('reads an empty report as no rows', async () => {
    // Act
    const page = await queryReport(each(report([])), { offset: 0, limit: 10 });

    // Assess
    expect(page).toMatchObject({ total: 0, matched: 0, rows: [] });
  });
});

describe('reasonKind', () => {
  it('drops the quoted values, numbers and the "expected" half', () => {
    // Assess
    expect(reasonKind('quantity "0" is out of range; expected 1 …')).toBe('quantity … is out of range');
    expect(reasonKind('duplicate order_id "A": first seen on line 12; expected once')).toBe('duplicate order_id …: first seen on line N');
    expect(reasonKind('a "x"; e | b "y"; f')).toBe('a … | b …');
  });
});

describe('CsvRecords', () => {
  it('splits records across chunk boundaries, CRLF and quoted line breaks', () => {
    // Prepare
    const parser = new CsvRecords();
    const records: string[][] = [];

    // Act
    for (const piece of ['a,"b\r', '\nc",d\r', '\n"e""', 'f",', '\r\n']) parser.push(piece, (r) => records.push(r));
    parser.end((r) => records.push(r));

    // Assess
    expect(records).toEqual([
      ['a', 'b\r\nc', 'd'],
      ['e"f', ''],
    ]);
  });
});
