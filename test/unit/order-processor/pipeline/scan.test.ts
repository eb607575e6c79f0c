import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FileRejectedError } from '../../../../functions/order-processor/contract/types.ts';
import { fingerprintOf } from '../../../../functions/order-processor/pipeline/fingerprint.ts';
import { scan } from '../../../../functions/order-processor/pipeline/scan.ts';
import { attempt, blank, body, rejected, scriptedReader, valid } from './ports.ts';

const ctx = attempt().contract;
const fingerprint = (text: string) => fingerprintOf(Buffer.from(text));

describe('scan', () => {
  it('counts rows, keeps the first errors and fingerprints every byte, writing nothing', async () => {
    // Prepare
    const chunks = Array.from({ length: 50 }, (_, i) => `chunk ${i}\n`);
    const text = chunks.join('');
    const events = [valid('A-1', 2), blank(3), ...Array.from({ length: 12 }, (_, i) => rejected(i + 4)), valid('A-2', 16)];
    const input = body(chunks);
    // Act
    const result = await scan(input, ctx, scriptedReader(events));
    // Assess
    expect(result.counts).toEqual({ rows: 14, valid: 2, rejected: 12, blank: 1 });
    expect(result.firstErrors.map((e) => e.line)).toEqual([4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    expect(result.rejection).toBeNull();
    // The scripted reader stops after its first chunk: scan reads the rest for the fingerprint.
    expect(result.bytes).toBe(text.length);
    expect(result.fingerprint).toBe(fingerprint(text));
    expect(input.destroyed).toBe(true);
  });

  it('reports a file rejected as a whole with zero rows, its line, and no fingerprint', async () => {
    // Prepare
    const events = [valid('A-1', 2), valid('A-2', 3), new FileRejectedError('line 4 contains bytes that are not valid UTF-8', 4)];
    // Act
    const result = await scan(body(), ctx, scriptedReader(events));
    // Assess
    expect(result).toMatchObject({
      counts: { rows: 0, valid: 0, rejected: 0, blank: 0 },
      firstErrors: [],
      rejection: { reason: 'line 4 contains bytes that are not valid UTF-8', line: 4 },
      fingerprint: null,
    });
  });

  it('names the header line when a file-level reason has no line', async () => {
    // Act
    const result = await scan(body(), ctx, scriptedReader([new FileRejectedError('the file is empty')]));
    // Assess
    expect(result.rejection).toEqual({ reason: 'the file is empty', line: 1 });
  });

  it('rethrows a fault of the byte stream and releases it', async () => {
    // Prepare: a body whose connection is cut after the first chunk
    const cut = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const stream = new Readable({
      read() {
        this.push(Buffer.from('a,b\n'));
        this.destroy(cut);
      },
    });
    let destroyed = false;
    const input = { [Symbol.asyncIterator]: () => stream[Symbol.asyncIterator](), destroy: () => void (destroyed = true) };
    const reader = async function* (source: AsyncIterable<Uint8Array>) {
      for await (const _chunk of source) yield valid('A-1', 2);
    };
    // Act
    const scanning = scan(input, ctx, reader);
    // Assess
    await expect(scanning).rejects.toThrow('socket hang up');
    expect(destroyed).toBe(true);
  });
});
