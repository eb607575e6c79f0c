/**
 * Bytes in, decompressed bytes out: optional gunzip (by flag or by the 1f 8b magic bytes) and the
 * first-bytes check that names files uploaded by mistake (ZIP/xlsx, UTF-16, PDF). Streams chunk
 * by chunk and pulls only when the reader asks, so a gzip bomb is inflated no faster than it is
 * read (the reader's MAX_FILE_MB cap then stops it).
 */
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { FileRejectedError } from './types.ts';

export type ByteSource = NodeJS.ReadableStream | AsyncIterable<Uint8Array>;

export const GZIP_MAGIC = [0x1f, 0x8b] as const;

export function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  throw new TypeError(`expected byte chunks from the input stream, got ${typeof chunk}`);
}

/**
 * Decompresses when `gzip` is true or the data starts with the gzip magic bytes. The first chunk
 * yielded holds at least 5 bytes (or the whole input) and has passed the signature check. Errors
 * of the input stream itself (network, missing file) pass through unchanged: they are not the
 * file's fault.
 */
export async function* decompressedBytes(input: ByteSource, gzip?: boolean): AsyncGenerator<Buffer> {
  const iterator = (input as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  // Sniff: gather at least two bytes (chunks may be tiny) to look for the gzip magic number.
  const head: Buffer[] = [];
  let headLength = 0;
  let exhausted = false;
  while (headLength < GZIP_MAGIC.length) {
    const next = await iterator.next();
    if (next.done) {
      exhausted = true;
      break;
    }
    const bytes = toBuffer(next.value);
    head.push(bytes);
    headLength += bytes.length;
  }
  const first = Buffer.concat(head);
  const rest: AsyncIterable<Buffer> = {
    [Symbol.asyncIterator]: () => ({
      next: async () => {
        if (exhausted) return { done: true, value: undefined };
        const next = await iterator.next();
        return next.done ? next : { done: false, value: toBuffer(next.value) };
      },
      return: async () => {
        await iterator.return?.();
        return { done: true, value: undefined };
      },
    }),
  };
  const looksGzip = first[0] === GZIP_MAGIC[0] && first[1] === GZIP_MAGIC[1];
  const bytes = first.length > 0 && (gzip || looksGzip) ? gunzip(first, rest) : prepend(first, rest);
  yield* signatureChecked(bytes);
}

/**
 * Bytes that are already decompressed, e.g. one part of a file read in parts (contract/parts.ts):
 * never gunzipped. The first part (`first`) holds the file's first bytes: checked and re-chunked
 * like decompressedBytes' output; a later part starts at a line and is passed through.
 */
export function plainBytes(input: ByteSource, first: boolean): AsyncIterable<Buffer> {
  const bytes = buffers(input);
  return first ? signatureChecked(bytes) : bytes;
}

async function* buffers(input: ByteSource): AsyncGenerator<Buffer> {
  for await (const chunk of input as AsyncIterable<unknown>) yield toBuffer(chunk);
}

/** The first chunk holds at least 5 bytes (or the whole input) and passed the signature check. */
async function* signatureChecked(bytes: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let checked = false;
  for await (const chunk of withHead(bytes, 5)) {
    if (!checked) {
      checkSignature(chunk);
      checked = true;
    }
    yield chunk;
  }
}

async function* prepend(first: Buffer, rest: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  if (first.length > 0) yield first;
  yield* rest;
}

async function* gunzip(first: Buffer, rest: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let sourceFailed = false;
  let sourceError: unknown;
  async function* source(): AsyncGenerator<Buffer> {
    try {
      yield* prepend(first, rest);
    } catch (err) {
      sourceFailed = true;
      sourceError = err;
      throw err;
    }
  }
  const inflate = createGunzip();
  // Errors surface through iterating `inflate`; the callback only keeps pipeline from throwing.
  pipeline(Readable.from(source(), { objectMode: false }), inflate, () => undefined);
  let inflated = 0;
  try {
    for await (const chunk of inflate) {
      inflated += (chunk as Buffer).length;
      yield chunk as Buffer;
    }
  } catch (err) {
    if (sourceFailed) throw sourceError;
    const detail = err instanceof Error ? err.message : String(err);
    throw new FileRejectedError(
      `the file is not valid gzip data (${detail}); expected a .csv.gz file compressed with gzip, or plain CSV`,
      undefined,
      inflated,
    );
  }
}

/** Files people upload by mistake, told apart by their first bytes so the reason can say what they are. */
const SIGNATURES: { bytes: readonly number[]; reason: string }[] = [
  {
    bytes: [0x50, 0x4b, 0x03, 0x04],
    reason: 'the file is a ZIP archive (an Excel .xlsx workbook?), not CSV text; expected a CSV file (in Excel: Save As "CSV UTF-8")',
  },
  { bytes: [0xff, 0xfe], reason: 'the file is UTF-16 encoded; expected UTF-8 text (save the file as "CSV UTF-8")' },
  { bytes: [0xfe, 0xff], reason: 'the file is UTF-16 encoded; expected UTF-8 text (save the file as "CSV UTF-8")' },
  { bytes: [0x25, 0x50, 0x44, 0x46, 0x2d], reason: 'the file is a PDF document, not CSV text; expected a CSV file' },
];

function checkSignature(head: Uint8Array): void {
  for (const { bytes, reason } of SIGNATURES) {
    if (head.length >= bytes.length && bytes.every((b, i) => head[i] === b)) throw new FileRejectedError(reason, 1, 0);
  }
}

/** Re-chunks so that the first chunk holds at least `min` bytes (or the whole input if shorter). */
async function* withHead(chunks: AsyncIterable<Buffer>, min: number): AsyncGenerator<Buffer> {
  const head: Buffer[] = [];
  let length = 0;
  let flushed = false;
  for await (const chunk of chunks) {
    if (flushed) {
      yield chunk;
      continue;
    }
    head.push(chunk);
    length += chunk.length;
    if (length >= min) {
      flushed = true;
      yield Buffer.concat(head);
    }
  }
  if (!flushed && length > 0) yield Buffer.concat(head);
}
