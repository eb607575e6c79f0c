import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_SCHEMA } from '../../../../functions/order-processor/contract/schema/built-in.ts';
import { compileSchemaJson } from '../../../../functions/order-processor/contract/schema/load.ts';
import { FileRejectedError, type ContractEvent } from '../../../../functions/order-processor/contract/types.ts';
import { fingerprintOf } from '../../../../functions/order-processor/pipeline/fingerprint.ts';
import { scan } from '../../../../functions/order-processor/pipeline/scan.ts';
import { attempt, blank, body, rejected, scriptedReader, valid } from './ports.ts';

const ctx = attempt().contract;
const fingerprint = (text: string) => fingerprintOf(Buffer.from(text));

describe('scan', () => {
  it('finds the orders with a rejected line when the schema has order lines, counting their valid rows as rejected', async () => {
    // Prepare: O-1's line on file line 3 is rejected; O-2 is clean
    const schema = compileSchemaJson({ ...BUILT_IN_SCHEMA.spec, name: 'lines', lines: 'by-position' }, 'lines.json');
    const bad: ContractEvent = { kind: 'rejected', error: { line: 3, order_id: 'O-1', column: 'quantity', reason: 'quantity "x" is not a whole number' } };
    const events = [valid('O-1', 2), bad, valid('O-1', 4), valid('O-2', 5)];
    // Act
    const result = await scan(body(['x\n']), { ...ctx, schema }, scriptedReader(events));
    // Assess
    expect(result.counts).toEqual({ rows: 4, valid: 1, rejected: 3, blank: 0 });
    expect(result.rejectedOrders).toEqual(new Map([['O-1', 3]]));
  });

  it('leaves the counts of a schema without order lines as read', async () => {
    // Act
    const result = await scan(body(['x\n']), ctx, scriptedReader([valid('O-1', 2), rejected(3), valid('O-1', 4)]));
    // Assess
    expect(result.counts).toEqual({ rows: 3, valid: 2, rejected: 1, blank: 0 });
    expect(result.rejectedOrders).toBeUndefined();
  });

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
