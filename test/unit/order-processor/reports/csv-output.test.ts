import { describe, expect, it } from 'vitest';
import { mapHeader } from '../../../../functions/order-processor/contract/headers.ts';
import { BUILT_IN_SCHEMA } from '../../../../functions/order-processor/contract/schema/built-in.ts';
import { compileSchema } from '../../../../functions/order-processor/contract/schema/compile.ts';
import type { Order } from '../../../../functions/order-processor/contract/types.ts';
import {
  CLEANED_COLUMNS,
  cleanedColumnsFor,
  cleanedHeaderLine,
  cleanedRowLine,
  errorReportHeaderLine,
  errorReportLine,
  neutralizeFormula,
} from '../../../../functions/order-processor/reports/csv-output.ts';

function order(overrides: Partial<Order> = {}): Order {
  return {
    order_id: 'A-1',
    line: 1,
    customer_name: 'Smith, Jane "JJ"',
    product_name: 'Widget',
    quantity: 2,
    unit_price: 9.99,
    currency: 'USD',
    total_amount: 19.98,
    source_key: 'raw-data/o.csv',
    source_line: 2,
    ingestion_id: 'ing',
    processed_at: '2026-11-22T04:00:00.000Z',
    schema_version: 1,
    ...overrides,
  };
}

describe('quoting (fast-csv)', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['bare\rCR', '"bare\rCR"'],
  ])('%j → %j', (input, expected) => {
    // Act / Assess
    expect(errorReportLine({ line: 1, order_id: null, column: null, reason: input })).toBe(`1,,,${expected}\r\n`);
  });
});

describe('neutralizeFormula', () => {
  it.each(['=1+1', '+1', '-2', '@SUM(A1)', '\tx', '\rx', '=HYPERLINK("http://x","y")'])('prefixes %j with an apostrophe', (v) => {
    // Act / Assess
    expect(neutralizeFormula(v)).toBe(`'${v}`);
  });
  it.each([' =1+1', '  @SUM(A1)', '\u00a0+1', '\n=1+1'])('also prefixes %j, a formula behind leading whitespace', (v) => {
    // Act / Assess
    expect(neutralizeFormula(v)).toBe(`'${v}`);
  });
  it('leaves ordinary text alone', () => {
    // Act / Assess
    expect(neutralizeFormula('quantity must be an integer')).toBe('quantity must be an integer');
  });
});

describe('cleaned CSV', () => {
  it('writes canonical then derived columns, empty cells for absent ones, quoted where needed', () => {
    // Act
    const header = cleanedHeaderLine();
    const line = cleanedRowLine(order());
    // Assess
    expect(header).toBe(`${CLEANED_COLUMNS.join(',')}\r\n`);
    expect(line).toBe('A-1,1,,"Smith, Jane ""JJ""",,,Widget,2,9.99,USD,,19.98,raw-data/o.csv,2,ing,2026-11-22T04:00:00.000Z\r\n');
  });

  it('leaves numbers and dates intact', () => {
    // Act: a negative number cannot pass the contract, but the writer must not turn one into text
    const line = cleanedRowLine(order({ quantity: -1, unit_price: -0.5, total_amount: -0.5, order_date: '2024-03-05T00:00:00.000Z' }));
    // Assess
    expect(line).toMatch(/^A-1,.*,-1,-0\.5,USD,2024-03-05T00:00:00\.000Z,-0\.5,/);
  });

  it('writes formula-looking text exactly as stored, so the cleaned CSV reads back to the same orders', () => {
    // Act / Assess: the guard's apostrophe would change the value (docs/csv-format.md, "Output files")
    expect(cleanedRowLine(order({ order_id: '-7', customer_name: '@SUM(A1)', product_name: '+cmd' }))).toMatch(/^-7,1,,@SUM\(A1\),,,\+cmd,2,9\.99,/);
  });
});

describe('cleaned CSV with kept unknown columns', () => {
  const keep = compileSchema({ ...BUILT_IN_SCHEMA.spec, unknownColumns: 'keep' });
  const header = mapHeader(['Order ID', 'customer_name', 'Sales Channel', 'product_name', 'quantity', 'unit_price', 'Notes', 'processed_at'], keep);

  it('puts them after the schema\'s columns, in file order under their attribute names, before the derived ones', () => {
    // Act
    const columns = cleanedColumnsFor(keep, header);
    // Assess: "processed_at" names a derived column: not kept (docs/csv-format.md "Unknown columns")
    expect(columns).toEqual([...CLEANED_COLUMNS.slice(0, 11), 'sales_channel', 'notes', ...CLEANED_COLUMNS.slice(11)]);
    expect(cleanedHeaderLine(columns)).toBe(
      'order_id,line,customer_id,customer_name,customer_email,product_sku,product_name,quantity,unit_price,currency,order_date,sales_channel,notes,total_amount,source_key,source_line,ingestion_id,processed_at\r\n',
    );
  });

  it('writes their values exactly as stored, an absent one as an empty cell', () => {
    // Act
    const line = cleanedRowLine(order({ sales_channel: '=web, "direct"' }), cleanedColumnsFor(keep, header));
    // Assess
    expect(line).toBe('A-1,1,,"Smith, Jane ""JJ""",,,Widget,2,9.99,USD,,"=web, ""direct""",,19.98,raw-data/o.csv,2,ing,2026-11-22T04:00:00.000Z\r\n');
  });

  it('keeps none under ignore: the schema\'s columns whatever the header', () => {
    // Act / Assess
    expect(cleanedColumnsFor(BUILT_IN_SCHEMA, mapHeader(header.raw, BUILT_IN_SCHEMA))).toEqual(CLEANED_COLUMNS);
    expect(cleanedColumnsFor(undefined)).toEqual(CLEANED_COLUMNS);
  });
});

describe('errors report', () => {
  it('has the documented header', () => {
    // Act / Assess
    expect(errorReportHeaderLine()).toBe('line,order_id,column,reason\r\n');
  });

  it('neutralises formulas in every cell and quotes the result', () => {
    // Act
    const line = errorReportLine({ line: 7, order_id: '=cmd|"/c calc"!A1', column: 'quantity', reason: '-5 is below 1, "x"' });
    // Assess
    expect(line).toBe(`7,"'=cmd|""/c calc""!A1",quantity,"'-5 is below 1, ""x"""\r\n`);
  });

  it('writes null order_id and column as empty cells', () => {
    // Act / Assess
    expect(errorReportLine({ line: 3, order_id: null, column: null, reason: 'wrong number of fields' })).toBe(
      '3,,,wrong number of fields\r\n',
    );
  });
});
