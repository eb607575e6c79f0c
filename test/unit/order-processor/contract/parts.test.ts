/**
 * Planning a file in parts and reading one part (contract/parts.ts), on hand-written files with
 * the exact starts and line numbers expected; the property-based tests cover random files.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MAX_RECORD_BYTES } from '../../../../functions/order-processor/contract/limits.ts';
import { partReading, planParts, type FilePlan, type RangeReader } from '../../../../functions/order-processor/contract/parts.ts';
import { FileRejectedError } from '../../../../functions/order-processor/contract/types.ts';
import { plan, isPlan, memoryReader, readInOrder, readPart, readSequentially, type Outcome } from './parts-reading.ts';
import { makeContext, MINIMAL_HEADER, outline, readAll } from './reading.ts';
import { readOrders } from '../../../../functions/order-processor/contract/reader.ts';
import { BUILT_IN_SCHEMA } from '../../../../functions/order-processor/contract/schema/built-in.ts';
import { compileSchemaJson, loadSchemaFile } from '../../../../functions/order-processor/contract/schema/load.ts';

const H = MINIMAL_HEADER; // 55 bytes
const HINT = 'expected a closing " at the end of the same value (write a literal quote inside a value as "")';

async function planOf(text: string | Buffer, chunkBytes: number): Promise<FilePlan> {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  return planParts(memoryReader(bytes, 7), bytes.length, { chunkBytes });
}

/** [offset, line] of every part's start, and the next part's first line as [line, length]. */
const startsOf = (filePlan: FilePlan) => filePlan.parts.map((part) => [part.start.offset, part.start.line]);
const nextOf = (filePlan: FilePlan) => filePlan.parts.map((part) => (part.next ? [part.next.line, part.next.length] : null));

/** Reads every part in order with one seen map; compares with one sequential read. */
async function bothWays(bytes: Buffer, chunkBytes: number, limits?: { maxFileMb: number; maxFileLines: number }): Promise<[Outcome, Outcome]> {
  const read = memoryReader(bytes, bytes.length > 100_000 ? 64 * 1024 : 5);
  const planned = await plan(read, bytes.length, chunkBytes, limits);
  const parts = isPlan(planned) ? await readInOrder(read, planned, limits) : { events: [], rejection: planned };
  return [parts, await readSequentially(bytes, limits)];
}

describe('planParts', () => {
  it('cuts at the first line at or after each nominal cut that reads as a record of its own, never before the header ends', async () => {
    // Prepare: header 0-56, A-1 56-72 (line 2), A-2 72-88, A-3 88-104, A-4 104-120 (line 5)
    const text = `${H}\nA-1,Ann,Pen,1,1\nA-2,Ann,Pen,1,1\nA-3,Ann,Pen,1,1\nA-4,Ann,Pen,1,1\n`;

    // Act: nominal cuts at 30 (inside the header), 60, 90
    const filePlan = await planOf(text, 30);

    // Assess
    expect(startsOf(filePlan)).toEqual([[0, 1], [56, 2], [72, 3], [104, 5]]);
    expect(filePlan.parts.map((part) => part.end)).toEqual([56, 72, 104, 120]);
    expect(nextOf(filePlan)).toEqual([[2, 15], [3, 15], [5, 15], null]);
    expect(filePlan.parts.map((part) => part.index)).toEqual([0, 1, 2, 3]);
    expect(filePlan).toMatchObject({ headerLine: 1, size: 120, header: { raw: H.split(',') } });
  });

  it('counts a CRLF split across a cut once and does not start a line at its LF', async () => {
    // Prepare: header 0-57, A-1 57-74 (its CR at 72, LF at 73), A-2 74-91 (line 3), A-3 91-108 (line 4)
    const text = `${H}\r\nA-1,Ann,Pen,1,1\r\nA-2,Ann,Pen,1,1\r\nA-3,Ann,Pen,1,1\r\n`;

    // Act
    const atLF = await planOf(text, 73);
    const atCR = await planOf(text, 72);
    const everyByte = await planOf(text, 1);

    // Assess
    expect(startsOf(atLF)).toEqual([[0, 1], [74, 3]]);
    expect(startsOf(atCR)).toEqual([[0, 1], [74, 3]]);
    expect(startsOf(everyByte)).toEqual([[0, 1], [57, 2], [74, 3], [91, 4]]);
  });

  it('counts lone CRs and empty lines of every kind in the line numbers', async () => {
    // Prepare: line 2 empty (CR), line 3 empty (CRLF), line 4 empty (LF), A-1 on line 5 at 60, A-2 on line 6 at 76
    const text = `${H}\r\r\r\n\nA-1,Ann,Pen,1,1\rA-2,Ann,Pen,1,1`;

    // Act
    const filePlan = await planOf(text, 1);

    // Assess
    expect(startsOf(filePlan)).toEqual([[0, 1], [60, 5], [76, 6]]);
    expect(nextOf(filePlan)).toEqual([[5, 15], [6, 15], null]);
  });

  it('never cuts inside a quoted value, also when its line break is right at the cut', async () => {
    // Prepare: A-1 on lines 2-3 (56-80, its quoted line break at 64), A-2 on line 4 at 80
    const text = `${H}\nA-1,"Ann\nSmith",Pen,1,1\nA-2,Bob,Ink,1,1\n`;

    // Act
    const atBreak = await planOf(text, 64);
    const afterBreak = await planOf(text, 65);

    // Assess
    expect(startsOf(atBreak)).toEqual([[0, 1], [80, 4]]);
    expect(startsOf(afterBreak)).toEqual([[0, 1], [80, 4]]);
  });

  it('moves a cut inside a multi-byte character to the next line', async () => {
    // Prepare: "😀" takes bytes 68-71 of A-1 (line 2, 56-81); A-2 on line 3 at 81
    const text = `${H}\nA-1,Müller 😀,Pen,1,1\nA-2,Bob,Ink,1,1\n`;

    // Act
    const filePlan = await planOf(text, 69);

    // Assess
    expect(startsOf(filePlan)).toEqual([[0, 1], [81, 3]]);
  });

  it('moves cuts inside an over-long line past it, even when it has the header field count', async () => {
    // Prepare: line 2 is over-long (1,048,596 bytes), A-2 on line 3
    const long = `A-1,Ann,${'x'.repeat(MAX_RECORD_BYTES + 8)},1,1`;
    const text = `${H}\n${long}\nA-2,Bob,Ink,1,1\n`;
    const a2 = 56 + long.length + 1;

    // Act: cuts at 400,000 and 800,000 (inside line 2), and every 56 bytes from line 2's start
    const filePlan = await planOf(text, 400_000);
    const atItsStart = await planOf(text, 56);

    // Assess
    expect(startsOf(filePlan)).toEqual([[0, 1], [a2, 3]]);
    expect(startsOf(atItsStart)).toEqual([[0, 1], [a2, 3]]);
  });

  it('reads a line running past its range to its end to tell whether it reads as a record of its own', async () => {
    // Prepare: A-2 (line 3) starts at 72 and is 312 bytes long
    const text = `${H}\nA-1,Ann,Pen,1,1\nA-2,Ann,${'p'.repeat(300)},1,1\n`;

    // Act: ranges [56, 72) [72, 144) …: A-2 starts in the second and runs far past it
    const filePlan = await planOf(text, 72);

    // Assess
    expect(startsOf(filePlan)).toEqual([[0, 1], [72, 3]]);
    expect(nextOf(filePlan)).toEqual([[3, 312], null]);
  });

  it('puts every cut before the header after it when many blank lines come first', async () => {
    // Prepare: 99 blank lines (103 bytes), the header on line 100, A-1 on line 101 at 159, A-2 on line 102 at 175
    const text = `${'\n'.repeat(97)} \r\n,,\r${H}\nA-1,Ann,Pen,1,1\nA-2,Ann,Pen,1,1\n`;

    // Act: cuts every 10 bytes, 15 of them before the header ends
    const filePlan = await planOf(text, 10);

    // Assess
    expect(filePlan.headerLine).toBe(100);
    expect(startsOf(filePlan)).toEqual([[0, 1], [159, 101], [175, 102]]);
  });

  it('makes one part of the rest when no line after a cut reads as a record of its own', async () => {
    // Prepare: after A-1 (line 2 at 56) come only lines of two fields and a stray quote
    const text = `${H}\nA-1,Ann,Pen,1,1\n${'x,y\n'.repeat(20)}A-9,"Ann,Pen,1\n`;

    // Act
    const filePlan = await planOf(text, 20);

    // Assess
    expect(startsOf(filePlan)).toEqual([[0, 1], [56, 2]]);
    expect(filePlan.parts[1]?.end).toBe(text.length);
  });

  it('plans one part when the file fits in one chunk or ends with its header', async () => {
    // Act
    const small = await planOf(`${H}\nA-1,Ann,Pen,1,1\n`, 1000);
    const headerOnly = await planOf(`\uFEFF${H}`, 1);

    // Assess
    expect(small.parts).toEqual([{ index: 0, start: { offset: 0, line: 1 }, end: 72, next: null }]);
    expect(headerOnly.parts).toEqual([{ index: 0, start: { offset: 0, line: 1 }, end: 58, next: null }]);
  });

  it.each([
    ['an empty file', ''],
    ['a missing column', '\n\norder_id,customer_name,product_name,qty\nA-1,Ann,Pen,1\n'],
    ['a NUL before the header', '\n\u0000order_id\n'],
    ['a header quote left open', `${H},"notes\nA-1,Ann,Pen,1,1,x\n`],
    ['a PDF', '%PDF-1.7\n'],
  ])('rejects the file exactly as a sequential read does, planning nothing: %s', async (_name, text) => {
    // Prepare
    const bytes = Buffer.from(text);
    const expected = await readSequentially(bytes);

    // Act
    const planned = await plan(memoryReader(bytes), bytes.length, 8);

    // Assess
    expect(expected.rejection).not.toBeNull();
    expect(planned).toEqual(expected.rejection);
  });

  it('reads each byte after the header once (two more per range), with at most `concurrency` reads at once', async () => {
    // Prepare
    const bytes = Buffer.from(`${H}\n${'A-1,Ann,Pen,1,1\n'.repeat(500)}`);
    let inFlight = 0;
    let most = 0;
    const spans: [number, number][] = [];
    const read: RangeReader = async function* (start, end) {
      inFlight++;
      most = Math.max(most, inFlight);
      spans.push([start, end]);
      try {
        for (let at = start; at < end; at += 100) {
          await new Promise((resolve) => setImmediate(resolve));
          yield bytes.subarray(at, Math.min(end, at + 100));
        }
      } finally {
        inFlight--;
      }
    };

    // Act
    const filePlan = await planParts(read, bytes.length, { chunkBytes: 1000, concurrency: 3 });

    // Assess
    expect(filePlan.parts).toHaveLength(9);
    expect(most).toBe(3);
    const ranges = spans.slice(1);
    const total = ranges.reduce((sum, [start, end]) => sum + end - start, 0);
    expect(total).toBeLessThanOrEqual(bytes.length - 56 + 2 * ranges.length);
  });

  it('fails, as an infrastructure fault, when a ranged read returns fewer bytes than asked', async () => {
    // Prepare
    const bytes = Buffer.from(`${H}\n${'A-1,Ann,Pen,1,1\n'.repeat(10)}`);
    const short: RangeReader = (start, end) => memoryReader(bytes)(start, Math.max(start, end - 1));

    // Act
    const planning = planParts(short, bytes.length, { chunkBytes: 50 });

    // Assess
    await expect(planning).rejects.toThrow(/ended at byte \d+; expected it to end at byte \d+/);
    await expect(planning).rejects.not.toBeInstanceOf(FileRejectedError);
  });

  it.each([
    ['chunkBytes', { chunkBytes: 0 }],
    ['chunkBytes', { chunkBytes: 1.5 }],
    ['concurrency', { chunkBytes: 10, concurrency: 0 }],
  ])('refuses a %s that is not a whole number of at least 1', async (name, options) => {
    // Act + Assess
    await expect(planParts(memoryReader(Buffer.from(H)), 55, options)).rejects.toThrow(new RegExp(`${name} must be a whole number`));
  });
});

describe('planParts with order lines', () => {
  const schema = compileSchemaJson({ ...BUILT_IN_SCHEMA.spec, name: 'lines', lines: 'by-position' }, 'lines.json');
  const planLines = (bytes: Buffer, chunkBytes: number) => planParts(memoryReader(bytes, 64 * 1024), bytes.length, { chunkBytes, schema });

  it('moves each cut on to the first line starting another order than the record before it', async () => {
    // Prepare: header 0-56, A-1 rows on lines 2-4 (56-104), B-1 on line 5 (104) and on lines 6-7
    // (a quoted line break), C-1 on line 8 (143), D-1 on line 9 (158)
    const text = `${H}\nA-1,Ann,Pen,1,1\nA-1,Ann,Ink,1,1\nA-1,Ann,Pad,1,1\nB-1,Bob,Pen,1,1\nB-1,Bob,"Cup\nblue",1,1\nC-1,Cy,Pen,1,1\nD-1,Di,Pen,1,1\n`;
    // Act: nominal cuts at 60 (inside line 2) and 120 (line 6)
    const planned = await planLines(Buffer.from(text), 60);
    // Assess: 60 → line 3 reads as a record of its own (A-1), on to line 5 (B-1); 120 → line 8
    // is the first to read as a record of its own (what came before it is not known there), on to line 9 (D-1)
    expect(startsOf(planned)).toEqual([[0, 1], [104, 5], [158, 9]]);
  });

  it('gives up a cut when no other order starts within 100,001 records of it (the part goes on to the next cut)', async () => {
    // Prepare: one order of 250,000 rows, then another; a single nominal cut in the middle
    const far = Buffer.from(`${H}\n${'A-1,Ann,Pen,1,1\n'.repeat(250_000)}B-1,Bob,Pen,1,1\n`);
    const near = Buffer.from(`${H}\n${'A-1,Ann,Pen,1,1\n'.repeat(150_000)}B-1,Bob,Pen,1,1\n`);
    // Act
    const [gaveUp, found] = [await planLines(far, Math.ceil(far.length / 2) + 1), await planLines(near, Math.ceil(near.length / 2) + 1)];
    // Assess
    expect(startsOf(gaveUp)).toEqual([[0, 1]]);
    expect(startsOf(found)).toEqual([[0, 1], [near.length - 16, 150_002]]);
  });
});

describe('readOrders of one part', () => {
  it('yields a later part with the file lines, offsets and header, and no header event', async () => {
    // Prepare: BOM, header to 60; A-1 on line 2; A-2 on line 3 at 77; A-3 on lines 4-5 (94-119); A-1 again on line 6
    const bytes = Buffer.from(`\uFEFF${H}\r\nA-1,Ann,Pen,1,1\r\nA-2,Bob,Ink,2,2\r\nA-3,"Cy\r\nSmith",Pad,1,1\r\nA-1,Di,Pen,1,1\r\n`);
    const filePlan = await planOf(bytes, 70);

    // Act
    const { events } = await readPart(memoryReader(bytes), filePlan, 1, new Map([['A-1', 2]]));

    // Assess
    expect(filePlan.parts[1]).toEqual({ index: 1, start: { offset: 77, line: 3 }, end: 135, next: null });
    expect(outline(events)).toEqual(['valid 3 A-2', 'valid 4 A-3', 'rejected 6']);
    expect(events[1]?.span).toEqual({ line: 4, lastLine: 5, start: 94, end: 119 });
    expect(events[2]).toMatchObject({ error: { reason: 'duplicate order_id "A-1": first seen on line 2; expected each order_id once per file' } });
  });

  it('ends a quoted value left open at the end of a part on the first line of the next part, with the sequential reason', async () => {
    // Prepare
    const bytes = Buffer.from(`${H}\nA-1,Ann,"Pen,1,1\n\nmore\nA-2,Bob,Ink,1,1\n`);

    // Act
    const [parts, sequential] = await bothWays(bytes, 79);

    // Assess: the cut is at line 5 (byte 79)
    expect(parts).toEqual(sequential);
    expect(parts.events[1]).toMatchObject({
      kind: 'rejected',
      error: { line: 2, reason: `a quote opens field 3 (product_name) but is not closed before line 5, which reads as an order of its own; ${HINT}` },
    });
  });

  it('gives the record-limit reason when the first line of the next part would take a quoted value past 1,048,576 bytes', async () => {
    // Prepare: a quote opens on line 2 (just under the limit); line 3 reads as an order of its own, 212 bytes long
    const line2 = `A-1,Ann,"${'x'.repeat(MAX_RECORD_BYTES - 100)}`;
    const line3 = `A-2,Bob,${'p'.repeat(200)},1,1`;
    const bytes = Buffer.from(`${H}\n${line2}\n${line3}\n`);

    // Act
    const [parts, sequential] = await bothWays(bytes, 57 + line2.length);

    // Assess
    expect(parts).toEqual(sequential);
    expect(parts.events[1]).toMatchObject({
      kind: 'rejected',
      error: { line: 2, reason: `a quote opens field 3 (product_name) but is not closed within 1,048,576 bytes; ${HINT}` },
    });
  });

  it('fires the line cap in the part holding the first line past it, at the offset of that line', async () => {
    // Prepare: 4 lines allowed; line 5 (A-4) starts at 104
    const bytes = Buffer.from(`${H}\nA-1,Ann,Pen,1,1\nA-2,Ann,Pen,1,1\nA-3,Ann,Pen,1,1\nA-4,Ann,Pen,1,1\nA-5,Ann,Pen,1,1\n`);
    const limits = { maxFileMb: 1, maxFileLines: 4 };
    const filePlan = await planOf(bytes, 16);
    const read = memoryReader(bytes);

    // Act
    const perPart = await Promise.all(filePlan.parts.map((part) => readPart(read, filePlan, part.index, new Map(), limits)));

    // Assess
    expect(perPart.map((part) => part.rejection?.offset)).toEqual([undefined, undefined, undefined, undefined, 104, 120]);
    expect(perPart[4]?.rejection).toMatchObject({ reason: 'the file has more than 4 lines; expected at most 4 lines (the MAX_FILE_LINES setting)', line: 5 });
    expect(await bothWays(bytes, 16, limits).then(([parts, sequential]) => [parts.rejection, sequential.rejection])).toEqual([
      { reason: 'the file has more than 4 lines; expected at most 4 lines (the MAX_FILE_LINES setting)', line: 5, offset: 104 },
      { reason: 'the file has more than 4 lines; expected at most 4 lines (the MAX_FILE_LINES setting)', line: 5, offset: 104 },
    ]);
  });

  it('fires the size cap at MAX_FILE_MB, in the part holding that byte and in every part after it', async () => {
    // Prepare: 1.2 MB of orders, a cap of 1 MB
    const bytes = Buffer.from(`${H}\n${`A-1,Ann,${'p'.repeat(200)},1,1\n`.repeat(6_000)}`);
    const limits = { maxFileMb: 1, maxFileLines: 1_000_000 };

    // Act
    const [parts, sequential] = await bothWays(bytes, 300_000, limits);

    // Assess
    expect(parts.rejection).toEqual(sequential.rejection);
    expect(sequential.rejection).toEqual({
      reason: 'the file is larger than 1 MB once decompressed; expected at most 1 MB (the MAX_FILE_MB setting)',
      line: undefined,
      offset: 1_048_576,
    });
  });

  it('reads a later part without looking for a BOM, gzip or a file signature', async () => {
    // Prepare: line 3 reads as an order of its own, starting with the bytes of a PDF signature
    const bytes = Buffer.from(`${H}\nA-1,Ann,Pen,1,1\n%PDF-,Bob,Ink,1,1\n`);
    const filePlan = await planOf(bytes, 60);
    const part = partReading(filePlan, 1);

    // Act
    const events = [];
    for await (const event of readOrders(memoryReader(bytes)(part.start.offset, part.end), makeContext({ part, gzip: true }))) events.push(event);

    // Assess
    expect(part.start).toEqual({ offset: 72, line: 3 });
    expect(outline(events)).toEqual(['rejected 3']);
  });

  it('fails, as an infrastructure fault, when the input of a part does not end where the part ends', async () => {
    // Prepare
    const bytes = Buffer.from(`${H}\nA-1,Ann,Pen,1,1\nA-2,Bob,Ink,1,1\n`);
    const filePlan = await planOf(bytes, 60);
    const part = partReading(filePlan, 0);

    // Act
    const reading = (async () => {
      for await (const _ of readOrders(memoryReader(bytes)(0, part.end - 3), makeContext({ part }))) void _;
    })();

    // Assess
    await expect(reading).rejects.toThrow('the input of the part at byte 0 ended at byte 69; expected it to end at byte 72');
  });

  it('refuses a part index the plan does not have', async () => {
    // Prepare
    const filePlan = await planOf(`${H}\nA-1,Ann,Pen,1,1\n`, 100);

    // Act + Assess
    expect(() => partReading(filePlan, 1)).toThrow('the plan has no part 1 (it has 1)');
  });
});

describe('FileRejectedError offsets', () => {
  const H1 = `${H}\nA-1,Ann,Pen,1,1\n`; // 72 bytes
  it.each([
    ['a NUL byte', `${H1}A-2\u0000`, 75],
    ['bytes that are not UTF-8', Buffer.concat([Buffer.from(`${H1}A-2,Caf`), Buffer.from([0xe9])]), 79],
    ['a file cut inside a character', Buffer.concat([Buffer.from(H1), Buffer.from([0xf0, 0x9f])]), 72],
    ['a missing column, after a BOM', `\uFEFForder_id,customer_name\nA-1,Ann\n`, 3],
    ['an empty file', '  \n', 3],
    ['a ZIP archive', 'PK\u0003\u0004', 0],
  ])('names where the problem is: %s', async (_name, data, offset) => {
    // Act
    const { error } = await readAll(data, { chunkSize: 3 });

    // Assess
    expect(error).toBeInstanceOf(FileRejectedError);
    expect((error as FileRejectedError).offset).toBe(offset);
  });
});

describe('a file with extra columns, read in parts under its schema', () => {
  it('gives the events of one sequential read, the extra columns stored and checked in every part', async () => {
    // Prepare
    const schema = loadSchemaFile(fileURLToPath(new URL('../../../../sample-data/extra-columns/order-schema.json', import.meta.url)));
    const bytes = readFileSync(new URL('../../../../sample-data/extra-columns/orders.csv', import.meta.url));
    const read = memoryReader(bytes, 5);
    const events = async (source: AsyncIterable<Uint8Array>, part?: ReturnType<typeof partReading>, seen?: Map<string, number>) => {
      const out: unknown[] = [];
      for await (const event of readOrders(source, makeContext({ schema, ...(part ? { part } : {}), ...(seen ? { seen } : {}) }))) out.push(event);
      return out;
    };
    // Act
    const filePlan = await planParts(read, bytes.length, { chunkBytes: 200, schema });
    const seen = new Map<string, number>();
    const inParts: unknown[] = [];
    for (const part of filePlan.parts) inParts.push(...(await events(read(part.start.offset, part.end), partReading(filePlan, part.index), seen)));
    const whole = await events(read(0, bytes.length));
    // Assess
    expect(filePlan.parts.length).toBeGreaterThan(2);
    expect(filePlan.header.canonical).toContain('shipping_country');
    expect(JSON.stringify(inParts)).toBe(JSON.stringify(whole));
    expect(whole).toContainEqual(expect.objectContaining({ kind: 'valid', order: expect.objectContaining({ order_id: 'ORD-10006', shipping_country: 'IN', discount: 12.5 }) as unknown }));
    expect(whole.filter((e) => (e as { kind: string }).kind === 'rejected')).toHaveLength(2);
  });
});
