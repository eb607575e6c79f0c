/**
 * Property-based tests of the reader (fast-check): random files mixing valid and invalid rows,
 * blank lines, quoted commas, quotes and line breaks, stray quotes, text after closing quotes,
 * CRLF/LF/CR and a BOM, delivered in random chunks.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanedHeaderLine, cleanedRowLine } from '../../../../functions/order-processor/reports/csv-output.ts';
import { tokenizeLine, isBlank } from '../../../../functions/order-processor/contract/tokenizer.ts';
import type { ContractEvent, Order } from '../../../../functions/order-processor/contract/types.ts';
import { chunked, cutAt, MINIMAL_HEADER, readSource } from './reading.ts';

const H_FIELDS = 5;
type Kind = 'valid' | 'rejected' | 'blank';

/** One generated record: its physical lines (contents, without terminators) and the outcome it must have. */
interface Item {
  lines: string[];
  kind: Kind;
}

/** A value written the way a spreadsheet writes it: quoted when it holds a comma or a quote. */
const csvValue = (value: string): string => (/[",]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

const text = fc.constantFrom('Ann', 'Bob Smith', 'Pen, blue', 'say "hi"', ' padded ', 'Müller', '😀 mug', '27" monitor', '=SUM(A1)', '-x', 'a\tb');
/** Pieces of a value spanning lines: no comma, so that no continuation line can read as an order of its own. */
const piece = fc.constantFrom('', 'second line', 'with "" quotes', 'ü ß', '  ');
const quantity = fc.integer({ min: 1, max: 99 }).map(String);
const price = fc.tuple(fc.integer({ min: 0, max: 999 }), fc.integer({ min: 0, max: 99 })).map(([a, b]) => `${a}.${String(b).padStart(2, '0')}`);

function itemArb(id: string): fc.Arbitrary<Item[]> {
  const valid = fc.tuple(text, text, quantity, price).map(([customer, product, q, p]): Item[] => [
    { lines: [`${id},${csvValue(customer)},${csvValue(product)},${q},${p}`], kind: 'valid' },
  ]);
  // A product name exported with line breaks: first piece after the opening quote, the rest on the next lines.
  const multiLine = fc.tuple(text, fc.array(piece, { minLength: 1, maxLength: 4 }), quantity).map(([customer, pieces, q]): Item[] => {
    const last = pieces.length - 1;
    const lines = [`${id},${csvValue(customer)},"Widget`, ...pieces.map((p, i) => (i === last ? `${p}",${q},1.50` : p))];
    return [{ lines, kind: 'valid' }];
  });
  const invalid = fc.constantFrom(
    `${id},Ann,Pen,abc,1`,
    `${id},Ann,Pen,1,-0`,
    `${id},Ann,Pen,1`,
    `${id},Ann,Pen,1,1,extra`,
    `${id},\u200b,Pen,1,1`,
    `${id},"Ann"x,Pen,1,1`,
  ).map((line): Item[] => [{ lines: [line], kind: 'rejected' }]);
  const blank = fc.constantFrom('', '  ', ',,,,', '\t', '"",,,,').map((line): Item[] => [{ lines: [line], kind: 'blank' }]);
  // A stray quote, followed by an order that reads as a record of its own.
  const stray = fc.constantFrom(`${id},Bob,"Mug,1,1`, `${id},"Bob,Mug,1,1`, `"${id},Bob,Mug,1,1`).map((line): Item[] => [
    { lines: [line], kind: 'rejected' },
    { lines: [`${id}-next,Cy,Pad,1,1`], kind: 'valid' },
  ]);
  return fc.oneof({ arbitrary: valid, weight: 4 }, multiLine, invalid, blank, stray);
}

interface GeneratedFile {
  bytes: Buffer;
  items: Item[];
  /** Every physical line's content, header first. */
  lines: string[];
  bom: boolean;
}

const fileArb: fc.Arbitrary<GeneratedFile> = fc
  .tuple(fc.integer({ min: 1, max: 12 }), fc.boolean(), fc.boolean())
  .chain(([n, bom, finalBreak]) =>
    fc.tuple(
      fc.tuple(...Array.from({ length: n }, (_, i) => itemArb(`P-${i + 1}`))),
      fc.array(fc.constantFrom('\n', '\r\n', '\r'), { minLength: 200, maxLength: 200 }),
      fc.constant(bom),
      fc.constant(finalBreak),
    ),
  )
  .map(([groups, eols, bom, finalBreak]) => {
    const items = groups.flat();
    // A file needs a data row; an empty last line exists only when a line break ends the one before.
    if (items.every((item) => item.kind === 'blank')) items.push({ lines: ['Z-1,Zed,Pad,1,1'], kind: 'valid' });
    const lines = [MINIMAL_HEADER, ...items.flatMap((item) => item.lines)];
    if (lines[lines.length - 1] === '') finalBreak = true;
    let text = bom ? '\uFEFF' : '';
    let previous = '';
    lines.forEach((line, i) => {
      let eol = eols[i % eols.length] ?? '\n';
      // A CR followed by an empty line ending in LF would read as one CRLF.
      if (previous === '\r' && line === '' && eol === '\n') eol = '\r\n';
      text += line + (i < lines.length - 1 || finalBreak ? eol : '');
      previous = eol;
    });
    return { bytes: Buffer.from(text, 'utf8'), items, lines, bom };
  });

const chunking = fc.array(fc.nat(), { maxLength: 8 });

function cuts(file: GeneratedFile, raw: number[]): number[] {
  return raw.map((c) => c % (file.bytes.length + 1));
}

/** First line of every generated item, header = line 1. */
function expectedOutline(items: Item[]): string[] {
  let line = 2;
  return items.map((item) => {
    const entry = `${item.kind} ${line}`;
    line += item.lines.length;
    return entry;
  });
}

const rowEvents = (events: ContractEvent[]) => events.filter((e) => e.kind !== 'header');
const lineOf = (e: ContractEvent): number => (e.kind === 'rejected' ? e.error.line : e.kind === 'header' ? 0 : e.line);

describe('readOrders, property-based', () => {
  it('gives every generated record its outcome and every physical line exactly one record', async () => {
    await fc.assert(
      fc.asyncProperty(fileArb, chunking, async (file, raw) => {
        // Act
        const { events, error } = await readSource(cutAt(file.bytes, cuts(file, raw)));

        // Assess: one record per item, of the intended kind, starting on the intended line
        expect(error).toBeUndefined();
        const records = rowEvents(events);
        expect(records.map((e) => `${e.kind} ${lineOf(e)}`)).toEqual(expectedOutline(file.items));
        // The records tile the lines after the header: contiguous, no gap, no overlap
        let next = 2;
        let byte = events[0]?.span?.end ?? -1;
        for (const e of records) {
          expect(e.span?.line).toBe(next);
          expect(e.span?.start).toBe(byte);
          next = (e.span?.lastLine ?? NaN) + 1;
          byte = e.span?.end ?? NaN;
        }
        expect(next - 1).toBe(file.lines.length);
        expect(byte).toBe(file.bytes.length);
        // rows = valid + rejected, and it is the number of non-blank items
        const rows = records.filter((e) => e.kind !== 'blank').length;
        expect(rows).toBe(file.items.filter((item) => item.kind !== 'blank').length);
      }),
      { numRuns: 300 },
    );
  });

  it('starts a record on every line that reads as a record of its own (synchronisation points)', async () => {
    await fc.assert(
      fc.asyncProperty(fileArb, async (file) => {
        // Act
        const { events } = await readSource(chunked(file.bytes));

        // Assess
        const starts = new Set(rowEvents(events).map(lineOf));
        file.lines.forEach((content, i) => {
          if (i === 0) return;
          const own = tokenizeLine(Buffer.from(content, 'utf8'), false);
          if (own.state === 'closed' && own.cells.length === H_FIELDS && !isBlank(own.cells)) expect(starts.has(i + 1)).toBe(true);
        });
      }),
      { numRuns: 200 },
    );
  });

  it('reads the same file identically twice, whatever the chunking', async () => {
    await fc.assert(
      fc.asyncProperty(fileArb, chunking, chunking, async (file, a, b) => {
        const first = await readSource(cutAt(file.bytes, cuts(file, a)));
        const second = await readSource(cutAt(file.bytes, cuts(file, b)));
        expect(JSON.stringify(second.events)).toBe(JSON.stringify(first.events));
      }),
      { numRuns: 100 },
    );
  });

  it('re-validates the cleaned CSV of the valid rows as all valid, with the same orders', async () => {
    await fc.assert(
      fc.asyncProperty(fileArb, async (file) => {
        // Prepare
        const { events } = await readSource(chunked(file.bytes));
        const orders = events.flatMap((e): Order[] => (e.kind === 'valid' ? [e.order] : []));
        fc.pre(orders.length > 0);
        const cleaned = cleanedHeaderLine() + orders.map((o) => cleanedRowLine(o)).join('');

        // Act
        const again = await readSource(chunked(Buffer.from(cleaned, 'utf8'), 97));

        // Assess
        expect(again.error).toBeUndefined();
        const reread = again.events.flatMap((e): Order[] => (e.kind === 'valid' ? [e.order] : []));
        expect(again.events.filter((e) => e.kind === 'rejected')).toEqual([]);
        expect(reread.map((o) => [o.order_id, o.quantity, o.unit_price, o.total_amount])).toEqual(
          orders.map((o) => [o.order_id, o.quantity, o.unit_price, o.total_amount]),
        );
      }),
      { numRuns: 150 },
    );
  });
});
