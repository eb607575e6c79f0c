/**
 * `node:crypto` in the browser: the processor's entry imports it for ledger ids and destination
 * names, which the check never computes; calling them here is a bug, said plainly.
 */
const unavailable = (): never => {
  throw new Error('node:crypto is not available in the console\'s browser bundle');
};
export const randomBytes = unavailable;
export const createHash = unavailable;
