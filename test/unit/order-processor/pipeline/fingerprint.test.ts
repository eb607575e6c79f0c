import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BlockHashes, fingerprintOf, treeFingerprint } from '../../../../functions/order-processor/pipeline/fingerprint.ts';

/** The fingerprint as parts compute it: each range hashes the blocks that start in it, reading on to their end. */
function fingerprintInRanges(bytes: Uint8Array, cuts: number[], blockBytes: number): string {
  const bounds = [0, ...cuts, bytes.length];
  const hashes: string[] = [];
  for (let k = 0; k + 1 < bounds.length; k++) {
    const [start, end] = [bounds[k] ?? 0, bounds[k + 1] ?? 0];
    const blocks = new BlockHashes(start, blockBytes);
    blocks.update(bytes.subarray(start, end));
    const blockEnd = blocks.unfinishedBlockEnd;
    if (blockEnd !== null && end < bytes.length) blocks.update(bytes.subarray(end, Math.min(blockEnd, bytes.length)));
    hashes.push(...blocks.finish());
  }
  return treeFingerprint(hashes);
}

describe('the block tree fingerprint', () => {
  it('is the same read whole, in chunks of any size, or in parts cut anywhere', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 300 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (bytes, blockBytes, chunk, rawCuts) => {
          // Prepare
          const whole = fingerprintOf(bytes, blockBytes);
          const chunked = new BlockHashes(0, blockBytes);
          for (let i = 0; i < bytes.length; i += chunk) chunked.update(bytes.subarray(i, i + chunk));
          const cuts = [...new Set(rawCuts.map((c) => (bytes.length > 1 ? 1 + (c % (bytes.length - 1)) : 0)).filter((c) => c > 0))].sort((a, b) => a - b);
          // Act / Assess
          expect(treeFingerprint(chunked.finish())).toBe(whole);
          expect(fingerprintInRanges(bytes, cuts, blockBytes)).toBe(whole);
        },
      ),
    );
  });

  it('tells different bytes apart, also bytes that differ only in a later block', () => {
    // Act / Assess
    expect(fingerprintOf(Buffer.from('abcdef'), 4)).not.toBe(fingerprintOf(Buffer.from('abcdeX'), 4));
    expect(fingerprintOf(Buffer.from('abcd'), 4)).not.toBe(fingerprintOf(Buffer.from('abcd\n'), 4));
  });
});
