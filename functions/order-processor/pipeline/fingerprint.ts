/**
 * The content fingerprint of a file, the same whichever path reads it (docs/architecture.md,
 * "Large files in parts"): a block tree hash. The object's bytes are cut into aligned blocks of
 * BLOCK_BYTES; the fingerprint is the sha256 over the sha256 of each block, in order. A whole read
 * hashes the blocks as they stream past; a part hashes the blocks that start in its range (reading
 * past its end to finish the last one), and DECIDE joins the parts' block hashes — so the same
 * bytes read whole or split, with any part size, have the same fingerprint.
 */
import { createHash, type Hash } from 'node:crypto';

export const BLOCK_BYTES = 8 * 1024 * 1024;

/** The hashes of the aligned blocks of an object that start at or after byte `from`, fed in order from `from` on. */
export class BlockHashes {
  /** Hex sha256 of each block, from block `first` on. */
  readonly hashes: string[] = [];
  /** The index of the first block hashed (the first that starts at or after `from`). */
  readonly first: number;
  private hash: Hash | null = null;
  private offset: number;

  constructor(
    from = 0,
    private readonly blockBytes = BLOCK_BYTES,
  ) {
    this.offset = from;
    this.first = Math.ceil(from / blockBytes);
  }

  update(chunk: Uint8Array): void {
    const size = this.blockBytes;
    for (let i = 0; i < chunk.length; ) {
      const blockStart = Math.floor(this.offset / size) * size;
      const take = Math.min(chunk.length - i, blockStart + size - this.offset);
      if (blockStart / size >= this.first) {
        if (this.offset === blockStart) {
          this.close();
          this.hash = createHash('sha256');
        }
        this.hash?.update(chunk.subarray(i, i + take));
      }
      i += take;
      this.offset += take;
    }
  }

  /** Where the block being hashed ends when it is not complete yet (to read on to), else null. */
  get unfinishedBlockEnd(): number | null {
    return this.hash && this.offset % this.blockBytes !== 0 ? Math.ceil(this.offset / this.blockBytes) * this.blockBytes : null;
  }

  /** Ends the last block; the hashes of every block hashed. */
  finish(): string[] {
    this.close();
    return this.hashes;
  }

  private close(): void {
    if (this.hash) this.hashes.push(this.hash.digest('hex'));
    this.hash = null;
  }
}

/** The fingerprint over the hashes of all of an object's blocks, in order. */
export function treeFingerprint(blockHashes: readonly string[]): string {
  const tree = createHash('sha256').update('order-pipeline block-tree v1\n');
  for (const hash of blockHashes) tree.update(Buffer.from(hash, 'hex'));
  return tree.digest('hex');
}

/** The fingerprint of bytes held whole (tests, tools). */
export function fingerprintOf(bytes: Uint8Array, blockBytes = BLOCK_BYTES): string {
  const blocks = new BlockHashes(0, blockBytes);
  blocks.update(bytes);
  return treeFingerprint(blocks.finish());
}
