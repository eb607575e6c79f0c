/**
 * `node:zlib`'s createGunzip in the browser: DecompressionStream('gzip') fed from the piped
 * source (node-stream.ts), iterated chunk by chunk like Node's stream. A broken gzip stream fails
 * the iteration, which the contract turns into its "not valid gzip data" reason; a failing source
 * fails it with the source's own error.
 */
import { Buffer } from './node-buffer.ts';

/**
 * The browser's words for a broken stream, as zlib words them where they mean the same (the reason
 * quotes them): a cut-short file is zlib's "unexpected end of file".
 */
export function zlibMessage(error: unknown): Error {
  const message = (error instanceof Error ? error.message : String(error)).replace(/^Failed to execute '[^']*' on '[^']*': /, '');
  return new Error(/truncated|unexpected end/i.test(message) ? 'unexpected end of file' : message);
}

class BrowserGunzip {
  private source: AsyncIterable<Uint8Array> | null = null;
  private done: (error?: unknown) => void = () => undefined;

  pipeFrom(source: AsyncIterable<Uint8Array>, done: (error?: unknown) => void): void {
    this.source = source;
    this.done = done;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    if (!this.source) throw new Error('gunzip: nothing piped in');
    const inflate = new DecompressionStream('gzip');
    const writer = inflate.writable.getWriter();
    const source = this.source;
    let sourceError: unknown;
    const pump = (async () => {
      const chunks = source[Symbol.asyncIterator]();
      for (;;) {
        let next: IteratorResult<Uint8Array>;
        try {
          next = await chunks.next();
        } catch (e) {
          sourceError = e;
          await writer.abort(e).catch(() => undefined);
          return;
        }
        if (next.done) break;
        // A write fails only when inflating failed: the reading side reports that.
        if (!(await writer.write(next.value as Uint8Array<ArrayBuffer>).then(() => true, () => false))) return;
      }
      await writer.close().catch(() => undefined);
    })();
    const reader = inflate.readable.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        yield Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      }
      await pump;
      this.done();
    } catch (e) {
      const error = sourceError ?? zlibMessage(e);
      this.done(error);
      throw error;
    } finally {
      // Stopped early (the file was rejected): cancelling ends the pump too.
      await reader.cancel().catch(() => undefined);
    }
  }
}

export function createGunzip(): BrowserGunzip {
  return new BrowserGunzip();
}
