/**
 * `node:buffer` in the browser: the `buffer` package's Buffer (Node's API over Uint8Array) and
 * `isUtf8`, which that package lacks, by a fatal TextDecoder — the same yes/no as Node's.
 */
import { Buffer } from 'buffer';

export { Buffer };

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function isUtf8(bytes: Uint8Array): boolean {
  try {
    strict.decode(bytes);
    return true;
  } catch {
    return false;
  }
}
