/**
 * Bytes → text for the CSV contract: optional gunzip (by flag or by the 1f 8b magic bytes) and
 * strict UTF-8. fast-csv decodes with a replacing decoder, so invalid bytes must be caught here,
 * before any parsing, and named by line (DESIGN §9). Streams chunk by chunk: nothing is buffered
 * beyond the chunk being decoded.
 */
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { FileRejectedError } from './types.ts';

export type ByteSource = NodeJS.ReadableStream | AsyncIterable<Uint8Array>;

const GZIP_MAGIC = [0x1f, 0x8b] as const;

function toBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  throw new TypeError(`expected byte chunks from the input stream, got ${typeof chunk}`);
}

/**
 * Decompresses when `gzip` is true or the data starts with the gzip magic bytes, then decodes
 * strict UTF-8 (a leading BOM is dropped). Yields text chunks. Errors of the input stream itself
 * (network, missing file) pass through unchanged: they are not the file's fault.
 */
export async function* decodeText(input: ByteSource, gzip?: boolean): AsyncGenerator<string> {
  const iterator = (input as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  // Sniff: gather at least two bytes (chunks may be tiny) to look for the gzip magic number.
  const head: Uint8Array[] = [];
  let headLength = 0;
  let exhausted = false;
  while (headLength < GZIP_MAGIC.length) {
    const next = await iterator.next();
    if (next.done) {
      exhausted = true;
      break;
    }
    const bytes = toBytes(next.value);
    head.push(bytes);
    headLength += bytes.length;
  }
  const first = Buffer.concat(head);
  const rest: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]: () => ({
      next: async () => {
        if (exhausted) return { done: true, value: undefined };
        const next = await iterator.next();
        return next.done ? next : { done: false, value: toBytes(next.value) };
      },
      return: async () => {
        await iterator.return?.();
        return { done: true, value: undefined };
      },
    }),
  };
  const looksGzip = first[0] === GZIP_MAGIC[0] && first[1] === GZIP_MAGIC[1];
  const bytes = first.length > 0 && (gzip || looksGzip) ? gunzip(first, rest) : prepend(first, rest);
  yield* decodeUtf8Strict(bytes);
}

async function* prepend(first: Uint8Array, rest: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  if (first.length > 0) yield first;
  yield* rest;
}

async function* gunzip(first: Uint8Array, rest: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let sourceFailed = false;
  let sourceError: unknown;
  async function* source(): AsyncGenerator<Uint8Array> {
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
  try {
    for await (const chunk of inflate) yield chunk as Buffer;
  } catch (err) {
    if (sourceFailed) throw sourceError;
    const detail = err instanceof Error ? err.message : String(err);
    throw new FileRejectedError(
      `the file is not valid gzip data (${detail}); expected a .csv.gz file compressed with gzip, or plain CSV`,
    );
  }
}

/** Counts physical line breaks (LF, CRLF, lone CR) in bytes; carries a trailing CR across chunks. */
class LineCounter {
  breaks = 0;
  private pendingCR = false;

  add(bytes: Uint8Array, end = bytes.length): void {
    for (let i = 0; i < end; i++) {
      const b = bytes[i];
      if (this.pendingCR && b !== 0x0a) this.breaks++;
      this.pendingCR = false;
      if (b === 0x0a) this.breaks++;
      else if (b === 0x0d) this.pendingCR = true;
    }
  }

  get line(): number {
    return this.breaks + (this.pendingCR ? 1 : 0) + 1;
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
    if (head.length >= bytes.length && bytes.every((b, i) => head[i] === b)) throw new FileRejectedError(reason, 1);
  }
}

/** Re-chunks so that the first chunk holds at least `min` bytes (or the whole input if shorter). */
async function* withHead(chunks: AsyncIterable<Uint8Array>, min: number): AsyncGenerator<Uint8Array> {
  const head: Uint8Array[] = [];
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

async function* decodeUtf8Strict(input: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const chunks = withHead(input, 5);
  let first = true;
  const lines = new LineCounter();
  let offset = 0;
  let previousTail: Uint8Array = new Uint8Array(0);
  for await (const chunk of chunks) {
    if (first) {
      checkSignature(chunk);
      first = false;
    }
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch {
      // Locate the bad byte: it may be in this chunk or in an incomplete sequence carried over.
      const carried = incompleteSuffix(previousTail);
      const joined = Buffer.concat([carried, chunk]);
      const found = firstInvalidUtf8(joined);
      const bad = found < 0 ? joined.length - 1 : found;
      const index = bad - carried.length; // negative: the bad byte came with an earlier chunk
      if (index > 0) lines.add(chunk, index);
      throw invalidUtf8(lines.line, offset + index, joined[bad]);
    }
    lines.add(chunk);
    offset += chunk.length;
    // The last 3 bytes seen, across chunks (a 4-byte character may arrive one byte at a time).
    previousTail = chunk.length >= 3 ? chunk.subarray(-3) : Buffer.concat([previousTail, chunk]).subarray(-3);
    if (text) yield text;
  }
  let last: string;
  try {
    last = decoder.decode();
  } catch {
    throw invalidUtf8(lines.line, offset - incompleteSuffix(previousTail).length, undefined, true);
  }
  if (last) yield last;
}

function invalidUtf8(line: number, offset: number, byte: number | undefined, truncated = false): FileRejectedError {
  const what = truncated
    ? `the file ends in the middle of a UTF-8 character (byte offset ${offset})`
    : `line ${line} contains bytes that are not valid UTF-8 (byte 0x${(byte ?? 0).toString(16).padStart(2, '0')} at byte offset ${offset})`;
  return new FileRejectedError(`${what}; expected UTF-8 text (save the file as "CSV UTF-8")`, line);
}

/** The bytes at the end of an already-valid chunk that start a not-yet-complete UTF-8 sequence. */
function incompleteSuffix(tail: Uint8Array): Uint8Array {
  for (let i = tail.length - 1; i >= 0; i--) {
    const b = tail[i] ?? 0;
    if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead byte
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return tail.length - i < need ? tail.subarray(i) : new Uint8Array(0);
  }
  return new Uint8Array(0);
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
