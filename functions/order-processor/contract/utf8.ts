/**
 * Strict UTF-8 over a stream of byte chunks: finds the first byte that is not UTF-8 (never
 * replaced by U+FFFD) and a file that ends inside a character. A character may arrive split over
 * chunks (even one byte at a time): its incomplete tail is carried to the next chunk.
 */
import { isUtf8 } from 'node:buffer';

export class Utf8Validator {
  /** Bytes of a not-yet-complete character at the end of the last chunk (at most 3). */
  private carried: Buffer = Buffer.alloc(0);

  /**
   * Index in `chunk` of the lead byte of the first invalid sequence, or null when every complete
   * character is valid. Negative when that lead byte arrived with an earlier chunk (then it is
   * `-k`: k bytes before this chunk starts).
   */
  check(chunk: Buffer): number | null {
    if (chunk.length === 0) return null;
    const joined = this.carried.length > 0 ? Buffer.concat([this.carried, chunk]) : chunk;
    const tail = incompleteTail(joined);
    const body = tail > 0 ? joined.subarray(0, joined.length - tail) : joined;
    if (!isUtf8(body)) {
      const bad = firstInvalidUtf8(body);
      // -1: the body only ends inside a character, which the tail's lead byte does not continue.
      return (bad < 0 ? lastLeadByte(body) : bad) - this.carried.length;
    }
    this.carried = tail > 0 ? Buffer.from(joined.subarray(joined.length - tail)) : Buffer.alloc(0);
    return null;
  }

  /** The lead byte of an invalid sequence found by `check(chunk)` at `index`. */
  leadByte(index: number, chunk: Buffer): number {
    return (index < 0 ? this.carried[this.carried.length + index] : chunk[index]) ?? 0;
  }

  /**
   * At the end of the input: null when it ended on a character boundary; otherwise how many bytes
   * before the end the unfinished character starts, and whether its bytes are already invalid
   * (an impossible second byte) rather than merely cut short.
   */
  end(): { back: number; byte: number; invalid: boolean } | null {
    if (this.carried.length === 0) return null;
    return { back: this.carried.length, byte: this.carried[0] ?? 0, invalid: firstInvalidUtf8(this.carried) >= 0 };
  }
}

/** Length of a trailing lead byte plus continuation bytes that do not yet form a whole character. */
function incompleteTail(bytes: Uint8Array): number {
  const stop = Math.max(0, bytes.length - 3);
  for (let i = bytes.length - 1; i >= stop; i--) {
    const b = bytes[i] ?? 0;
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: look further back for its lead
    const need = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 1;
    return bytes.length - i < need ? bytes.length - i : 0;
  }
  return 0;
}

/** Index of the last byte that is not a continuation byte (where the last character starts). */
function lastLeadByte(bytes: Uint8Array): number {
  let i = bytes.length - 1;
  while (i > 0 && ((bytes[i] ?? 0) & 0xc0) === 0x80) i--;
  return i;
}

/** Index of the first byte that starts an invalid UTF-8 sequence, or -1 (a truncated end is not invalid here). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b === 0xe0) [need, lo] = [2, 0xa0];
    else if (b === 0xed) [need, hi] = [2, 0x9f];
    else if (b >= 0xe1 && b <= 0xef) need = 2;
    else if (b === 0xf0) [need, lo] = [3, 0x90];
    else if (b >= 0xf1 && b <= 0xf3) need = 3;
    else if (b === 0xf4) [need, hi] = [3, 0x8f];
    else return i;
    for (let k = 1; k <= need; k++) {
      if (i + k >= bytes.length) return -1;
      const c = bytes[i + k] ?? 0;
      if (c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
    }
    i += need + 1;
  }
  return -1;
}

/** The reason for invalid bytes, named by line and absolute byte offset. */
export function invalidUtf8Reason(line: number, offset: number, byte: number): string {
  return `line ${line} contains bytes that are not valid UTF-8 (byte 0x${byte.toString(16).padStart(2, '0')} at byte offset ${offset}); expected UTF-8 text (save the file as "CSV UTF-8")`;
}

export function truncatedUtf8Reason(offset: number): string {
  return `the file ends in the middle of a UTF-8 character (byte offset ${offset}); expected UTF-8 text (save the file as "CSV UTF-8")`;
}
