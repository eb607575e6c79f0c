/**
 * The browser stand-ins for the Node built-ins the contract uses (console/web/shims/), checked in
 * Node, which has the same web APIs (TextDecoder, DecompressionStream): they must answer as the
 * built-ins do, or the check in the browser would judge a file differently from the Lambda.
 */
import { isUtf8 as nodeIsUtf8 } from 'node:buffer';
import { createHash as nodeCreateHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isUtf8 } from '../../../console/web/shims/node-buffer.ts';
import { createHash } from '../../../console/web/shims/node-crypto.ts';
import { pipeline, Readable } from '../../../console/web/shims/node-stream.ts';
import { createGunzip } from '../../../console/web/shims/node-zlib.ts';

async function* chunks(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function gunzipped(source: AsyncIterable<Uint8Array>): Promise<{ bytes: Buffer; callback: unknown[] }> {
  const inflate = createGunzip();
  const callback: unknown[] = [];
  pipeline(Readable.from(source), inflate, (...args: unknown[]) => callback.push(...args));
  const out: Buffer[] = [];
  for await (const chunk of inflate) out.push(chunk);
  return { bytes: Buffer.concat(out), callback };
}

describe('isUtf8 (node:buffer stand-in)', () => {
  it('agrees with Node\'s on any bytes', () => {
    // Assess
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(isUtf8(bytes)).toBe(nodeIsUtf8(bytes));
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees on text, a BOM, surrogates and overlong forms', () => {
    // Assess
    for (const bytes of [[0xef, 0xbb, 0xbf, 0x41], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf4, 0x90, 0x80, 0x80], [...Buffer.from('zoë,€,😀')]]) {
      expect(isUtf8(new Uint8Array(bytes)), bytes.join(' ')).toBe(nodeIsUtf8(new Uint8Array(bytes)));
    }
  });
});

describe('createGunzip (node:zlib stand-in over DecompressionStream)', () => {
  it('inflates gzip data fed in small chunks', async () => {
    // Prepare
    const text = Buffer.from('order_id,quantity\n'.repeat(5000));

    // Act
    const { bytes, callback } = await gunzipped(chunks(gzipSync(text), 13));

    // Assess
    expect(bytes.equals(text)).toBe(true);
    expect(callback).toEqual([]);
  });

  it('fails on data that is not gzip', async () => {
    // Prepare: a gzip header followed by bytes that are no deflate stream
    const broken = Buffer.concat([gzipSync(Buffer.from('a,b\n')).subarray(0, 10), Buffer.from('garbage garbage garbage garbage')]);

    // Act / Assess
    await expect(gunzipped(chunks(broken, 8))).rejects.toThrow();
  });

  it('fails with the source\'s own error when the source fails', async () => {
    // Prepare
    const failure = new Error('disk gone');
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield gzipSync(Buffer.from('x')).subarray(0, 5);
      throw failure;
    }

    // Act / Assess
    await expect(gunzipped(failing())).rejects.toBe(failure);
  });
});

describe('createHash (node:crypto stand-in)', () => {
  it('gives Node\'s sha256 hex digest for any text, in one or several updates', () => {
    // Assess
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.string({ maxLength: 50 }), (a, b) => {
        expect(createHash('sha256').update(a).update(b).digest('hex')).toBe(nodeCreateHash('sha256').update(a).update(b).digest('hex'));
      }),
      { numRuns: 500 },
    );
  });

  it('refuses any other algorithm by name', () => {
    // Assess
    expect(() => createHash('md5')).toThrow('createHash("md5") is not available');
  });
});
