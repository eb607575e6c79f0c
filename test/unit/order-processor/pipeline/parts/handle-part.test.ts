import { gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { validateFile } from '../../../../../functions/order-processor/contract/summary.ts';
import type { PartMessage } from '../../../../../functions/order-processor/event.ts';
import { FileBusyError } from '../../../../../functions/order-processor/pipeline/errors.ts';
import { handlePart } from '../../../../../functions/order-processor/pipeline/parts/handle-part.ts';
import { stagingKeys } from '../../../../../functions/order-processor/pipeline/parts/staging.ts';
import { fingerprintOf } from '../../../../../functions/order-processor/pipeline/fingerprint.ts';
import { processFile } from '../../../../../functions/order-processor/pipeline/process-file.ts';
import type { ReadOrders } from '../../../../../functions/order-processor/pipeline/ports.ts';
import { INGESTION_ID, MemoryOrders } from '../ports.ts';
import { deliverAll, partsPorts } from './fixtures.ts';

const HEADER = 'order_id,customer_name,product_name,quantity,unit_price';
/** 12 rows, two of them rejected (a bad quantity, a repeat of O-1 in a later part); ~40 bytes a row. */
const TEXT = `${HEADER}\n${Array.from({ length: 12 }, (_, i) => (i === 4 ? 'O-5,Ann,Pen,x,2' : i === 10 ? 'O-1,Bob,Ink,1,2' : `O-${i + 1},Ann,Pen,1,2`)).join('\n')}\n`;

/** A file planned in parts of 64 bytes: the ingest invocation's work done, its scan messages queued. */
async function planned(text: string | Buffer = TEXT, options: Parameters<typeof partsPorts>[1] = {}) {
  const env = partsPorts(text, { chunkBytes: 64, ...options });
  const result = await processFile(env.ref, env.ports);
  return { ...env, result, item: () => env.ledger.item(env.ref) };
}

const byPart = (messages: PartMessage[], part: number): PartMessage => {
  const found = messages.find((m) => m.part === part);
  if (!found) throw new Error(`no message for part ${part}`);
  return found;
};

describe('planning (the ingest invocation)', () => {
  it('plans a file above the threshold and sends one scan message per part, then it is in SCAN', async () => {
    // Act
    const env = await planned();
    // Assess
    const item = env.item();
    expect(env.result).toMatchObject({ kind: 'planned' });
    expect(item).toMatchObject({ status: 'PROCESSING', phase: 'SCAN', sent_phase: 'SCAN', parts_done: 0 });
    expect(item?.parts).toBeGreaterThan(3);
    // The plan's id is recorded as such (the planning attempt's id), and the messages carry it.
    expect(item?.plan_id).toBe(item?.attempt_id);
    expect(env.queue.sent.map((m) => [m.phase, m.part, m.planId])).toEqual(Array.from({ length: item?.parts ?? 0 }, (_, k) => ['scan', k, item?.plan_id]));
    expect(env.objects.read(stagingKeys(INGESTION_ID).plan)).toBeDefined();
  });

  it('processes a file below the threshold whole, as before', async () => {
    // Act
    const env = await planned(TEXT, { thresholdBytes: 10_000 });
    // Assess
    expect(env.result).toMatchObject({ kind: 'done', outcome: { status: 'PARTIAL', rows: 12 } });
    expect(env.queue.sent).toEqual([]);
  });

  it('reads a file that makes a single part whole, leaving no phase and no staging objects', async () => {
    // Act
    const env = await planned(TEXT, { chunkBytes: 10_000 });
    // Assess
    expect(env.result).toMatchObject({ kind: 'done', outcome: { status: 'PARTIAL' } });
    expect(env.item()?.phase).toBeUndefined();
    expect(env.objects.keysUnder('staging/')).toEqual([]);
  });

  it('rejects a file whose header is unusable by its plan, exactly as a whole read, planning nothing', async () => {
    // Prepare
    const text = TEXT.replace('quantity', 'qty_x');
    const report = await validateFile(Readable.from([Buffer.from(text)]));
    // Act
    const env = await planned(text);
    // Assess
    expect(env.result).toMatchObject({ kind: 'done', outcome: { status: 'FAILED', reason: report.reason, rows: 0 } });
    expect(env.queue.sent).toEqual([]);
  });

  it('decompresses a gzip file into staging, its parts reading that copy, and keeps its fingerprint as when it is read whole', async () => {
    // Prepare
    const gz = gzipSync(Buffer.from(TEXT));
    const env = await planned(gz, { key: 'raw-data/orders.csv.gz' });
    // Act
    await deliverAll(env.queue, env.ports);
    // Assess
    expect(env.item()).toMatchObject({ status: 'PARTIAL', rows: 12, rejected: 2, fingerprint: fingerprintOf(gz) });
    expect(env.item()?.parts).toBeGreaterThan(3);
  });

  it.each([
    ['whole, then split', Number.MAX_SAFE_INTEGER, 1],
    ['split, then whole', 1, Number.MAX_SAFE_INTEGER],
  ])('recognises the same bytes %s as a DUPLICATE: one fingerprint per content, whichever path reads it', async (_order, firstThreshold, secondThreshold) => {
    // Prepare: one ledger for both uploads
    const first = partsPorts(TEXT, { thresholdBytes: firstThreshold, chunkBytes: 64 });
    const second = partsPorts(TEXT, { thresholdBytes: secondThreshold, chunkBytes: 64, key: 'raw-data/copy.csv' });
    const secondPorts = { ...second.ports, ledger: first.ledger };
    // Act
    await processFile(first.ref, first.ports);
    await deliverAll(first.queue, first.ports);
    await processFile(second.ref, secondPorts);
    await deliverAll(second.queue, secondPorts);
    // Assess
    const split = firstThreshold === 1 ? first : second;
    expect(first.ledger.item(split.ref)?.parts).toBeGreaterThan(1);
    expect(first.ledger.item(first.ref)).toMatchObject({ status: 'PARTIAL', fingerprint: fingerprintOf(Buffer.from(TEXT)) });
    expect(first.ledger.item(second.ref)).toMatchObject({ status: 'DUPLICATE', duplicate_of: first.ledger.item(first.ref)?.pk });
  });

  it('plans a gzip file below the threshold that inflates past it, with the outcome of a whole read', async () => {
    // Prepare: compressed, the file is far below the threshold; inflated, far above it
    const text = `${HEADER}\n${Array.from({ length: 400 }, (_, i) => `G-${i + 1},Ann,Pen,1,2`).join('\n')}\n`;
    const gz = gzipSync(Buffer.from(text));
    const whole = await validateFile(Readable.from([Buffer.from(text)]));
    // Act
    const env = await planned(gz, { key: 'raw-data/orders.csv.gz', thresholdBytes: gz.length + 1, chunkBytes: 1024 });
    await deliverAll(env.queue, env.ports);
    // Assess
    expect(gz.length).toBeLessThan(text.length / 4);
    expect(env.result).toMatchObject({ kind: 'planned' });
    expect(env.item()).toMatchObject({ status: 'PROCESSED', rows: whole.rows, written: whole.valid, fingerprint: fingerprintOf(gz) });
    expect(env.item()?.parts).toBeGreaterThan(3);
    // The original is opened twice (pass 1, stopped at the threshold; decompressing it), then copied.
    expect(env.objects.opened.filter((key) => key === 'raw-data/orders.csv.gz')).toHaveLength(2);
  });

  it('reads a gzip file below the threshold whole when it also stays below it inflated', async () => {
    // Prepare
    const gz = gzipSync(Buffer.from(TEXT));
    // Act
    const env = await planned(gz, { key: 'raw-data/orders.csv.gz', thresholdBytes: TEXT.length + 1 });
    // Assess
    expect(env.result).toMatchObject({ kind: 'done', outcome: { status: 'PARTIAL', rows: 12 } });
    expect(env.queue.sent).toEqual([]);
  });

  it('hands a gzip file that is not valid gzip back to the whole-file path, for its exact verdict', async () => {
    // Prepare
    const broken = Buffer.concat([gzipSync(Buffer.from(TEXT)).subarray(0, 12), Buffer.alloc(200, 0x41)]);
    const report = await validateFile(Readable.from([broken]));
    // Act
    const env = await planned(broken, { key: 'raw-data/orders.csv.gz' });
    // Assess
    expect(env.result).toMatchObject({ kind: 'done', outcome: { status: 'FAILED', reason: report.reason } });
    expect(env.item()?.phase).toBeUndefined();
    expect(env.objects.keysUnder('staging/')).toEqual([]);
  });

  it('resends the scan messages of a plan whose sender stopped, when the ingest message comes back', async () => {
    // Prepare
    const env = partsPorts(TEXT, { chunkBytes: 64 });
    env.queue.failWith = new Error('SQS is unavailable');
    await expect(processFile(env.ref, env.ports)).rejects.toThrow('SQS is unavailable');
    env.queue.failWith = null;
    // Act
    const again = await processFile(env.ref, env.ports);
    // Assess
    expect(again).toMatchObject({ kind: 'skipped' });
    const item = env.ledger.item(env.ref);
    expect(env.queue.sent).toHaveLength(item?.parts ?? -1);
    expect(item).toMatchObject({ phase: 'SCAN', sent_phase: 'SCAN', attempts: 1 });
  });

  it('retries an ingest message back early, while the scan messages it was sending may still go out', async () => {
    // Prepare: the planner entered SCAN, and died before it recorded its messages sent
    const env = await planned();
    const item = env.ledger.items.get(env.item()?.pk ?? '');
    if (item) delete item.sent_phase;
    // Act
    const again = processFile(env.ref, env.ports);
    // Assess
    await expect(again).rejects.toThrow(FileBusyError);
  });

  it('plans again, under a new plan id, a file whose planner stopped before its parts were sent', async () => {
    // Prepare: storing the plan fails, so the planner stops in PLAN
    const env = partsPorts(TEXT, { chunkBytes: 64 });
    const putText = env.objects.putText.bind(env.objects);
    env.objects.putText = async () => {
      throw new Error('S3 is unavailable');
    };
    await expect(processFile(env.ref, env.ports)).rejects.toThrow('S3 is unavailable');
    const stopped = structuredClone(env.ledger.item(env.ref));
    env.objects.putText = putText;
    // Act
    const again = await processFile(env.ref, env.ports);
    // Assess
    expect(stopped).toMatchObject({ phase: 'PLAN', attempt_id: 'attempt-1', lease_expires_at: 0 });
    expect(again).toMatchObject({ kind: 'planned' });
    expect(env.ledger.item(env.ref)).toMatchObject({ phase: 'SCAN', attempt_id: 'attempt-2', attempts: 2 });
    expect(new Set(env.queue.sent.map((m) => m.planId))).toEqual(new Set(['attempt-2']));
  });

  it('ignores a redelivered ingest message of a file its parts carry on', async () => {
    // Prepare
    const env = await planned();
    const sent = env.queue.sent.length;
    // Act
    const again = await processFile(env.ref, env.ports);
    // Assess
    expect(again).toEqual({ kind: 'skipped', reason: 'in parts (SCAN)' });
    expect(env.queue.sent).toHaveLength(sent);
  });
});

describe('handlePart', () => {
  it('scans every part, lets the last one decide and send the write messages, then the last write concludes', async () => {
    // Prepare
    const env = await planned();
    const parts = env.item()?.parts ?? 0;
    // Act
    const scans = await Promise.all(env.queue.take().map((m) => handlePart(m, 1, env.ports)));
    const afterScan = structuredClone(env.item());
    const writes = await deliverAll(env.queue, env.ports);
    // Assess
    expect(scans.filter((s) => s === 'decided')).toHaveLength(1);
    expect(scans.filter((s) => s === 'scanned')).toHaveLength(parts - 1);
    expect(afterScan).toMatchObject({ phase: 'WRITE', sent_phase: 'WRITE', planned: { rows: 12, valid: 10, rejected: 2, blank: 0 } });
    expect(writes.filter((s) => s === 'concluded')).toHaveLength(1);
    expect(env.item()).toMatchObject({ status: 'PARTIAL', rows: 12, written: 10, rejected: 2, parts_done: parts });
    expect(env.alerts.sent).toHaveLength(1);
    expect(env.metrics.sum('FilesPartial')).toBe(1);
  });

  it('names the first line of an order_id repeated in a later part, as one read does', async () => {
    // Prepare
    const env = await planned();
    // Act
    await deliverAll(env.queue, env.ports);
    // Assess
    const report = env.objects.read(env.item()?.errors_key ?? '')?.toString() ?? '';
    expect(report).toContain('12,O-1,order_id,"duplicate order_id ""O-1"": first seen on line 2');
  });

  it('counts a part once when its message is delivered twice', async () => {
    // Prepare
    const env = await planned();
    const message = byPart(env.queue.take(), 1);
    // Act
    const first = await handlePart(message, 1, env.ports);
    const opens = env.objects.opens;
    const second = await handlePart(message, 1, env.ports);
    // Assess
    expect([first, second]).toEqual(['scanned', 'scanned']);
    expect(env.objects.opens).toBe(opens);
    expect([...(env.item()?.parts_scanned ?? [])]).toEqual([1]);
  });

  it('drops a message of a superseded plan', async () => {
    // Prepare
    const env = await planned();
    const message = { ...byPart(env.queue.take(), 0), planId: 'an-older-plan' };
    // Act
    const step = await handlePart(message, 1, env.ports);
    // Assess
    expect(step).toBe('dropped');
    expect(env.item()?.parts_scanned).toBeUndefined();
  });

  it('drops a message of a file already final, clearing the staging objects its conclusion left', async () => {
    // Prepare
    const env = await planned();
    const message = byPart(env.queue.sent, 0);
    await deliverAll(env.queue, env.ports);
    env.objects.bytes.set(`${stagingKeys(INGESTION_ID).prefix}left-over.json`, '{}');
    // Act
    const step = await handlePart(message, 1, env.ports);
    // Assess
    expect(step).toBe('dropped');
    expect(env.objects.keysUnder('staging/')).toEqual([]);
  });

  it('fails a message of a file still being planned as busy, so it is retried', async () => {
    // Prepare
    const env = await planned();
    const message = byPart(env.queue.take(), 0);
    const item = env.ledger.items.get(env.item()?.pk ?? '');
    if (item) item.phase = 'PLAN';
    // Act
    const handling = handlePart(message, 1, env.ports);
    // Assess
    await expect(handling).rejects.toThrow(FileBusyError);
  });

  it('takes DECIDE over from an invocation that stopped, once its lease has expired', async () => {
    // Prepare: the last scanner claims DECIDE, then fails while it reads the digests
    const env = await planned();
    const messages = env.queue.take();
    const last = messages[messages.length - 1] as PartMessage;
    for (const m of messages.slice(0, -1)) await handlePart(m, 1, env.ports);
    const getText = env.objects.getText.bind(env.objects);
    env.objects.getText = async (bucket, key, range) => {
      if (key.includes('digest-')) throw new Error('S3 stopped answering');
      return getText(bucket, key, range);
    };
    await expect(handlePart(last, 1, env.ports)).rejects.toThrow('S3 stopped answering');
    env.objects.getText = getText;
    // Act
    const whileLive = handlePart(last, 2, env.ports);
    const other = await handlePart(messages[0] as PartMessage, 2, env.ports);
    const item = env.ledger.items.get(env.item()?.pk ?? '');
    if (item) item.lease_expires_at = env.ports.now().getTime() - 1;
    const takenOver = await handlePart(last, 3, env.ports);
    // Assess
    await expect(whileLive).rejects.toThrow(FileBusyError);
    expect(other).toBe('waiting');
    expect(takenOver).toBe('decided');
    expect(env.item()).toMatchObject({ phase: 'WRITE', lead_part: last.part, status: 'PROCESSING' });
  });

  it('has the decider resend the write messages it could not send, once its lease has expired', async () => {
    // Prepare: the last scanner decides, enters WRITE, and cannot send the write messages
    const env = await planned();
    const messages = env.queue.take();
    const last = messages[messages.length - 1] as PartMessage;
    for (const m of messages.slice(0, -1)) await handlePart(m, 1, env.ports);
    env.queue.failWith = new Error('SQS is unavailable');
    await expect(handlePart(last, 1, env.ports)).rejects.toThrow('SQS is unavailable');
    env.queue.failWith = null;
    // Act
    const early = handlePart(last, 2, env.ports);
    await expect(early).rejects.toThrow(FileBusyError);
    const item = env.ledger.items.get(env.item()?.pk ?? '');
    if (item) item.lease_expires_at = env.ports.now().getTime() - 1;
    const late = await handlePart(last, 3, env.ports);
    // Assess
    expect(late).toBe('dropped');
    expect(env.item()).toMatchObject({ phase: 'WRITE', sent_phase: 'WRITE' });
    expect(env.queue.sent.map((m) => m.phase)).toEqual(messages.map(() => 'write'));
  });

  it('writes a part whose message arrives before the decider has recorded all write messages sent', async () => {
    // Prepare: decided, write messages out, but not yet recorded sent (the decider is still sending)
    const env = await planned();
    for (const m of env.queue.take()) await handlePart(m, 1, env.ports);
    const item = env.ledger.items.get(env.item()?.pk ?? '');
    if (!item) throw new Error('no item');
    delete item.sent_phase;
    item.lease_expires_at = env.ports.now().getTime() + 60_000;
    const write = byPart(env.queue.take(), item.lead_part ?? -1);
    // Act
    const step = await handlePart(write, 1, env.ports);
    // Assess
    expect(step).toBe('written');
    expect([...(env.item()?.parts_written ?? [])]).toEqual([write.part]);
  });

  it('fails the file once, with one alert, when a part fails on its last receive', async () => {
    // Prepare
    const env = await planned();
    const [a, b] = [byPart(env.queue.sent, 1), byPart(env.queue.sent, 2)];
    const broken: ReadOrders = async function* () {
      yield* [];
      throw new Error('the part cannot be read');
    };
    const ports = { ...env.ports, readOrders: broken };
    // Act
    await expect(handlePart(a, 2, ports)).rejects.toThrow('the part cannot be read');
    const notYet = env.item()?.status;
    await expect(handlePart(a, 3, ports)).rejects.toThrow('the part cannot be read');
    const later = await handlePart(b, 3, ports);
    // Assess
    expect(later).toBe('dropped');
    expect(notYet).toBe('PROCESSING');
    expect(env.item()).toMatchObject({ status: 'FAILED', rows: 0, written: 0, rejected: 0 });
    expect(env.item()?.reason).toBe(`part 2 of ${a.parts} failed to scan 3 time(s), the last with Error: the part cannot be read; nothing was loaded`);
    expect(env.alerts.sent.map((x) => x.subject)).toEqual(['[order-pipeline test] FAILED: orders.csv (file rejected, nothing written)']);
    expect(env.metrics.sum('FilesFailed')).toBe(1);
  });

  it('fails the file before the deadline when a part is still running on its last receive', async () => {
    // Prepare
    const env = await planned();
    const part = byPart(env.queue.sent, 1);
    const slow: ReadOrders = async function* () {
      await new Promise((resolve) => setTimeout(resolve, 300));
      yield* [];
      throw new Error('killed by the timeout');
    };
    const ports = { ...env.ports, readOrders: slow };
    // Act
    const handled = handlePart(part, 3, ports, { deadlineMs: 20 });
    await new Promise((resolve) => setTimeout(resolve, 150));
    const beforeTheEnd = env.item()?.status;
    await expect(handled).rejects.toThrow('killed by the timeout');
    // Assess
    expect(beforeTheEnd).toBe('FAILED');
    expect(env.item()?.reason).toMatch(/^part 2 of \d+ failed to scan 3 time\(s\), the last with DeadlineError: the part did not finish within the function's time/);
    expect(env.alerts.sent).toHaveLength(1);
    expect(env.metrics.sum('FilesFailed')).toBe(1);
  });

  it('stops a part still writing at the deadline of its last receive, and counts what it wrote', async () => {
    // Prepare: 60 orders in parts of about 600 bytes, scanned and decided; every put takes 5 ms
    const text = `${HEADER}\n${Array.from({ length: 60 }, (_, i) => `W-${i + 1},Ann,Pen,1,2`).join('\n')}\n`;
    const env = await planned(text, { chunkBytes: 600 });
    const writes: PartMessage[] = [];
    for (let messages = env.queue.take(); messages.length > 0; messages = env.queue.take()) {
      for (const m of messages) if (m.phase === 'write') writes.push(m);
      for (const m of messages) if (m.phase === 'scan') await handlePart(m, 1, env.ports);
    }
    expect(env.item()?.phase).toBe('WRITE');
    expect(writes.length).toBeGreaterThanOrEqual(2);
    const sinks: MemoryOrders[] = [];
    const slowWriter = () => {
      const sink = new MemoryOrders();
      const put = sink.put.bind(sink);
      sink.put = async (item) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return put(item);
      };
      sinks.push(sink);
      return sink;
    };
    // Act: part 1's write message on its last receive, with 20 ms left
    const handled = handlePart(byPart(writes, 0), 3, { ...env.ports, openOrderWriter: slowWriter }, { deadlineMs: 20 });
    // Assess: it stopped early; the file is FAILED with exactly the rows it upserted
    await expect(handled).rejects.toThrow(/the part did not finish within the function's time/);
    const wrote = sinks[0]?.items.length ?? 0;
    expect(wrote).toBeGreaterThan(0);
    expect(wrote).toBeLessThan(env.item()?.planned?.valid ?? 0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sinks[0]?.items.length).toBe(wrote);
    const item = env.item();
    expect(item).toMatchObject({ status: 'FAILED', written: wrote, rows: 60, rejected: 0, unloaded: 60 - wrote });
    expect(env.alerts.sent).toHaveLength(1);
  });

  it('sets no deadline before the last receive', async () => {
    // Prepare
    const env = await planned();
    const part = byPart(env.queue.sent, 1);
    const slow: ReadOrders = async function* () {
      await new Promise((resolve) => setTimeout(resolve, 100));
      yield* [];
      throw new Error('a fault');
    };
    // Act
    await expect(handlePart(part, 2, { ...env.ports, readOrders: slow }, { deadlineMs: 10 })).rejects.toThrow('a fault');
    // Assess
    expect(env.item()?.status).toBe('PROCESSING');
    expect(env.alerts.sent).toEqual([]);
  });

  it('writes nothing for the duplicate of a file already processed in parts', async () => {
    // Prepare
    const first = await planned();
    await deliverAll(first.queue, first.ports);
    const second = partsPorts(TEXT, { chunkBytes: 64, key: 'raw-data/again.csv' });
    second.ledger.content = first.ledger.content;
    // Act
    await processFile(second.ref, second.ports);
    await deliverAll(second.queue, second.ports);
    // Assess
    expect(second.ledger.item(second.ref)).toMatchObject({ status: 'DUPLICATE', rows: 12, written: 0, rejected: 12, parts_done: 0 });
    expect(second.orders.flatMap((o) => o.items)).toEqual([]);
    expect(second.objects.keysUnder('staging/')).toEqual([]);
  });
});
