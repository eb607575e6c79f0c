/**
 * The reader's output may not depend on how the bytes arrive: every cut position, one byte at a
 * time, and random chunkings give the same events and the same file-level verdict.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FileRejectedError } from '../../../../functions/order-processor/contract/types.ts';
import { chunked, cutAt, MINIMAL_HEADER, readSource, type ReadResult } from './reading.ts';

const H = MINIMAL_HEADER;

const INPUTS: [string, Buffer][] = [
  ['BOM, CRLF, blank lines before the header', Buffer.from(`\uFEFF\r\n \r\n${H}\r\nA-1,Ann,Pen,1,1\r\n\r\nA-2,Bob,Ink,1,1`)],
  ['quoted line breaks of every kind', Buffer.from(`${H}\rA-1,"Ann\rSmith","Pen\r\n\nblue ""x""",1,1\rA-2,B,"C\n\n",1,1\n`)],
  ['stray quotes and text after a closing quote', Buffer.from(`${H}\nA-1,"Ann,Pen,1,1\nA-2,"B"x,C,1,1\nA-3,B,C,1,1\nA-4,x","y\n"`)],
  ['multi-byte characters', Buffer.from(`${H}\nA-1,Müller 😀,"Pen, ü",1,1\nA-2,\u3000"Ann",Ink,1,1\n`)],
  ['invalid UTF-8 on line 3', Buffer.concat([Buffer.from(`${H}\nA-1,Ann,Pen,1,1\nA-2,Caf`), Buffer.from([0xe9]), Buffer.from(',x,1,1\n')])],
  ['a NUL after a CR', Buffer.from(`${H}\nA-1,Ann,Pen,1,1\r\u0000`)],
  ['a file cut inside a character', Buffer.concat([Buffer.from(`${H}\nA-1,Ann,Pen,1,1\n`), Buffer.from([0xf0, 0x9f, 0x98])])],
  ['a character cut short by the next one', Buffer.concat([Buffer.from(`${H}\nA-1,Caf`), Buffer.from([0xe2, 0x82]), Buffer.from('😀,x,1,1\n')])],
  ['a damaged BOM', Buffer.from([0xef, 0xbb, 0xf0, 0x9f, 0x98, 0x80, ...Buffer.from(`${H}\nA-1,Ann,Pen,1,1\n`)])],
  ['duplicates and wrong field counts', Buffer.from(`${H}\nA-1,Ann,Pen,1,1\nA-1,Ann,Pen,1,1\nA-2,Ann,Pen,1\nA-3,Ann,Pen,1,1,,\n`)],
];

/** Events and verdict in a comparable form. */
function comparable(result: ReadResult): string {
  const error = result.error instanceof FileRejectedError ? { reason: result.error.reason, line: result.error.line, offset: result.error.offset } : result.error;
  return JSON.stringify({ events: result.events, error });
}

describe('readOrders across chunk boundaries', () => {
  it.each(INPUTS)('gives the same result for every cut position and one-byte chunks: %s', async (_name, data) => {
    // Prepare
    const whole = comparable(await readSource(chunked(data)));

    // Act + Assess
    expect(comparable(await readSource(chunked(data, 1)))).toBe(whole);
    for (let cut = 1; cut < data.length; cut++) {
      expect(comparable(await readSource(cutAt(data, [cut]))), `cut at byte ${cut}`).toBe(whole);
    }
  });

  it('gives the same result for random chunkings', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...INPUTS.map(([, data]) => data)),
        fc.array(fc.nat(), { maxLength: 12 }),
        async (data, cuts) => {
          const whole = comparable(await readSource(chunked(data)));
          const pieces = comparable(await readSource(cutAt(data, cuts.map((c) => c % (data.length + 1)))));
          expect(pieces).toBe(whole);
        },
      ),
      { numRuns: 200 },
    );
  });
});
