/**
 * `node:stream` in the browser, as far as the contract's gunzip uses it (contract/input.ts):
 * `pipeline(Readable.from(source), gunzip, callback)`, then the gunzip stream is iterated.
 * Readable.from only carries the source along; pipeline hands it to the gunzip stand-in
 * (node-zlib.ts), which does the work with the browser's DecompressionStream.
 */
export interface Piped {
  source: AsyncIterable<Uint8Array>;
}

export const Readable = {
  from(source: AsyncIterable<Uint8Array>): Piped {
    return { source };
  },
};

export interface PipeTarget {
  pipeFrom(source: AsyncIterable<Uint8Array>, done: (error?: unknown) => void): void;
}

export function pipeline(from: Piped, to: PipeTarget, done: (error?: unknown) => void): void {
  to.pipeFrom(from.source, done);
}
