import { describe, expect, it } from 'vitest';
import { LineSplitter, type LineItem } from '../../../../functions/order-processor/contract/lines.ts';
import { FileRejectedError } from '../../../../functions/order-processor/contract/types.ts';

/** Splits `text` fed in chunks of `size` bytes; returns a compact view of every line. */
function split(data: string | Buffer, size = 1 << 16, maxLineBytes = 1 << 20, maxLines = 1_000_000): string[] {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const items: LineItem[] = [];
  const splitter = new LineSplitter(maxLineBytes, maxLines, () => 'too many lines');
  for (let i = 0; i < bytes.length; i += size) splitter.push(bytes.subarray(i, i + size), (item) => items.push(item));
  splitter.end((item) => items.push(item));
  return items.map((item) =>
    item.kind === 'empty'
      ? `${item.number}+${item.count} empty ${JSON.stringify(item.eol)} @${item.start}`
      : `${item.number} ${item.overlong ? `overlong ${item.length}` : JSON.stringify(item.bytes.toString('utf8'))} ${JSON.stringify(item.eol)} @${item.start}`,
  );
}

describe('LineSplitter', () => {
  it.each([1, 2, 3, 1 << 16])('ends lines at LF, CRLF and lone CR, with their offsets (chunks of %i bytes)', (size) => {
    expect(split('a\nb\r\nc\rd', size)).toEqual(['1 "a" "\\n" @0', '2 "b" "\\r\\n" @2', '3 "c" "\\r" @5', '4 "d" "" @7']);
  });

  it('folds consecutive empty lines with the same terminator into runs', () => {
    expect(split('\n\n\r\n\r\nx\r\r\n', 1)).toEqual([
      '1+2 empty "\\n" @0',
      '3+2 empty "\\r\\n" @2',
      '5 "x" "\\r" @6',
      '6+1 empty "\\r\\n" @8',
    ]);
  });

  it('waits for the next chunk to tell CRLF from a lone CR at a chunk end', () => {
    expect(split('ab\r\ncd\r', 3)).toEqual(['1 "ab" "\\r\\n" @0', '2 "cd" "\\r" @4']);
  });

  it('does not count a final line terminator as the start of a line', () => {
    expect(split('a\n')).toEqual(['1 "a" "\\n" @0']);
    expect(split('')).toEqual([]);
  });

  it('skips the bytes of an over-long line, keeping its real length and first bytes', () => {
    // Act
    const items: LineItem[] = [];
    const splitter = new LineSplitter(10, 100, () => 'too many lines');
    for (const chunk of ['A-1,', 'x'.repeat(30), 'y'.repeat(30), '\nok\n']) splitter.push(Buffer.from(chunk), (item) => items.push(item));
    splitter.end((item) => items.push(item));

    // Assess
    expect(items).toMatchObject([
      { kind: 'line', number: 1, overlong: true, length: 64, start: 0 },
      { kind: 'line', number: 2, overlong: false, length: 2, start: 65 },
    ]);
    expect(items[0]?.kind === 'line' && items[0].bytes.toString().startsWith('A-1,xxx')).toBe(true);
  });

  it('rejects the file as soon as a line beyond the cap starts, after emitting the lines before it', () => {
    // Prepare
    const items: LineItem[] = [];
    const splitter = new LineSplitter(100, 2, () => 'too many lines');

    // Act
    let error: unknown;
    try {
      splitter.push(Buffer.from('a\nb\nc\n'), (item) => items.push(item));
    } catch (err) {
      error = err;
    }

    // Assess
    expect(error).toBeInstanceOf(FileRejectedError);
    expect((error as FileRejectedError).line).toBe(3);
    expect(items.map((item) => item.number)).toEqual([1, 2]);
    expect(split('a\nb\n', 1, 100, 2)).toHaveLength(2);
  });

  it('names the line the next byte belongs to, also after a pending CR', () => {
    const splitter = new LineSplitter(100, 100, () => '');
    splitter.push(Buffer.from('a\nb\r'), () => undefined);
    expect(splitter.lineOfNextByte()).toBe(3);
  });
});
