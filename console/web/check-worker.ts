/**
 * The in-browser check: the processor's CSV contract itself (validateFile, from contract/summary.ts:
 * the contract alone, not the processor's whole public entry, which also reaches the AWS write
 * path), bundled for the browser and run here, off the page's thread, over the dropped file as a
 * stream — a .csv.gz is inflated by the browser's DecompressionStream as it is read
 * (shims/node-zlib.ts). Same reader, rules, reasons and caps as the Lambda and `validate`, under
 * the order schema the console was started with (the session names it).
 */
import type { CompiledSchema } from '../../functions/order-processor/contract/schema/compile.ts';
import { compileSchemaJson } from '../../functions/order-processor/contract/schema/load.ts';
import { reportOnName, validateFile } from '../../functions/order-processor/contract/summary.ts';
import type { Session } from './api-types.ts';
import { getJson } from './client.ts';
import { CHECK_SHOWN_ERRORS, type CheckReply, type CheckRequest } from './check-protocol.ts';

const post = (reply: CheckReply) => (self as unknown as Worker).postMessage(reply);

/** The file's bytes as they are read, reporting progress now and then. */
async function* fileBytes(id: number, file: File): AsyncGenerator<Uint8Array> {
  const reader = file.stream().getReader();
  let read = 0;
  let reported = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      read += value.byteLength;
      if (read - reported >= 1 << 20) {
        reported = read;
        post({ id, kind: 'progress', read, size: file.size });
      }
      yield value;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** The console's order schema, fetched and compiled once (the worker sends the page's session cookie). */
let schema: Promise<CompiledSchema> | undefined;
function consoleSchema(): Promise<CompiledSchema> {
  schema ??= getJson<Session>('/api/session').then(({ schema: s }) => compileSchemaJson(s.spec, s.file));
  schema.catch(() => (schema = undefined)); // a failed fetch is tried again with the next file
  return schema;
}

self.onmessage = async (event: MessageEvent<CheckRequest>) => {
  const { id, file } = event.data;
  const started = performance.now();
  try {
    const report =
      reportOnName(file.name) ??
      (await validateFile(fileBytes(id, file), {
        file: file.name,
        maxErrors: CHECK_SHOWN_ERRORS,
        schema: await consoleSchema(),
        // A schema with order lines reads the file twice: the File is read again rather than held in memory.
        reopen: () => fileBytes(id, file),
      }));
    post({ id, kind: 'done', report, ms: Math.round(performance.now() - started) });
  } catch (e) {
    post({ id, kind: 'error', message: e instanceof Error ? e.message : String(e) });
  }
};
