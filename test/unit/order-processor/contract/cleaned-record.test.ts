/**
 * A row whose record in the cleaned CSV could not read back as itself is refused before anything
 * is written (contract/cleaned-record.ts, docs/csv-format.md "Output files"); every other row is
 * untouched by the check.
 */
import { FieldFormatter } from '@fast-csv/format/build/src/formatter/index.js';
import { FormatterOptions } from '@fast-csv/format';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanedCell } from '../../../../functions/order-processor/contract/cleaned-record.ts';
import { BUILT_IN_SCHEMA } from '../../../../functions/order-processor/contract/schema/built-in.ts';
import { compileSchema } from '../../../../functions/order-processor/contract/schema/compile.ts';
import { CLEANED_COLUMNS } from '../../../../functions/order-processor/reports/csv-output.ts';
import { bytes, chunked, makeContext, MINIMAL_HEADER, readSource } from './reading.ts';

const H = CLEANED_COLUMNS.length;

/** A file of one order whose product name holds `name` (quoted as an exporter would). */
const oneOrder = (name: string): Buffer => bytes(`${MINIMAL_HEADER}\nA-1,Ann,"${name.replaceAll('"', '""')}",2,3.50\nA-2,Bob,Mug,1,1.00\n`);

describe('rows whose cleaned record would not read back', () => {
  it('refuses a value whose line after a break has as many fields as the cleaned header, naming the column and the line', async () => {
    // Prepare
    const line = `${'x,'.repeat(H - 1)}y`;
    // Act
    const { events } = await readSource(chunked(oneOrder(`Pen\n${line}\nblue`)), makeContext());
    // Assess
    const rejected = events.flatMap((e) => (e.kind === 'rejected' ? [e.error] : []));
    expect(rejected).toEqual([
      {
        line: 2,
        order_id: 'A-1',
        column: 'product_name',
        reason:
          `product_name holds a line break followed by "${line}", a line that read alone has ${H} fields, as many as the cleaned CSV's header: ` +
          'read back, that line would start a row of its own; expected no line inside a value that reads as a whole cleaned row (docs/csv-format.md, "Output files")',
      },
    ]);
    expect(events.filter((e) => e.kind === 'valid').map((e) => (e.kind === 'valid' ? e.order.order_id : ''))).toEqual(['A-2']);
  });

  it("counts the kept columns of a keep schema in the cleaned header's width", async () => {
    // Prepare: two unknown columns kept, so the cleaned CSV has H + 2 columns
    const keep = compileSchema({ ...BUILT_IN_SCHEMA.spec, unknownColumns: 'keep' });
    const file = (commas: number) => bytes(`${MINIMAL_HEADER},note,channel\nA-1,Ann,"Pen\n${'x,'.repeat(commas)}y\nblue",2,3.50,n,web\n`);
    // Act
    const wide = await readSource(chunked(file(H + 1)), makeContext({ schema: keep }));
    const builtInWidth = await readSource(chunked(file(H - 1)), makeContext({ schema: keep }));
    // Assess
    expect(wide.events.flatMap((e) => (e.kind === 'rejected' ? [e.error.reason] : []))[0]).toMatch(new RegExp(`has ${H + 2} fields, as many as the cleaned CSV's header`));
    expect(builtInWidth.events.filter((e) => e.kind === 'valid')).toHaveLength(1);
  });

  it('keeps a value whose lines after a break have any other field count', async () => {
    for (const commas of [0, 1, H - 2, H, H + 5]) {
      const { events } = await readSource(chunked(oneOrder(`Pen\n${'x,'.repeat(commas)}y\nblue`)), makeContext());
      expect(events.filter((e) => e.kind === 'valid')).toHaveLength(2);
    }
  });

  it("refuses every row of a file whose name's line break is followed by a line of the cleaned header's width", async () => {
    // Prepare: the key is the cleaned CSV's source_key cell, the last but three
    const key = `raw-data/a\n${'k,'.repeat(H - 4)}k.csv`;
    // Act
    const { events } = await readSource(chunked(bytes(`${MINIMAL_HEADER}\nA-1,Ann,Pen,2,3.50\n`)), makeContext({ sourceKey: key }));
    // Assess
    const rejected = events.flatMap((e) => (e.kind === 'rejected' ? [e.error] : []));
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.column).toBeNull();
    expect(rejected[0]?.reason).toMatch(/^the file's name \(source_key\) holds a line break followed by "k,k,/);
  });

  it('refuses a row whose cleaned record would span more than 100 lines, and keeps one of 100', async () => {
    const at = (breaks: number) => makeContext({ sourceKey: `raw-data/${'\n'.repeat(breaks)}a.csv` });
    const ninetyNine = await readSource(chunked(bytes(`${MINIMAL_HEADER}\nA-1,Ann,Pen,2,3.50\n`)), at(99));
    expect(ninetyNine.events.filter((e) => e.kind === 'valid')).toHaveLength(1);
    const hundred = await readSource(chunked(bytes(`${MINIMAL_HEADER}\nA-1,Ann,Pen,2,3.50\n`)), at(100));
    const rejected = hundred.events.flatMap((e) => (e.kind === 'rejected' ? [e.error] : []));
    expect(rejected.map((e) => e.reason)).toEqual([
      `the row's record in the cleaned CSV would span 101 lines (its values' line breaks, and the file name's); expected at most 100 lines so that the cleaned CSV reads back (docs/csv-format.md, "Output files")`,
    ]);
  });

  it('quotes a cell exactly as the cleaned CSV is written (fast-csv)', () => {
    const formatter = new FieldFormatter(new FormatterOptions({ rowDelimiter: '\r\n' }));
    const unit = fc.constantFrom('a', ',', '"', '\n', '\r', ' ', '|', 'é', '\t', "'", '=');
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 16 }), (cell) => {
        expect(cleanedCell(cell)).toBe(formatter.format(cell, 0, false));
      }),
      { numRuns: 2000 },
    );
  });
});
