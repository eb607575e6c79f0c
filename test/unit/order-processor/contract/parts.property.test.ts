/**
 * Property-based tests of reading a file in parts (fast-check): random files — valid and invalid
 * rows, quoted commas, quotes and line breaks, stray quotes, blank lines, LF/CRLF/CR mixed, a BOM,
 * order_ids repeated anywhere, now and then a NUL, a byte that is not UTF-8, a file cut inside a
 * character, a tight line cap or an over-long line — and random part sizes down to one byte.
 * The oracle is always one sequential read of the same bytes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_RECORD_BYTES } from '../../../../functions/order-processor/contract/limits.ts';
import { LineSplitter, type LineItem } from '../../../../functions/order-processor/contract/lines.ts';
import { RecordAssembler } from '../../../../functions/order-processor/contract/records.ts';
import { isBlank, tokenizeLine } from '../../../../functions/order-processor/contract/tokenizer.ts';
import { CHUNK_BYTES, EOL, fileArb, HEADERS, ID, orderLinesFileArb, recordArb } from './parts-files.ts';
import { isPlan, memoryReader, plan, readInOrder, readInParallel, readSequentially, readTwiceSequentially, type Outcome } from './parts-reading.ts';

const PIECE = fc.constantFrom(1, 3, 17, 64 * 1024);

/** Events and verdict as compared: the events only when the file is not rejected (nothing of it is used then). */
function comparable(outcome: Outcome): string {
  return JSON.stringify(outcome.rejection ? { rejection: outcome.rejection } : { events: outcome.events });
}

describe('reading a file in parts, property-based', () => {
  it('gives, read part by part with one seen map, the events and the verdict of one sequential read', async () => {
    await fc.assert(
      fc.asyncProperty(fileArb, CHUNK_BYTES, PIECE, async (file, chunkBytes, piece) => {
        // Prepare
        const expected = await readSequentially(file.bytes, file.limits);
        const read = memoryReader(file.bytes, piece);

        // Act
        const planned = await plan(read, file.bytes.length, chunkBytes, file.limits);
        const outcome = isPlan(planned) ? await readInOrder(read, planned, file.limits) : { events: [], rejection: planned };

        // Assess
        expect(comparable(outcome)).toBe(comparable(expected));
      }),
      { numRuns: 400 },
    );
  });

  it('gives, scanned in parallel and re-read with the merged seeds, the events of one sequential read and exact counts from the scans', async () => {
    await fc.assert(
      fc.asyncProperty(fileArb, CHUNK_BYTES, async (file, chunkBytes) => {
        // Prepare
        const expected = await readSequentially(file.bytes, file.limits);
        const read = memoryReader(file.bytes, 29);

        // Act
        const planned = await plan(read, file.bytes.length, chunkBytes, file.limits);
        fc.pre(isPlan(planned));
        if (!isPlan(planned)) return;
        const outcome = await readInParallel(read, planned, file.limits);

        // Assess
        expect(comparable(outcome)).toBe(comparable(expected));
        for (const { adjusted, reread } of outcome.counts) expect(adjusted).toEqual(reread);
      }),
      { numRuns: 250 },
    );
  });

  it('cuts at the first line at or after each nominal cut that reads as a record of its own, with its line number', async () => {
    await fc.assert(
      fc.asyncProperty(fileArb, CHUNK_BYTES, async (file, chunkBytes) => {
        // Prepare
        const read = memoryReader(file.bytes, 64 * 1024);
        const planned = await plan(read, file.bytes.length, chunkBytes);
        fc.pre(isPlan(planned));
        if (!isPlan(planned)) return;
        const header = (await readSequentially(file.bytes, undefined)).events[0];
        const headerEnd = header?.kind === 'header' ? (header.span?.end ?? NaN) : NaN;

        // Act
        const starts = planned.parts.map((part) => part.start);

        // Assess: the oracle walks every physical line
        const lines = physicalLines(file.bytes);
        const isSync = (line: PhysicalLineOf) =>
          line.start >= headerEnd && readsAsOwnRecord(file.bytes.subarray(line.start, line.end), file.fields);
        const expected = new Map<number, PhysicalLineOf>();
        for (let cut = chunkBytes; cut < file.bytes.length; cut += chunkBytes) {
          const sync = lines.find((line) => line.start >= Math.max(cut, headerEnd) && isSync(line));
          if (sync) expected.set(sync.start, sync);
        }
        const cuts = [...expected.values()];
        expect(starts).toEqual([{ offset: 0, line: 1 }, ...cuts.map((line) => ({ offset: line.start, line: line.number }))]);
        expect(planned.parts.map((part) => part.next)).toEqual([...cuts.map((line) => ({ line: line.number, length: line.end - line.start })), null]);
        expect(planned.parts.map((part) => part.end)).toEqual([...cuts.map((line) => line.start), file.bytes.length]);
        expect(planned.headerLine).toBe(header?.kind === 'header' ? header.span?.line : NaN);
      }),
      { numRuns: 300 },
    );
  });

  it('gives the sequential result around over-long lines, also cut inside them and under a 1 MB cap', async () => {
    const longLine = fc.tuple(ID, fc.integer({ min: -3, max: 40 })).map(([id, extra]) => `${id},Ann,${'x'.repeat(MAX_RECORD_BYTES - 14 + extra)},1,1`);
    const arb = fc.tuple(
      fc.array(fc.oneof(recordArb(5), longLine.map((line) => [line]), fc.constant([`O-1,"open`])), { minLength: 1, maxLength: 6 }),
      EOL,
      fc.boolean(),
      fc.integer({ min: 300, max: 700_000 }),
    );
    await fc.assert(
      fc.asyncProperty(arb, async ([records, eol, capped, chunkBytes]) => {
        // Prepare
        const bytes = Buffer.from([HEADERS[0].text, ...records.flat()].join(eol));
        const limits = capped ? { maxFileMb: 1, maxFileLines: 1000 } : undefined;
        const expected = await readSequentially(bytes, limits);
        const read = memoryReader(bytes);

        // Act
        const planned = await plan(read, bytes.length, chunkBytes, limits);
        const outcome = isPlan(planned) ? await readInOrder(read, planned, limits) : { events: [], rejection: planned };

        // Assess
        expect(comparable(outcome)).toBe(comparable(expected));
      }),
      { numRuns: 12 },
    );
  });
});

describe('reading a file of order lines in parts, property-based', () => {
  it('gives, read part by part with one seen map, the events of one sequential read', async () => {
    await fc.assert(
      fc.asyncProperty(orderLinesFileArb, CHUNK_BYTES, async (file, chunkBytes) => {
        // Prepare
        const expected = await readSequentially(file.bytes, undefined, undefined, { schema: file.schema });
        const read = memoryReader(file.bytes, 17);

        // Act
        const planned = await plan(read, file.bytes.length, chunkBytes, undefined, file.schema);
        const outcome = isPlan(planned) ? await readInOrder(read, planned, undefined, file.schema) : { events: [], rejection: planned };

        // Assess
        expect(comparable(outcome)).toBe(comparable(expected));
      }),
      { numRuns: 400 },
    );
  });

  it('gives, scanned in parallel and re-read with the seeds and the orders decided across parts, the events of the second sequential read and exact counts from the scans', async () => {
    const partCounts: number[] = [];
    await fc.assert(
      fc.asyncProperty(orderLinesFileArb, CHUNK_BYTES, async (file, chunkBytes) => {
        // Prepare
        const expected = await readTwiceSequentially(file.bytes, file.schema);
        const read = memoryReader(file.bytes, 29);

        // Act
        const planned = await plan(read, file.bytes.length, chunkBytes, undefined, file.schema);
        if (!isPlan(planned)) throw new Error(`the file was rejected: ${planned.reason}`);
        const outcome = await readInParallel(read, planned, undefined, file.schema);

        // Assess
        expect(comparable(outcome)).toBe(comparable(expected));
        for (const { adjusted, reread } of outcome.counts) expect(adjusted).toEqual(reread);
        partCounts.push(planned.parts.length);
      }),
      { numRuns: 400 },
    );
    // Most files are really split, many in several parts.
    expect(partCounts.filter((n) => n > 1).length).toBeGreaterThan(partCounts.length / 2);
    expect(Math.max(...partCounts)).toBeGreaterThan(5);
  });

  it('cuts only between two orders: the record before a cut and the one after it belong to different orders', async () => {
    await fc.assert(
      fc.asyncProperty(orderLinesFileArb, CHUNK_BYTES, async (file, chunkBytes) => {
        // Prepare
        const { events } = await readSequentially(file.bytes, undefined, undefined, { schema: file.schema });
        const header = events[0];
        if (header?.kind !== 'header') throw new Error('no header');
        const orderKey = file.schema.orderKey(header.header);
        const read = memoryReader(file.bytes);

        // Act
        const planned = await plan(read, file.bytes.length, chunkBytes, undefined, file.schema);
        if (!isPlan(planned)) throw new Error('the file was rejected');

        // Assess: the oracle reads the records of the whole file, each cell as it is
        const records = physicalRecords(file.bytes, header.header.raw.length, orderKey);
        for (const part of planned.parts.slice(1)) {
          const at = records.findIndex((r) => r.start === part.start.offset);
          expect(at).toBeGreaterThan(0);
          const after = records[at];
          const before = records.slice(0, at).reverse().find((r) => r.key !== null);
          expect(after?.key).not.toBeNull();
          expect(after?.key).not.toBe(before?.key);
        }
      }),
      { numRuns: 300 },
    );
  });
});

/** The records of a file as a sequential read finds them, with the order each belongs to (null: none). */
function physicalRecords(bytes: Buffer, fields: number, orderKey: (cells: readonly string[]) => string | null): { start: number; key: string | null }[] {
  const out: { start: number; key: string | null }[] = [];
  const records = new RecordAssembler({ fields, columnAt: () => null, nameAt: () => undefined }, (record) => {
    if (record.kind === 'empty') return;
    const placed = record.kind === 'fields' && record.cells.length === fields && !isBlank(record.cells) ? orderKey(record.cells) : null;
    out.push({ start: record.span.start, key: placed });
  });
  const splitter = new LineSplitter(MAX_RECORD_BYTES, Number.POSITIVE_INFINITY, () => '', 0, 1);
  let header = true;
  const onLine = (item: LineItem) => {
    if (header) {
      if (item.kind === 'line') header = false;
      return;
    }
    records.push(item);
  };
  splitter.push(bytes, onLine);
  splitter.end(onLine);
  records.end();
  return out;
}

interface PhysicalLineOf {
  number: number;
  start: number;
  /** Where its content ends (its line break excluded). */
  end: number;
}

/** Physical lines by a plain walk over the bytes: LF, CRLF and a lone CR end a line (the BOM is line 1's). */
function physicalLines(bytes: Buffer): PhysicalLineOf[] {
  const lines: PhysicalLineOf[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b !== 0x0a && b !== 0x0d) continue;
    lines.push({ number: lines.length + 1, start, end: i });
    if (b === 0x0d && bytes[i + 1] === 0x0a) i++;
    start = i + 1;
  }
  if (start < bytes.length) lines.push({ number: lines.length + 1, start, end: bytes.length });
  return lines;
}

function readsAsOwnRecord(line: Buffer, fields: number): boolean {
  if (line.length > MAX_RECORD_BYTES) return false;
  const own = tokenizeLine(line, false);
  return own.state === 'closed' && own.cells.length === fields && !isBlank(own.cells);
}
