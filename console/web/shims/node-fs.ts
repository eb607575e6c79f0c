/**
 * `node:fs` in the browser: the contract reads paths only in `validate` (and schema files only at
 * entry points); the worker always hands it a stream and uses the built-in schema.
 */
const unavailable = (): never => {
  throw new Error('no file system in the browser: the check reads the dropped file as a stream');
};
export const createReadStream = unavailable;
export const stat = unavailable;
export const readFileSync = unavailable;
