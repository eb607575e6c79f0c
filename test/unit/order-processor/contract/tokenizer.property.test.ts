/**
 * Differential test: on well-formed CSV within the documented definition (docs/csv-format.md
 * "Quoting and records"), our tokenizer and record rule give exactly the fields that fast-csv's
 * public API gives. fast-csv is only a test oracle here; the reader does not use it.
 */
import { parseString } from '@fast-csv/parse';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../../../functions/order-processor/contract/lines.ts';
import { RecordAssembler, type HeaderShape } from '../../../../functions/order-processor/contract/records.ts';

/** Our records' fields, with the first row as the header (H = its field count). */
function ourRecords(text: string, chunkSize: number): string[][] {
  const rows: string[][] = [];
  let records: RecordAssembler | undefined;
  const splitter = new LineSplitter(1 << 20, 1_000_000, () => 'too many lines');
  const onLine = (item: Parameters<RecordAssembler['push']>[0]) => {
    if (records) return records.push(item);
    if (item.kind !== 'line') throw new Error('the generated CSV starts with an empty line');
    // The header: read on its own, then the rule applies to the rows after it.
    const header = new RecordAssembler({ fields: 0, columnAt: () => null, nameAt: () => undefined }, (r) => {
      if (r.kind === 'fields') rows.push(r.cells);
    });
    header.push(item);
    const shape: HeaderShape = { fields: rows[0]?.length ?? 0, columnAt: () => null, nameAt: () => undefined };
    records = new RecordAssembler(shape, (r) => {
      if (r.kind !== 'fields') throw new Error(`record ${JSON.stringify(r)} is not whole`);
      rows.push(r.cells);
    });
  };
  const bytes = Buffer.from(text, 'utf8');
  for (let i = 0; i < bytes.length; i += chunkSize) splitter.push(bytes.subarray(i, i + chunkSize), onLine);
  splitter.end(onLine);
  records?.end();
  return rows;
}

function fastCsvRecords(text: string): Promise<string[][]> {
  return new Promise((resolve, reject) => {
    const rows: string[][] = [];
    parseString<string[], string[]>(text, { headers: false, ignoreEmpty: false })
      .on('error', reject)
      .on('data', (row: string[]) => rows.push(row))
      .on('end', () => resolve(rows));
  });
}

// No whitespace-only plain value: fast-csv empties those (`\t,` → ""), we keep them; the reader
// trims every cell, so the difference never shows.
const plain = fc.constantFrom('', 'a', 'Ann Smith', ' padded ', 'é ü 😀', "it's", '27in', 'x=1', '\tx');
const quotedText = fc.constantFrom('a,b', 'say "hi"', '', ',', '""', 'x , y', ' lead');
const breakPiece = fc.constantFrom('', 'next line', 'with "quote"', '  ');
const lineBreak = fc.constantFrom('\n', '\r\n', '\r');

/** A field: plain, quoted, or (from the second field on) quoted with line breaks. */
const field = (index: number): fc.Arbitrary<string> =>
  fc.oneof(
    plain,
    quotedText.map((v) => `"${v.replace(/"/g, '""')}"`),
    index === 0
      ? plain
      : fc.tuple(quotedText, fc.array(fc.tuple(lineBreak, breakPiece), { minLength: 1, maxLength: 3 })).map(
          ([first, rest]) => `"${(first + rest.map(([br, p]) => br + p).join('')).replace(/"/g, '""')}"`,
        ),
  );

const csvArb = fc
  .integer({ min: 2, max: 6 })
  .chain((h) =>
    fc.tuple(
      fc.array(fc.tuple(...Array.from({ length: h }, (_, i) => field(i))), { minLength: 1, maxLength: 8 }),
      fc.array(lineBreak, { minLength: 9, maxLength: 9 }),
      fc.boolean(),
    ),
  )
  .map(([rows, breaks, finalBreak]) => {
    const header = Array.from({ length: rows[0]?.length ?? 0 }, (_, i) => `c${i}`).join(',');
    const lines = [header, ...rows.map((cells) => cells.join(','))];
    return lines.map((line, i) => line + (i < lines.length - 1 || finalBreak ? breaks[i] : '')).join('');
  });

describe('the tokenizer against fast-csv (public parseString), on well-formed CSV', () => {
  it('gives the same fields for every record, whatever the chunking', async () => {
    await fc.assert(
      fc.asyncProperty(csvArb, fc.integer({ min: 1, max: 64 }), async (text, chunkSize) => {
        // Act
        const ours = ourRecords(text, chunkSize);
        const theirs = await fastCsvRecords(text);

        // Assess
        expect(ours).toEqual(theirs);
      }),
      { numRuns: 500 },
    );
  });
});
