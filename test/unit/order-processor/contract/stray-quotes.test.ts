/**
 * The stray-quote rule (docs/csv-format.md "Quoting and records"): a quote that is not closed
 * within its own value costs the line it is on, never the orders after it, while legitimate quoted
 * line breaks stay valid.
 */
import { describe, expect, it } from 'vitest';
import { MAX_RECORD_BYTES, MAX_RECORD_LINES } from '../../../../functions/order-processor/contract/limits.ts';
import { count, fileReason, MINIMAL_HEADER, outline, readAll, rejections } from './reading.ts';

const H = MINIMAL_HEADER;
const HINT = 'expected a closing " at the end of the same value (write a literal quote inside a value as "")';

function orders(prefix: string, n: number, firstLine: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}-${firstLine + i},Ann,Pen,1,1`);
}

describe('readOrders and stray quotes', () => {
  it('rejects only the line of a stray quote, even when a later quote would close it (issue example)', async () => {
    // Prepare
    const csv = [H, 'SW-1,Bob,"Lucky 7 mug,2,2', 'SW-2,Ann,Pen,1,1', 'SW-3,Cy,Ink,1,1', 'SW-5,Di,Cup,1,1', 'SW-4,Ed,Monitor 27",1,1', ''].join('\n');

    // Act
    const { events, error } = await readAll(csv);

    // Assess
    expect(error).toBeUndefined();
    expect(outline(events)).toEqual(['header', 'rejected 2', 'valid 3 SW-2', 'valid 4 SW-3', 'valid 5 SW-5', 'valid 6 SW-4']);
    expect(rejections(events)).toEqual([
      {
        line: 2,
        order_id: 'SW-1',
        column: 'product_name',
        reason: `a quote opens field 3 (product_name) but is not closed before line 3, which reads as an order of its own; ${HINT}`,
      },
    ]);
    expect(events[5]).toMatchObject({ kind: 'valid', order: { product_name: 'Monitor 27"' } });
  });

  it('counts every data line when two stray quotes are 1,000 lines apart (1,003 rows)', async () => {
    // Prepare
    const csv = [H, 'S-1,Bob,"Mug,1,1', ...orders('G', 1000, 3), 'S-2,Ed,Monitor 27",1,1', 'S-3,Fay,Cup,1,1'].join('\n');

    // Act
    const { events, error } = await readAll(csv, { chunkSize: 777 });

    // Assess
    expect(error).toBeUndefined();
    expect(count(events, 'valid') + count(events, 'rejected')).toBe(1003);
    expect(rejections(events).map((e) => e.line)).toEqual([2]);
  });

  it('reads all 4 orders when lines 3 and 5 hold unclosed quotes', async () => {
    // Prepare
    const csv = [H, 'A-1,Ann,Pen,1,1', 'A-2,"Bob,Ink,1,1', 'A-3,Cy,Pad,1,1', 'A-4,Di,"Cup,2,2', ''].join('\r\n');

    // Act
    const { events } = await readAll(csv);

    // Assess
    expect(outline(events)).toEqual(['header', 'valid 2 A-1', 'rejected 3', 'valid 4 A-3', 'rejected 5']);
    expect(rejections(events)[1]).toMatchObject({
      order_id: 'A-4',
      column: 'product_name',
      reason: `a quote opens field 3 (product_name) but is never closed: the file ends first; ${HINT}`,
    });
  });

  it('keeps legitimate quoted line breaks, empty lines and CRLF inside a value', async () => {
    // Prepare: a spreadsheet export with an address-like product name
    const csv = `${H}\r\nA-1,"Ann\r\nSmith","Pen\n\n\nblue, ""navy""\r\n",1,1\r\nA-2,Bob,Ink,1,1\r\n`;

    // Act
    const { events, error } = await readAll(csv);

    // Assess
    expect(error).toBeUndefined();
    expect(outline(events)).toEqual(['header', 'valid 2 A-1', 'valid 8 A-2']);
    expect(events[1]).toMatchObject({
      order: { customer_name: 'Ann\r\nSmith', product_name: 'Pen\n\n\nblue, "navy"' },
      span: { line: 2, lastLine: 7 },
    });
  });

  it('prefers a line that reads as an order of its own over a quoted value that would span it', async () => {
    // Prepare: line 3 has 5 fields and closes its quotes, so it is an order; the quote of line 2 is stray
    const csv = [H, 'A-1,Ann,"Pen', 'A-2,y,z,1,1', '",1,1'].join('\n');

    // Act
    const { events } = await readAll(csv);

    // Assess
    expect(outline(events)).toEqual(['header', 'rejected 2', 'valid 3 A-2', 'rejected 4']);
    expect(rejections(events)[1]).toMatchObject({ order_id: null, column: 'order_id' });
  });

  it('accepts a quoted value spanning MAX_RECORD_LINES lines and rejects one spanning one more', async () => {
    // Prepare: lines of one space are blank, so none reads as an order of its own
    const spanning = (lines: number) => ['A-1,Ann,"Pen', ...Array<string>(lines - 2).fill(' '), '",1,1'];
    const fits = [H, ...spanning(MAX_RECORD_LINES), 'A-2,Bob,Ink,1,1'].join('\n');
    const tooLong = [H, ...spanning(MAX_RECORD_LINES + 1), 'A-2,Bob,Ink,1,1'].join('\n');

    // Act
    const accepted = await readAll(fits);
    const stray = await readAll(tooLong);

    // Assess
    expect(outline(accepted.events)).toEqual(['header', 'valid 2 A-1', `valid ${MAX_RECORD_LINES + 2} A-2`]);
    expect(rejections(stray.events)[0]).toMatchObject({
      line: 2,
      reason: `a quote opens field 3 (product_name) but is not closed within ${MAX_RECORD_LINES} lines; ${HINT}`,
    });
    // Every physical line after the stray quote is read on its own: blank lines, then a row.
    expect(count(stray.events, 'blank')).toBe(MAX_RECORD_LINES - 1);
    expect(outline(stray.events).slice(-2)).toEqual([`rejected ${MAX_RECORD_LINES + 2}`, `valid ${MAX_RECORD_LINES + 3} A-2`]);
  });

  it('counts empty lines inside a quoted value against MAX_RECORD_LINES too', async () => {
    // Prepare: the value spans line 2, then empty lines, then the closing line
    const spanning = (lines: number) => `${H}\nA-1,Ann,"Pen${'\n'.repeat(lines - 1)}x",1,1\nA-2,Bob,Ink,1,1\n`;

    // Act
    const fits = await readAll(spanning(MAX_RECORD_LINES), { chunkSize: 7 });
    const tooLong = await readAll(spanning(MAX_RECORD_LINES + 1), { chunkSize: 7 });

    // Assess
    expect(outline(fits.events)).toEqual(['header', 'valid 2 A-1', `valid ${MAX_RECORD_LINES + 2} A-2`]);
    expect(fits.events[1]).toMatchObject({ order: { product_name: `Pen${'\n'.repeat(MAX_RECORD_LINES - 1)}x` } });
    expect(rejections(tooLong.events)[0]?.reason).toBe(`a quote opens field 3 (product_name) but is not closed within ${MAX_RECORD_LINES} lines; ${HINT}`);
    expect(count(tooLong.events, 'blank')).toBe(MAX_RECORD_LINES - 1);
  });

  it('rejects a quoted value longer than the record limit in bytes, line by line', async () => {
    // Prepare: 11 lines of 100,000 bytes inside one quoted value
    const filler = 'x'.repeat(100_000);
    const csv = [H, 'A-1,Ann,"Pen', ...Array<string>(11).fill(filler), '",1,1', 'A-2,Bob,Ink,1,1'].join('\n');

    // Act
    const { events, error } = await readAll(csv);

    // Assess
    expect(error).toBeUndefined();
    expect(rejections(events)[0]).toMatchObject({
      line: 2,
      reason: `a quote opens field 3 (product_name) but is not closed within ${MAX_RECORD_BYTES.toLocaleString('en-US')} bytes; ${HINT}`,
    });
    expect(outline(events).at(-1)).toBe('valid 15 A-2');
    expect(count(events, 'valid') + count(events, 'rejected')).toBe(14);
  });

  it('rejects the first line when the completed record has the wrong number of fields', async () => {
    // Act
    const { events } = await readAll(`${H}\nA-1,"Ann\nSmith",Pen,1\nA-2,Bob,Ink,1,1\n`);

    // Assess
    expect(outline(events)).toEqual(['header', 'rejected 2', 'rejected 3', 'valid 4 A-2']);
    expect(rejections(events)[0]?.reason).toBe(
      `a quote opens field 2 (customer_name) and closes on line 3, but the record it makes (lines 2-3) has 4 fields, not 5; ${HINT}`,
    );
  });

  it('rejects the first line when text follows a closing quote on a later line', async () => {
    // Act
    const { events } = await readAll(`${H}\nA-1,"Ann\nSmith"x,Pen,1,1\nA-2,Bob,Ink,1,1\n`);

    // Assess
    expect(outline(events)).toEqual(['header', 'rejected 2', 'rejected 3', 'valid 4 A-2']);
    expect(rejections(events)[0]?.reason).toBe(
      `a quote opens field 2 (customer_name) and runs to line 3, where field 2 has "x" after its closing quote; ${HINT}`,
    );
  });

  it('names the quoted value still open when an earlier one closed and another opened', async () => {
    // Act
    const { events } = await readAll(`${H}\n` + 'x","y\n'.repeat(3));

    // Assess
    expect(outline(events)).toEqual(['header', 'rejected 2', 'rejected 3', 'rejected 4']);
    expect(rejections(events)[0]?.reason).toBe(
      `a quote opens field 2 (customer_name) and closes on line 3, but field 4 then opens a quoted value that is never closed: the file ends first; ${HINT}`,
    );
  });

  it('names a stray quote in an unknown column by its header cell, and past the header by number only', async () => {
    // Act
    const { events } = await readAll(`${H},Notes\nA-1,Ann,Pen,1,1,"call\nA-2,Bob,Ink,1,1,\nA-3,Cy,Pad,1,1,x,"y\nA-4,Di,Cup,1,1,z\n`);

    // Assess
    expect(rejections(events)).toMatchObject([
      { line: 2, order_id: 'A-1', column: null, reason: expect.stringMatching(/^a quote opens field 6 \("Notes"\) but is not closed before line 3,/) },
      { line: 4, order_id: 'A-3', column: null, reason: expect.stringMatching(/^a quote opens field 7 but is not closed before line 5,/) },
    ]);
  });

  it('treats only ASCII space and tab before a quote as padding: U+3000 makes the quote content', async () => {
    // Prepare
    const csv = `${H}\nA-1,Ann, \t"Pen, blue" \t,1,1\nA-2,Bob,\u3000"Ink",1,1\nA-3,Cy,\u3000"Pad, red",1,1\n`;

    // Act
    const { events } = await readAll(csv);

    // Assess
    expect(events[1]).toMatchObject({ kind: 'valid', order: { product_name: 'Pen, blue' } });
    expect(events[2]).toMatchObject({ kind: 'valid', order: { product_name: '"Ink"' } });
    expect(rejections(events)).toEqual([
      {
        line: 4,
        order_id: 'A-3',
        column: null,
        reason: 'expected 5 fields (one per header column), found 6; a value that contains a comma must be enclosed in double quotes',
      },
    ]);
  });

  it('counts a quoted record made only of empty values and line breaks as one blank record', async () => {
    // Act
    const { events } = await readAll(`${H}\nA-1,Ann,Pen,1,1\n"\n",,,,\nA-2,Bob,Ink,1,1\n`);

    // Assess
    expect(outline(events)).toEqual(['header', 'valid 2 A-1', 'blank 3', 'valid 5 A-2']);
    expect(events[2]).toMatchObject({ span: { line: 3, lastLine: 4 } });
  });

  it('rejects the file when a header cell opens a quote it does not close on its line', async () => {
    expect(fileReason(await readAll('order_id,"customer\nname",product,qty,price\nA-1,B,C,1,1\n'))).toBe(
      'line 1: a quote opens header field 2 but is not closed on that line; expected a closing " on the same line (header names cannot span lines)',
    );
  });
});
