import { describe, expect, it } from 'vitest';
import { fingerprintOf } from '../../../../functions/order-processor/pipeline/fingerprint.ts';
import { BUILT_IN_SCHEMA } from '../../../../functions/order-processor/contract/schema/built-in.ts';
import { compileSchemaJson } from '../../../../functions/order-processor/contract/schema/load.ts';
import { processFile } from '../../../../functions/order-processor/pipeline/process-file.ts';
import type { ReadOrders } from '../../../../functions/order-processor/pipeline/ports.ts';
import type { LedgerItem } from '../../../../functions/order-processor/ledger-item.ts';
import { partsPorts } from './parts/fixtures.ts';
import { blank, INGESTION_ID, memoryPorts, objectRef, rejected, scriptedReader, valid } from './ports.ts';

const TEXT = 'order_id,quantity\nA-1,1\n';
const sha = fingerprintOf(Buffer.from(TEXT));

describe('processFile', () => {
  it('runs claim, scan, decide, write and conclude over two reads of the same object', async () => {
    // Prepare
    const ref = objectRef();
    const env = memoryPorts(ref, TEXT);
    const pass = [valid('A-1', 2), blank(3), valid('A-2', 4)];
    const reader = scriptedReader(pass, pass);
    // Act
    const result = await processFile(ref, { ...env.ports, readOrders: reader, contract: { gzip: false } });
    // Assess
    expect(result.kind).toBe('done');
    if (result.kind !== 'done') return;
    expect(result.outcome).toMatchObject({ status: 'PROCESSED', rows: 2, written: 2, rejected: 0, blank: 1 });
    expect(env.objects.opens).toBe(2);
    expect(reader.contexts).toHaveLength(2);
    expect(reader.contexts[0]).toMatchObject({ sourceKey: ref.key, gzip: false, processedAt: '2026-11-21T23:59:59.000Z' });
    expect(env.orders.map((o) => o.items.length)).toEqual([2]);
    expect([...env.objects.uploads.keys()]).toEqual([result.keys.processed]);
    expect(env.ledger.content.get(sha)).toBe('file#bkt/raw-data/orders.csv#v1');
    expect(env.ledger.finished[0]?.outcome).toMatchObject({ status: 'PROCESSED', fingerprint: sha });
    // No order lines in the built-in schema: no stale lines to look for.
    expect(env.orderLines.calls).toEqual([]);
  });

  it('rejects a file by its name without reading it, with a one-line errors report', async () => {
    // Prepare
    const ref = objectRef({ key: 'raw-data/orders.xlsx' });
    const env = memoryPorts(ref, TEXT);
    // Act
    const result = await processFile(ref, env.ports);
    // Assess
    expect(result.kind === 'done' && result.outcome).toMatchObject({ status: 'FAILED', rows: 0 });
    expect(env.objects.opens).toBe(0);
    if (result.kind !== 'done') return;
    expect(env.objects.uploads.get(result.keys.errors)?.text).toMatch(/^line,order_id,column,reason\r\n1,,,"the file name ""orders\.xlsx"" does not end/);
    expect(env.objects.copies).toEqual([{ from: ref.key, to: result.keys.failed }]);
  });

  it('reads a file over 5 GiB like any other when files are not split', async () => {
    // Prepare
    const ref = objectRef({ size: 6 * 1024 ** 3 });
    const env = memoryPorts(ref, TEXT);
    // Act
    const result = await processFile(ref, env.ports);
    // Assess
    expect(result.kind === 'done' && result.outcome.status).toBe('PROCESSED');
    expect(env.objects.opens).toBe(2);
    expect(env.objects.copies).toEqual([{ from: ref.key, to: result.kind === 'done' ? result.keys.archive : '' }]);
  });

  it('plans a file of order lines in parts like any other above the threshold, cut between its orders', async () => {
    // Prepare: parts of 40 bytes; the schema numbers lines by position
    const text = ['order_id,customer_name,product_name,quantity,unit_price', 'O-1,Ann,Pen,1,1', 'O-1,Ann,Ink,1,1', 'O-1,Ann,Pad,1,1', 'O-2,Bob,Cup,1,1', 'O-2,Bob,Mug,1,1', ''].join('\n');
    const env = partsPorts(text, { chunkBytes: 40 });
    const schema = compileSchemaJson({ ...BUILT_IN_SCHEMA.spec, name: 'lines', lines: 'by-position' }, 'lines.json');
    // Act
    const result = await processFile(env.ref, { ...env.ports, contract: { schema } });
    // Assess: the nominal cut (byte 40, inside O-1's rows) moves to O-2's first row
    expect(result).toEqual({ kind: 'planned', parts: 2 });
    expect(env.queue.sent.map((m) => m.part)).toEqual([0, 1]);
    const plan = JSON.parse(env.objects.read(`staging/${env.ledger.item(env.ref)?.ingestion_id}/plan.json`)?.toString() ?? '{}') as { plan: { parts: { start: { line: number } }[] } };
    expect(plan.plan.parts.map((p) => p.start.line)).toEqual([1, 5]);
  });

  it('gives pass 2 the orders pass 1 found with a rejected line, and writes none of their lines', async () => {
    // Prepare: the reader of each pass as the contract gives it: pass 2 rejects O-1's valid lines
    const ref = objectRef();
    const env = memoryPorts(ref, TEXT);
    const schema = compileSchemaJson({ ...BUILT_IN_SCHEMA.spec, name: 'lines', lines: 'by-position' }, 'lines.json');
    const bad = rejected(3);
    if (bad.kind === 'rejected') bad.error.order_id = 'O-1';
    const demoted = (line: number) => rejected(line, 'order O-1 has a rejected line (line 3); an order is loaded only with all its lines');
    const reader = scriptedReader([valid('O-1', 2), bad, valid('O-2', 4)], [demoted(2), bad, valid('O-2', 4)]);
    // Act
    const result = await processFile(ref, { ...env.ports, readOrders: reader, contract: { schema } });
    // Assess
    expect(reader.contexts[0]?.rejectedOrders).toBeUndefined();
    expect(reader.contexts[1]?.rejectedOrders).toEqual(new Map([['O-1', 3]]));
    expect(result.kind === 'done' && result.outcome).toMatchObject({ status: 'PARTIAL', rows: 3, written: 1, rejected: 2, ordersWritten: 1, ordersRejected: 1 });
    expect(env.ledger.finished[0]?.outcome).toMatchObject({ orders_written: 1, orders_rejected: 1 });
    expect(env.metrics.sum('OrdersRejected')).toBe(1);
    expect(env.orders.flatMap((o) => o.items.map((i) => i.order_id))).toEqual(['O-2']);
    expect(env.orderLines.calls.map((c) => c.orderIds)).toEqual([['O-2']]);
  });

  it('counts orders apart from rows: an order of several lines is one order written', async () => {
    // Prepare: O-1 has two lines, O-2 one
    const ref = objectRef();
    const env = memoryPorts(ref, TEXT);
    const schema = compileSchemaJson({ ...BUILT_IN_SCHEMA.spec, name: 'lines', lines: 'by-position' }, 'lines.json');
    const pass = [valid('O-1', 2), valid('O-1', 3), valid('O-2', 4)];
    // Act
    const result = await processFile(ref, { ...env.ports, readOrders: scriptedReader(pass, pass), contract: { schema } });
    // Assess
    expect(result.kind === 'done' && result.outcome).toMatchObject({ status: 'PROCESSED', rows: 3, written: 3, ordersWritten: 2 });
    expect(env.ledger.finished[0]?.outcome).toMatchObject({ written: 3, orders_written: 2, orders_rejected: 0 });
    expect(env.metrics.sum('RowsWritten')).toBe(3);
    expect(env.metrics.sum('OrdersWritten')).toBe(2);
  });

  it('writes the report of a file whose every row is rejected, and nothing to the table', async () => {
    // Prepare
    const ref = objectRef();
    const env = memoryPorts(ref, TEXT);
    const pass = [rejected(2), rejected(3)];
    // Act
    const result = await processFile(ref, { ...env.ports, readOrders: scriptedReader(pass, pass) });
    // Assess
    expect(result.kind === 'done' && result.outcome).toMatchObject({ status: 'FAILED', rows: 2, written: 0, rejected: 2, reason: 'all 2 data rows were rejected' });
    expect(env.orders.flatMap((o) => o.items)).toEqual([]);
    expect(env.ledger.content.size).toBe(0);
  });

  it('writes nothing for a duplicate but its one-line report', async () => {
    // Prepare
    const ref = objectRef();
    const env = memoryPorts(ref, TEXT);
    env.ledger.content.set(sha, 'file#bkt/raw-data/first.csv#v0');
    // Act
    const result = await processFile(ref, env.ports);
    // Assess
    expect(result.kind === 'done' && result.outcome).toMatchObject({ status: 'DUPLICATE', rows: 1, rejected: 1, written: 0 });
    expect(env.orders).toEqual([]);
    expect(env.objects.opens).toBe(1);
    if (result.kind !== 'done') return;
    expect(env.objects.uploads.get(result.keys.errors)?.text).toContain('same content (sha256');
  });

  it('gives the content back and records FAILED when the object is gone before pass 2', async () => {
    // Prepare
    const ref = objectRef();
    const env = memoryPorts(ref, TEXT);
    env.objects.goneFromOpen = 2;
    // Act
    const result = await processFile(ref, env.ports);
    // Assess
    expect(result.kind === 'done' && result.outcome).toMatchObject({ status: 'FAILED', written: 0, unloaded: 0 });
    expect(result.kind === 'done' && result.outcome.reason).toMatch(/deleted while it was being processed, after it was read and before any row was written: nothing was loaded/);
    expect(env.ledger.releasedContent).toEqual([sha]);
    expect(env.orders).toEqual([]);
    expect(env.objects.copies).toEqual([]);
  });

  it('notes on the ledger, as the table confirms rows, the rows loaded so far and pass 1\'s counts', async () => {
    // Prepare: the claimed item, as the ledger holds it
    const ref = objectRef();
    const env = memoryPorts(ref, TEXT);
    const pk = 'file#bkt/raw-data/orders.csv#v1';
    env.ledger.items.set(pk, claimedItem(pk));
    const notes: number[] = [];
    const noteWholeLoaded = env.ledger.noteWholeLoaded.bind(env.ledger);
    env.ledger.noteWholeLoaded = async (key, rows, planned) => {
      notes.push(rows);
      await noteWholeLoaded(key, rows, planned);
    };
    const reader = scriptedReader([valid('A-1', 2), rejected(3), valid('A-3', 4)]);
    // Act
    await processFile(ref, { ...env.ports, readOrders: reader });
    // Assess: the first confirmation noted at once, with pass 1's counts (the next would wait NOTE_INTERVAL_MS; the file ended first)
    expect(notes).toEqual([1]);
    expect(env.ledger.items.get(pk)).toMatchObject({ parts_loaded: { '0': 1 }, planned: { rows: 3, valid: 2, rejected: 1, blank: 0 } });
  });

  it('counts the rows an earlier attempt noted as loaded when the version is gone before this attempt reads it: FAILED, at least those, nothing denied', async () => {
    // Prepare: an earlier attempt sent 40 of 90 valid rows, then stopped; the version is deleted
    const ref = objectRef();
    const env = memoryPorts(ref, TEXT);
    const pk = 'file#bkt/raw-data/orders.csv#v1';
    env.ledger.items.set(pk, { ...claimedItem(pk), parts_loaded: { '0': 40 }, planned: { rows: 100, valid: 90, rejected: 10, blank: 2 } });
    env.objects.goneFromOpen = 1;
    // Act
    const result = await processFile(ref, env.ports);
    // Assess
    const outcome = result.kind === 'done' ? result.outcome : null;
    expect(outcome).toMatchObject({ status: 'FAILED', rows: 100, written: 40, rejected: 10, unloaded: 50, blank: 2, original: null });
    expect(outcome?.reason).toBe(
      'the object version was deleted while it was being processed: an earlier attempt stopped after loading rows into the orders table, and this one could not read the file again; at least 40 rows are loaded in the orders table under ingestion_id 20261122T040512Z-1a2b3c4d (query it for the exact rows); at most 50 valid rows are not loaded',
    );
    expect(env.ledger.items.get(pk)).toMatchObject({ status: 'FAILED', written: 40, unloaded: 50 });
    expect(env.alerts.sent.map((a) => a.subject)).toEqual(['[order-pipeline test] FAILED: orders.csv (failed, 40 of 100 rows written)']);
  });

  it('still says nothing was loaded when the version is gone and no attempt sent a row', async () => {
    // Prepare
    const ref = objectRef();
    const env = memoryPorts(ref, TEXT);
    env.ledger.items.set('file#bkt/raw-data/orders.csv#v1', claimedItem('file#bkt/raw-data/orders.csv#v1'));
    env.objects.goneFromOpen = 1;
    // Act
    const result = await processFile(ref, env.ports);
    // Assess
    expect(result.kind === 'done' && result.outcome).toMatchObject({ status: 'FAILED', rows: 0, written: 0, unloaded: 0 });
    expect(result.kind === 'done' && result.outcome.reason).toMatch(/no longer exists \(deleted or overwritten before it was processed\)/);
  });

  it('releases the claim and the content, and rethrows, when pass 2 fails', async () => {
    // Prepare
    const ref = objectRef();
    const env = memoryPorts(ref, TEXT);
    const cut = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const reader = scriptedReader([valid('A-1', 2), valid('A-2', 3)], [valid('A-1', 2), cut]);
    // Act
    const processing = processFile(ref, { ...env.ports, readOrders: reader });
    // Assess
    await expect(processing).rejects.toBe(cut);
    expect(env.ledger.released).toEqual([{ pk: 'file#bkt/raw-data/orders.csv#v1', attemptId: 'attempt-1', reason: 'Error: socket hang up', content: sha }]);
    expect(env.ledger.finished).toEqual([]);
    expect([...env.objects.uploads.values()].every((u) => u.aborted && !u.finished)).toBe(true);
  });

  it('returns skipped for a redelivery of a file that already has a final outcome', async () => {
    // Prepare
    const ref = objectRef();
    const env = memoryPorts(ref, TEXT);
    env.ledger.claimAs = 'final';
    // Act
    const result = await processFile(ref, env.ports);
    // Assess
    expect(result).toEqual({ kind: 'skipped', reason: 'already PROCESSED' });
    expect(env.objects.opens).toBe(0);
  });

  it('processes the key as it exists in the bucket when the event carried it URL-encoded', async () => {
    // Prepare
    const stored = objectRef({ key: 'raw-data/my orders.csv' });
    const env = memoryPorts(stored, TEXT);
    env.objects.resolveKey = async () => stored;
    // Act
    const result = await processFile(objectRef({ key: 'raw-data/my+orders.csv' }), env.ports);
    // Assess
    expect(result.kind === 'done' && result.outcome.key).toBe('raw-data/my orders.csv');
    expect(env.log.keys.s3_key).toBe('raw-data/my orders.csv');
  });

  it('ends a file FAILED on its last receive when the function runs out of time mid-write, counting the rows written and alerting', async () => {
    // Prepare: pass 2 writes two rows, then waits (the guard's deadline passes meanwhile)
    const ref = objectRef();
    const env = memoryPorts(ref, TEXT);
    const rows = [valid('A-1', 2), valid('A-2', 3), valid('A-3', 4)];
    let pass = 0;
    const readOrders: ReadOrders = async function* () {
      pass++;
      for (const [i, event] of rows.entries()) {
        if (pass === 2 && i === 2) await new Promise((resolve) => setTimeout(resolve, 20));
        yield event;
      }
    };
    // Act
    const result = await processFile(ref, { ...env.ports, readOrders }, { receiveCount: 3, deadlineMs: 0 });
    // Assess
    expect(result.kind === 'done' && result.outcome).toMatchObject({ status: 'FAILED', rows: 3, written: 2, rejected: 0, unloaded: 1, original: null });
    expect(result.kind === 'done' && result.outcome.reason).toMatch(
      /^the file did not finish within the function's time \(0 s left when it started on its last receive\): raise LAMBDA_TIMEOUT_SECONDS or lower FANOUT_THRESHOLD_MB, then upload the file again; 2 rows are loaded in the orders table under ingestion_id \S+; the other 1 valid rows are not loaded$/,
    );
    expect(env.ledger.finished[0]?.outcome).toMatchObject({ status: 'FAILED', written: 2, unloaded: 1 });
    expect(env.alerts.sent.map((a) => a.subject)).toEqual([expect.stringContaining('orders.csv')]);
    expect(env.ledger.releasedContent).toEqual([sha]);
    expect(env.objects.copies).toEqual([]);
  });

  it('counts, when stopped on its last receive, the rows an earlier attempt sent beyond this one\'s', async () => {
    // Prepare: an earlier attempt sent 3 rows; this one writes 1, then the guard stops it
    const ref = objectRef();
    const env = memoryPorts(ref, TEXT);
    const pk = 'file#bkt/raw-data/orders.csv#v1';
    env.ledger.items.set(pk, { ...claimedItem(pk), parts_loaded: { '0': 3 }, planned: { rows: 4, valid: 4, rejected: 0, blank: 0 } });
    const rows = [valid('A-1', 2), valid('A-2', 3), valid('A-3', 4), valid('A-4', 5)];
    let pass = 0;
    const readOrders: ReadOrders = async function* () {
      pass++;
      for (const [i, event] of rows.entries()) {
        if (pass === 2 && i === 1) await new Promise((resolve) => setTimeout(resolve, 20));
        yield event;
      }
    };
    // Act
    const result = await processFile(ref, { ...env.ports, readOrders }, { receiveCount: 3, deadlineMs: 0 });
    // Assess
    expect(result.kind === 'done' && result.outcome).toMatchObject({ status: 'FAILED', rows: 4, written: 3, rejected: 0, unloaded: 1 });
  });

  it('lets a slow file run on before its last receive (a retry follows)', async () => {
    // Prepare
    const ref = objectRef();
    const env = memoryPorts(ref, TEXT);
    // Act
    const result = await processFile(ref, env.ports, { receiveCount: 2, deadlineMs: 0 });
    // Assess
    expect(result.kind === 'done' && result.outcome.status).toBe('PROCESSED');
  });
});

/** The file's item as the claim leaves it (the memory ledger's claim does not store one). */
function claimedItem(pk: string): LedgerItem {
  return {
    pk,
    status: 'PROCESSING',
    attempt_id: 'attempt-1',
    ingestion_id: INGESTION_ID,
    bucket: 'bkt',
    key: 'raw-data/orders.csv',
    version_id: 'v1',
    etag: 'e',
    size: 10,
    ingest_day: '2026-11-21',
    started_at: '2026-11-21T23:59:59.000Z',
  };
}
