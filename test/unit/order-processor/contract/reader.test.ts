import { gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { MAX_RECORD_BYTES } from '../../../../functions/order-processor/contract/limits.ts';
import { readOrders } from '../../../../functions/order-processor/contract/reader.ts';
import { FileRejectedError, type ContractEvent } from '../../../../functions/order-processor/contract/types.ts';
import { bytes, fileReason, makeContext, MINIMAL_HEADER, outline, readAll, rejections } from './reading.ts';

describe('readOrders', () => {
  it('yields the header first, then one event per record in file order', async () => {
    // Prepare
    const csv = `${MINIMAL_HEADER}\nA-1,Ann,Pen,1,1.00\nA-2,Bob,Ink,2,2.50\n`;

    // Act
    const { events, error } = await readAll(csv);

    // Assess
    expect(error).toBeUndefined();
    expect(outline(events)).toEqual(['header', 'valid 2 A-1', 'valid 3 A-2']);
    const header = events[0];
    expect(header?.kind === 'header' && header.header.canonical).toEqual([
      'order_id',
      'customer_name',
      'product_name',
      'quantity',
      'unit_price',
    ]);
  });

  it('accepts a last row without a trailing newline', async () => {
    const { events } = await readAll(`${MINIMAL_HEADER}\nA-1,Ann,Pen,1,1.00`);
    expect(outline(events)).toEqual(['header', 'valid 2 A-1']);
  });

  it('handles a BOM, CRLF and alias headers, in one-byte chunks', async () => {
    // Prepare
    const csv = '\uFEFFOrder ID,Customer,Product,Qty,Price,Currency\r\nA-1,Ann,Pen,3,19.99,eur\r\nA-2,Bob,Ink,1,5,\r\n';

    // Act
    const { events, error } = await readAll(csv, { chunkSize: 1 });

    // Assess
    expect(error).toBeUndefined();
    expect(outline(events)).toEqual(['header', 'valid 2 A-1', 'valid 3 A-2']);
    expect(events[1]).toMatchObject({ order: { quantity: 3, unit_price: 19.99, total_amount: 59.97, currency: 'EUR' } });
    const header = events[0];
    expect(header?.kind === 'header' && header.header.raw[0]).toBe('Order ID');
  });

  it('reports the physical line a record starts on when quoted fields contain newlines', async () => {
    // Prepare: the record of A-2 spans lines 3–5 (LF, then CRLF inside the quotes).
    const csv = `${MINIMAL_HEADER}\nA-1,Ann,Pen,1,1\nA-2,"Bob\nSmith","Ink,\r\nblue ""navy""",1,1\nA-3,Cy,Pad,1,1\nA-3,Cy,Pad,1,1\n`;

    // Act
    const { events } = await readAll(csv, { chunkSize: 3 });

    // Assess
    expect(outline(events)).toEqual(['header', 'valid 2 A-1', 'valid 3 A-2', 'valid 6 A-3', 'rejected 7']);
    expect(events[2]).toMatchObject({ order: { customer_name: 'Bob\nSmith', product_name: 'Ink,\r\nblue "navy"', source_line: 3 } });
    expect(rejections(events)[0]?.reason).toBe('duplicate order_id "A-3": first seen on line 6; expected each order_id once per file');
  });

  it('counts blank lines (empty, whitespace-only, only commas) and keeps line numbers', async () => {
    // Prepare
    const csv = `${MINIMAL_HEADER}\n\nA-1,Ann,Pen,1,1\n   \n,,,,\r\nA-2,Bob,Ink,1,1\n\n`;

    // Act
    const { events, error } = await readAll(csv);

    // Assess
    expect(error).toBeUndefined();
    expect(outline(events)).toEqual(['header', 'blank 2', 'valid 3 A-1', 'blank 4', 'blank 5', 'valid 6 A-2', 'blank 7']);
  });

  it('takes the first non-blank record as the header and reports leading blank lines after it', async () => {
    const { events } = await readAll(`\n\n${MINIMAL_HEADER}\nA-1,Ann,Pen,1,1\n`);
    expect(outline(events)).toEqual(['header', 'blank 1', 'blank 2', 'valid 4 A-1']);
  });

  it('rejects rows with the wrong number of fields and carries on', async () => {
    // Prepare
    const csv = `${MINIMAL_HEADER}\nA-1,Ann,Pen,1\nA-2,Bob,Ink, blue,1,1\nA-3,Cy,Pad,1,1\n`;

    // Act
    const { events } = await readAll(csv);

    // Assess
    expect(outline(events)).toEqual(['header', 'rejected 2', 'rejected 3', 'valid 4 A-3']);
    expect(rejections(events)).toEqual([
      { line: 2, order_id: 'A-1', column: null, reason: 'expected 5 fields (one per header column), found 4' },
      {
        line: 3,
        order_id: 'A-2',
        column: null,
        reason:
          'expected 5 fields (one per header column), found 6; a value that contains a comma must be enclosed in double quotes',
      },
    ]);
  });

  it('says "trailing comma" when the extra fields of a row are all empty', async () => {
    // Prepare: the header has no trailing comma, the data rows have one
    const csv = `${MINIMAL_HEADER}\nA-1,Ann,Pen,1,1,\nA-2,Bob,Ink,1,1,,\n`;

    // Act
    const { events } = await readAll(csv);

    // Assess
    expect(rejections(events).map((e) => e.reason)).toEqual([
      'expected 5 fields (one per header column), found 6; the row ends with 1 empty field more than the header has (a trailing comma?)',
      'expected 5 fields (one per header column), found 7; the row ends with 2 empty fields more than the header has (a trailing comma?)',
    ]);
  });

  it('rejects a row with text after a closing quote and resumes on the next line', async () => {
    // Prepare
    const csv = `${MINIMAL_HEADER}\nA-1,"Ann"x,Pen,1,1\nA-2,Bob,Ink,1,1\n`;

    // Act
    const { events, error } = await readAll(csv);

    // Assess
    expect(error).toBeUndefined();
    expect(outline(events)).toEqual(['header', 'rejected 2', 'valid 3 A-2']);
    expect(rejections(events)[0]).toEqual({
      line: 2,
      order_id: 'A-1',
      column: null,
      reason:
        'malformed quoting: field 2 has "x" after its closing quote; expected a comma or the end of the line after a closing quote (write a literal quote inside a quoted value as "")',
    });
  });

  it('treats a quote inside an unquoted value as a literal character, like fast-csv', async () => {
    const { events } = await readAll(`${MINIMAL_HEADER}\nA-1,Ann,27" monitor,1,1\n`);
    expect(events[1]).toMatchObject({ kind: 'valid', order: { product_name: '27" monitor' } });
  });

  it('rejects only the line of a quote that is never closed and parses the lines after it', async () => {
    // Prepare
    const csv = `${MINIMAL_HEADER}\nA-1,Ann,Pen,1,1\nA-2,"Bob,Ink,1,1\nA-3,Cy,Pad,1,1\nA-4,Di,Cup,2,2`;

    // Act
    const { events, error } = await readAll(csv);

    // Assess
    expect(error).toBeUndefined();
    expect(outline(events)).toEqual(['header', 'valid 2 A-1', 'rejected 3', 'valid 4 A-3', 'valid 5 A-4']);
    expect(rejections(events)[0]).toEqual({
      line: 3,
      order_id: 'A-2',
      column: 'customer_name',
      reason:
        'a quote opens field 2 (customer_name) but is not closed before line 4, which reads as an order of its own; expected a closing " at the end of the same value (write a literal quote inside a value as "")',
    });
  });

  it('rejects only the line of an unclosed quote followed by more than the record limit of rows', async () => {
    // Prepare: this used to reject the whole file; each line after the quote reads as an order of its own.
    const rows = Math.ceil(MAX_RECORD_BYTES / 10) + 1;
    const csv = `${MINIMAL_HEADER}\nA-1,"Ann,Pen,1,1\n` + 'x,y,z,1,1\n'.repeat(rows);

    // Act
    const result = await readAll(csv);

    // Assess
    expect(result.error).toBeUndefined();
    expect(rejections(result.events)[0]).toMatchObject({ line: 2, order_id: 'A-1', column: 'customer_name' });
    expect(result.events.filter((e) => e.kind === 'rejected' || e.kind === 'valid')).toHaveLength(rows + 1);
  });

  describe('whole-file rejections', () => {
    it.each([
      ['0 bytes', ''],
      ['only whitespace', ' \n\r\n\t\n'],
      ['only a BOM', '\uFEFF'],
    ])('rejects an empty file (%s)', async (_name, csv) => {
      expect(fileReason(await readAll(csv))).toBe('the file is empty; expected a header row followed by at least one data row');
    });

    it('leaves a header without data rows to the file verdict (contract/verdict.ts): it yields the header and blank lines', async () => {
      // Act
      const result = await readAll(`${MINIMAL_HEADER}\n\n`);

      // Assess
      expect(result.error).toBeUndefined();
      expect(outline(result.events)).toEqual(['header', 'blank 2']);
    });

    it('rejects a missing required column before yielding anything', async () => {
      // Act
      const result = await readAll('order_id,customer_name,product_name,qty\nA-1,Ann,Pen,1\n');

      // Assess
      expect(fileReason(result)).toBe(
        'missing required column: unit_price; found columns: "order_id", "customer_name", "product_name", "qty"',
      );
      expect(result.events).toEqual([]);
    });

    it('rejects duplicate header names', async () => {
      expect(fileReason(await readAll('order_id,customer,product,qty,price,Order ID\nA,B,C,1,1,A\n'))).toBe(
        'header columns "order_id" (column 1) and "Order ID" (column 6) both mean order_id; expected each column at most once',
      );
    });

    it('rejects a header with malformed quoting', async () => {
      expect(fileReason(await readAll('"order_id"x,customer_name\nA,B\n'))).toBe(
        'line 1: the header row has malformed quoting: field 1 has "x" after its closing quote; expected a comma or the end of the line after a closing quote (write a literal quote inside a quoted value as "")',
      );
    });

    it.each([
      ['whole chunks', 64 * 1024],
      ['one-byte chunks', 1],
    ])('rejects invalid UTF-8 and names its line (%s), never producing U+FFFD', async (_name, chunkSize) => {
      // Prepare: Latin-1 "é" (0xE9) on line 3, after a valid multi-byte "ü" on line 2.
      const data = Buffer.concat([
        bytes(`${MINIMAL_HEADER}\nA-1,Müller,Pen,1,1\nA-2,Caf`),
        Buffer.from([0xe9]),
        bytes(',Ink,1,1\nA-3,Cy,Pad,1,1\n'),
      ]);
      const offset = data.indexOf(0xe9);

      // Act
      const result = await readAll(data, { chunkSize });

      // Assess
      expect(fileReason(result)).toBe(
        `line 3 contains bytes that are not valid UTF-8 (byte 0xe9 at byte offset ${offset}); expected UTF-8 text (save the file as "CSV UTF-8")`,
      );
      expect((result.error as FileRejectedError).line).toBe(3);
      expect(JSON.stringify(result.events)).not.toContain('\uFFFD');
    });

    it('rejects a file that ends in the middle of a UTF-8 character', async () => {
      const data = Buffer.concat([bytes(`${MINIMAL_HEADER}\nA-1,Ann,Pen,1,1\n`), Buffer.from([0xe2, 0x82])]);
      expect(fileReason(await readAll(data))).toBe(
        `the file ends in the middle of a UTF-8 character (byte offset ${data.length - 2}); expected UTF-8 text (save the file as "CSV UTF-8")`,
      );
    });

    it('tells a file ending in impossible bytes (E0 80) from one cut inside a character', async () => {
      const data = Buffer.concat([bytes(`${MINIMAL_HEADER}\nA-1,Ann,Pen,1,1\n`), Buffer.from([0xe0, 0x80])]);
      expect(fileReason(await readAll(data, { chunkSize: 1 }))).toBe(
        `line 3 contains bytes that are not valid UTF-8 (byte 0xe0 at byte offset ${data.length - 2}); expected UTF-8 text (save the file as "CSV UTF-8")`,
      );
    });

    it.each([
      [
        'an Excel workbook (ZIP)',
        Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00]),
        'the file is a ZIP archive (an Excel .xlsx workbook?), not CSV text; expected a CSV file (in Excel: Save As "CSV UTF-8")',
      ],
      [
        'UTF-16 LE text',
        Buffer.from(`\uFEFF${MINIMAL_HEADER}\n`, 'utf16le'),
        'the file is UTF-16 encoded; expected UTF-8 text (save the file as "CSV UTF-8")',
      ],
      ['a PDF', Buffer.from('%PDF-1.7\n%\xe2\xe3\n', 'latin1'), 'the file is a PDF document, not CSV text; expected a CSV file'],
    ])('recognises %s and says what it is, even in one-byte chunks', async (_name, data, reason) => {
      expect(fileReason(await readAll(data, { chunkSize: 1 }))).toBe(reason);
    });

    it('hints at the separator when the header is semicolon-separated', async () => {
      expect(fileReason(await readAll('order_id;customer_name;product_name;quantity;unit_price\nA;B;C;1;1\n'))).toBe(
        'missing required columns: order_id, customer_id or customer_name, product_sku or product_name, quantity, unit_price; ' +
          'found columns: "order_id;customer_name;product_name;quantity;unit_price"; ' +
          'the header has no commas but contains ";": expected comma-separated values',
      );
    });

    it('rejects binary data with NUL bytes, naming the line', async () => {
      const data = Buffer.concat([bytes(`${MINIMAL_HEADER}\nA-1,Ann,Pen,1,1\n`), Buffer.from([0x50, 0x4b, 0x00, 0x01])]);
      expect(fileReason(await readAll(data))).toBe('line 3 contains a NUL byte; expected CSV text, but this looks like a binary file');
    });
  });

  describe('gzip', () => {
    const csv = `${MINIMAL_HEADER}\nZ-1,Ann,Pen,1,1\n\nZ-2,Bob,Ink,2,2.50\n`;

    it('gunzips data that starts with the gzip magic bytes, even in one-byte chunks', async () => {
      // Act
      const { events, error } = await readAll(gzipSync(bytes(csv)), { chunkSize: 1 });

      // Assess
      expect(error).toBeUndefined();
      expect(outline(events)).toEqual(['header', 'valid 2 Z-1', 'blank 3', 'valid 4 Z-2']);
    });

    it('gunzips when ctx.gzip is set', async () => {
      const { events } = await readAll(gzipSync(bytes(csv)), { ctx: { gzip: true } });
      expect(outline(events)).toEqual(['header', 'valid 2 Z-1', 'blank 3', 'valid 4 Z-2']);
    });

    it('rejects gzip data that fails to inflate', async () => {
      // Prepare: a truncated archive.
      const data = gzipSync(bytes(csv.repeat(20))).subarray(0, 40);

      // Act
      const reason = fileReason(await readAll(data));

      // Assess
      expect(reason).toBe(
        'the file is not valid gzip data (unexpected end of file); expected a .csv.gz file compressed with gzip, or plain CSV',
      );
    });

    it('rejects plain text when ctx.gzip says it is gzip', async () => {
      expect(fileReason(await readAll(csv, { ctx: { gzip: true } }))).toMatch(
        /^the file is not valid gzip data \(incorrect header check\); expected a \.csv\.gz file/,
      );
    });

    it('rejects invalid UTF-8 inside a gzip file by its decompressed line', async () => {
      const data = gzipSync(Buffer.concat([bytes(`${MINIMAL_HEADER}\n`), Buffer.from([0xff]), bytes(',x,y,1,1\n')]));
      expect(fileReason(await readAll(data))).toMatch(/^line 2 contains bytes that are not valid UTF-8 \(byte 0xff/);
    });
  });

  it('rethrows errors of the input stream unchanged (an infrastructure fault, not bad data)', async () => {
    // Prepare
    const failure = new Error('socket hang up');
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield bytes(`${MINIMAL_HEADER}\nA-1,Ann,Pen,1,1\n`);
      throw failure;
    }

    // Act
    const events: ContractEvent[] = [];
    let error: unknown;
    try {
      for await (const event of readOrders(failing(), makeContext())) events.push(event);
    } catch (err) {
      error = err;
    }

    // Assess
    expect(error).toBe(failure);
    expect(outline(events)).toEqual(['header', 'valid 2 A-1']);
  });

  it('rethrows errors of a gzip input stream unchanged', async () => {
    const failure = new Error('connection reset');
    const gz = gzipSync(bytes(`${MINIMAL_HEADER}\n` + 'A-1,Ann,Pen,1,1\n'.repeat(10)));
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield gz.subarray(0, 20);
      throw failure;
    }
    await expect(async () => {
      for await (const _event of readOrders(failing(), makeContext())) void _event;
    }).rejects.toBe(failure);
  });

  it('accepts a Node Readable stream', async () => {
    const events: ContractEvent[] = [];
    const stream = Readable.from([bytes(`${MINIMAL_HEADER}\n`), bytes('A-1,Ann,Pen,1,1\n')]);
    for await (const event of readOrders(stream, makeContext())) events.push(event);
    expect(outline(events)).toEqual(['header', 'valid 2 A-1']);
  });

  it('pulls input only as fast as the consumer takes events (backpressure, no buffering)', async () => {
    // Prepare: 10,000 chunks of 10 rows each; count how many the reader has pulled.
    let pulled = 0;
    async function* source(): AsyncGenerator<Uint8Array> {
      yield bytes(`${MINIMAL_HEADER}\n`);
      for (let c = 0; c < 10_000; c++) {
        pulled++;
        let rows = '';
        for (let r = 0; r < 10; r++) rows += `B-${c}-${r},Ann,Pen,1,1\n`;
        yield bytes(rows);
      }
    }
    const reader = readOrders(source(), makeContext());

    // Act: take the header and 25 rows, then stop.
    for (let i = 0; i < 26; i++) await reader.next();
    const pulledAfter25Rows = pulled;
    await reader.return(undefined);

    // Assess
    expect(pulledAfter25Rows).toBeLessThanOrEqual(4);
  });

  it('conserves rows: valid + rejected = data rows, with blanks counted apart', async () => {
    // Prepare: every 7th row invalid, every 11th line blank.
    let csv = `${MINIMAL_HEADER}\n`;
    let dataRows = 0;
    let blankLines = 0;
    for (let i = 1; i <= 500; i++) {
      if (i % 11 === 0) {
        csv += '\n';
        blankLines++;
      } else {
        csv += i % 7 === 0 ? `C-${i},Ann,Pen,zero,1\n` : `C-${i},Ann,Pen,1,1\n`;
        dataRows++;
      }
    }

    // Act
    const { events, error } = await readAll(csv, { chunkSize: 777 });

    // Assess
    expect(error).toBeUndefined();
    const count = (kind: ContractEvent['kind']) => events.filter((e) => e.kind === kind).length;
    expect(count('valid') + count('rejected')).toBe(dataRows);
    expect(count('blank')).toBe(blankLines);
    expect(count('rejected')).toBe(events.filter((e) => e.kind === 'rejected').length);
    expect(count('rejected')).toBeGreaterThan(0);
  });
});
