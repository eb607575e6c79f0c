import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LIMITS,
  InvalidLimitError,
  limitsFromEnv,
  MAX_RECORD_BYTES,
  tooLargeReason,
  tooManyLinesReason,
} from '../../../../functions/order-processor/contract/limits.ts';
import { count, fileReason, MINIMAL_HEADER, outline, readAll, rejections } from './reading.ts';

describe('limitsFromEnv', () => {
  it('uses the defaults when the variables are unset or empty', () => {
    expect(limitsFromEnv({})).toEqual(DEFAULT_LIMITS);
    expect(limitsFromEnv({ MAX_FILE_MB: '', MAX_FILE_LINES: '  ' })).toEqual({ maxFileMb: 16_384, maxFileLines: 100_000_000 });
  });

  it('reads whole numbers, trimmed', () => {
    expect(limitsFromEnv({ MAX_FILE_MB: ' 512 ', MAX_FILE_LINES: '2000' })).toEqual({ maxFileMb: 512, maxFileLines: 2000 });
  });

  it.each([
    ['MAX_FILE_MB', '1.5', 'MAX_FILE_MB="1.5" is not a valid cap; expected a whole number of megabytes (MiB) from 1 to 1,048,576 (unset means 16,384)'],
    ['MAX_FILE_MB', '0', 'MAX_FILE_MB="0" is not a valid cap; expected a whole number of megabytes (MiB) from 1 to 1,048,576 (unset means 16,384)'],
    ['MAX_FILE_MB', '2000000', 'MAX_FILE_MB="2000000" is not a valid cap; expected a whole number of megabytes (MiB) from 1 to 1,048,576 (unset means 16,384)'],
    ['MAX_FILE_LINES', '-5', 'MAX_FILE_LINES="-5" is not a valid cap; expected a whole number of lines from 1 to 10,000,000,000 (unset means 100,000,000)'],
    ['MAX_FILE_LINES', '1e6', 'MAX_FILE_LINES="1e6" is not a valid cap; expected a whole number of lines from 1 to 10,000,000,000 (unset means 100,000,000)'],
  ])('rejects %s=%j, naming the variable, the value and what is expected', (variable, value, message) => {
    // Act
    let error: unknown;
    try {
      limitsFromEnv({ [variable]: value });
    } catch (err) {
      error = err;
    }

    // Assess
    expect(error).toBeInstanceOf(InvalidLimitError);
    expect(error).toMatchObject({ variable, value, message });
  });
});

describe('readOrders under the caps', () => {
  const row = (i: number) => `A-${i},Ann,Pen,1,1\n`;

  it('rejects a file larger than MAX_FILE_MB once decompressed, also a small gzip', async () => {
    // Prepare: ~1.2 MB of rows, compressed to a few KB
    const limits = { maxFileMb: 1, maxFileLines: 1_000_000 };
    const csv = `${MINIMAL_HEADER}\n` + 'A-1,Ann,Pen,1,1\n'.repeat(80_000);

    // Act
    const plain = await readAll(csv, { ctx: { limits } });
    const gzip = await readAll(gzipSync(Buffer.from(csv)), { ctx: { limits } });

    // Assess
    expect(fileReason(plain)).toBe(tooLargeReason(limits));
    expect(fileReason(gzip)).toBe('the file is larger than 1 MB once decompressed; expected at most 1 MB (the MAX_FILE_MB setting)');
  });

  it('accepts a file of exactly MAX_FILE_LINES lines and rejects one more, naming that line', async () => {
    // Prepare
    const limits = { maxFileMb: 1, maxFileLines: 4 };
    const fits = `${MINIMAL_HEADER}\n${row(1)}${row(2)}${row(3)}`;

    // Act
    const accepted = await readAll(fits, { ctx: { limits } });
    const rejected = await readAll(`${fits}\n`, { ctx: { limits } });
    const oneMore = await readAll(`${fits}${row(4)}`, { ctx: { limits }, chunkSize: 1 });

    // Assess
    expect(accepted.error).toBeUndefined();
    expect(count(accepted.events, 'valid')).toBe(3);
    expect(fileReason(rejected)).toBe(tooManyLinesReason(limits));
    expect(fileReason(oneMore)).toBe('the file has more than 4 lines; expected at most 4 lines (the MAX_FILE_LINES setting)');
  });

  it('rejects one over-long line as one row, without buffering it, and reads on', async () => {
    // Prepare
    const long = `A-1,Ann,${'x'.repeat(MAX_RECORD_BYTES + 10)},1,1\n`;
    const csv = `${MINIMAL_HEADER}\n${long}A-2,Bob,Ink,1,1\n`;

    // Act
    const { events, error } = await readAll(csv, { chunkSize: 4096 });

    // Assess
    expect(error).toBeUndefined();
    expect(outline(events)).toEqual(['header', 'rejected 2', 'valid 3 A-2']);
    expect(rejections(events)[0]).toEqual({
      line: 2,
      order_id: 'A-1',
      column: null,
      reason: `the line is ${(long.length - 1).toLocaleString('en-US')} bytes long; expected a record of at most 1,048,576 bytes (one order per line)`,
    });
  });

  it('rejects the file when the line that would be the header is over-long', async () => {
    expect(fileReason(await readAll(`\n${'x'.repeat(MAX_RECORD_BYTES + 1)}\nA-1\n`))).toBe(
      'line 2 is 1,048,577 bytes long and no header row came before it; expected a header row of column names of at most 1,048,576 bytes',
    );
  });

  it('counts a million blank lines before the header without storing them', async () => {
    // Act
    const { events, error } = await readAll(gzipSync(Buffer.from(`${'\n'.repeat(1_000_000)}${MINIMAL_HEADER}\n${row(1)}`)));

    // Assess
    expect(error).toBeUndefined();
    expect(count(events, 'blank')).toBe(1_000_000);
    expect(outline(events).slice(0, 2)).toEqual(['header', 'blank 1']);
    expect(outline(events).at(-1)).toBe('valid 1000002 A-1');
  });
});
