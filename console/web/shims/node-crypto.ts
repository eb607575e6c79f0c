/**
 * `node:crypto` in the browser. The contract fingerprints its schema at load with
 * `createHash('sha256')` (synchronously, so WebCrypto's async digest cannot stand in): the same hash
 * from @noble/hashes. Random ids (ledger ids, destination names) are never computed by the check;
 * calling them here is a bug, said plainly.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

export const randomBytes = (): never => {
  throw new Error('node:crypto randomBytes is not available in the console\'s browser bundle');
};

export interface Sha256Hash {
  update(data: string | Uint8Array): Sha256Hash;
  digest(encoding: 'hex'): string;
}

export function createHash(algorithm: string): Sha256Hash {
  if (algorithm !== 'sha256') throw new Error(`node:crypto createHash(${JSON.stringify(algorithm)}) is not available in the console's browser bundle (sha256 only)`);
  const hash = sha256.create();
  const api: Sha256Hash = {
    update(data) {
      hash.update(typeof data === 'string' ? utf8ToBytes(data) : data);
      return api;
    },
    digest: () => bytesToHex(hash.digest()),
  };
  return api;
}
