/** Injected by esbuild into the console's bundles: `Buffer` as a global, as Node has it (the contract uses it unimported). */
export { Buffer } from './node-buffer.ts';
