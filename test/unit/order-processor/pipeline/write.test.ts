import { describe, expect, it } from 'vitest';
import { mapHeader } from '../../../../functions/order-processor/contract/headers.ts';
import { readOrders } from '../../../../functions/order-processor/contract/reader.ts';
import { BUILT_IN_SCHEMA } from '../../../../functions/order-processor/contract/schema/built-in.ts';
import { compileSchema } from '../../../../functions/order-processor/contract/schema/compile.ts';
import { FileRejectedError, type FileCounts } from '../../../../functions/order-processor/contract/types.ts';
import { cleanedRowLine } from '../../../../functions/order-processor/reports/csv-output.ts';
import { ConservationError } from '../../../../functions/order-processor/pipeline/errors.ts';
import { toItem, writeRejectionReport, writeRows, writeTargets, type WriteTargets } from '../../../../functions/order-processor/pipeline/write.ts';
import { attempt, blank, body, MemoryOrders, MemorySink, memoryPorts, order, rejected, scriptedReader, valid } from './ports.ts';

const ctx = attempt().contract;
/** The built-in schema keeping unknown columns (docs/csv-format.md "Unknown columns"). */
const KEEP = compileSchema({ ...BUILT_IN_SCHEMA.spec, unknownColumns: 'keep' });
const counts = (valid: number, rejected: number, blank = 0): FileCounts => ({ rows: valid + rejected, valid, rejected, blank });

function targets(): WriteTargets & { orders: MemoryOrders; cleaned: MemorySink; report: MemorySink } {
  return { orders: new MemoryOrders(), cleaned: new MemorySink(), report: new MemorySink() };
}

describe('writeTargets', () => {
  it('opens a cleaned CSV only for valid rows and a report only for rejected ones', () => {
    // Prepare
    const { ports, objects } = memoryPorts();
    const keys = { cleaned: 'processed-data/a.csv', errors: 'failed-data/b.errors.csv' };
    // Act
    const onlyValid = writeTargets('bucket', keys, counts(2, 0), ports);
    const onlyRejected = writeTargets('bucket', keys, counts(0, 2), ports);
    // Assess
    expect(onlyValid.cleaned).not.toBeNull();
    expect(onlyValid.report).toBeNull();
    expect(onlyRejected.cleaned).toBeNull();
    expect(onlyRejected.report).not.toBeNull();
    expect([...objects.uploads.keys()]).toEqual([keys.cleaned, keys.errors]);
  });
});

describe('writeRows', () => {
  it('writes valid rows to the table and the cleaned CSV, rejected rows to the report, in file order', async () => {
    // Prepare
    const to = targets();
    const reader = scriptedReader([valid('A-1', 2), rejected(3), blank(4), valid('A-2', 5)]);
    const input = body();
    // Act
    const result = await writeRows(input, ctx, counts(2, 1, 1), to, reader);
    // Assess
    expect(result).toEqual({
      counts: counts(2, 1, 1),
      written: 2,
      firstErrors: [{ line: 3, order_id: 'R-3', column: 'quantity', reason: 'quantity "x" is not a whole number' }],
      cleanedBytes: Buffer.byteLength(to.cleaned.text),
      errorsBytes: Buffer.byteLength(to.report.text),
    });
    expect(to.orders.items.map((i) => i.order_id)).toEqual(['A-1', 'A-2']);
    expect(to.cleaned.text.split('\r\n').map((l) => l.split(',')[0])).toEqual(['order_id', 'A-1', 'A-2', '']);
    expect(to.report.text).toBe('line,order_id,column,reason\r\n3,R-3,quantity,"quantity ""x"" is not a whole number"\r\n');
    expect(to.cleaned.finished && to.report.finished).toBe(true);
    expect(input.destroyed).toBe(true);
  });

  it('sends the cleaned CSV in chunks of many lines, with the same text and an exact byte count', async () => {
    // Prepare: 3,000 valid rows (one with a multi-byte name), a sink that counts its writes
    const events = Array.from({ length: 3000 }, (_, i) => valid(`A-${i + 1}`, i + 2));
    events[7] = { kind: 'valid', line: 9, order: { ...order('A-8', 9), customer_name: 'Chloé Ünal' } };
    const to = targets();
    const writes: string[] = [];
    const cleaned = { write: async (text: string) => void writes.push(text), finish: async () => undefined, abort: async () => undefined };
    // Act
    const result = await writeRows(body(), ctx, counts(3000, 0), { ...to, cleaned, report: null }, scriptedReader(events));
    // Assess
    const text = writes.join('');
    expect(text.split('\r\n')).toHaveLength(3002);
    expect(writes.length).toBeGreaterThan(1);
    expect(writes.length).toBeLessThan(100);
    expect(result.cleanedBytes).toBe(Buffer.byteLength(text));
    expect(to.orders.items).toHaveLength(3000);
  });

  it('writes slices without header lines when asked, counting their bytes', async () => {
    // Prepare
    const to = targets();
    const reader = scriptedReader([valid('A-1', 7), rejected(8)]);
    // Act
    const result = await writeRows(body(), ctx, counts(1, 1), to, reader, { headerLines: false });
    // Assess
    expect(to.cleaned.text.startsWith('A-1,')).toBe(true);
    expect(to.report.text).toBe('8,R-8,quantity,"quantity ""x"" is not a whole number"\r\n');
    expect(result).toMatchObject({ cleanedBytes: Buffer.byteLength(to.cleaned.text), errorsBytes: 55 });
  });

  it('carries the unknown columns a keep schema keeps in the cleaned CSV: header from the file, values in every row', async () => {
    // Prepare
    const to = targets();
    const csv = 'order_id,customer_name,product_name,quantity,unit_price,Sales Channel,Notes\nA-1,Ann,Pen,2,1.50,web," fragile, ""top"" "\nA-2,Bob,Ink,1,3,,\n';
    // Act
    await writeRows(body(csv), { ...ctx, schema: KEEP }, counts(2, 0), to, readOrders);
    // Assess
    const [header, first, second] = to.cleaned.text.split('\r\n');
    expect(header).toBe('order_id,line,customer_id,customer_name,customer_email,product_sku,product_name,quantity,unit_price,currency,order_date,sales_channel,notes,total_amount,source_key,source_line,ingestion_id,processed_at');
    expect(first).toMatch(/^A-1,1,,Ann,,,Pen,2,1\.5,USD,,web,"fragile, ""top""",3,/);
    expect(second).toMatch(/^A-2,1,,Bob,,,Ink,1,3,USD,,,,3,/);
    expect(to.orders.items[0]).toMatchObject({ sales_channel: 'web', notes: 'fragile, "top"' });
  });

  it('writes a part\'s slice under its file\'s header (the part has no header event): the same kept columns, no header line', async () => {
    // Prepare
    const header = mapHeader(['order_id', 'customer_name', 'product_name', 'quantity', 'unit_price', 'Channel'], KEEP);
    const part = { start: { offset: 60, line: 3 }, end: 80, next: null, header, headerLine: 1, first: false };
    const row = { ...order('A-3', 3), channel: 'phone' };
    const to = targets();
    // Act
    await writeRows(body(), { ...ctx, schema: KEEP, part }, counts(1, 0), to, scriptedReader([{ kind: 'valid', line: 3, order: row }]), { headerLines: false });
    // Assess
    expect(to.cleaned.text).toBe(cleanedRowLine(row, KEEP.cleanedColumns(header)));
    expect(to.cleaned.text).toContain(',phone,');
  });

  it('fails with ConservationError, aborting the uploads, when pass 2 counts differ from pass 1', async () => {
    // Prepare
    const to = targets();
    // Act
    const writing = writeRows(body(), ctx, counts(2, 1), to, scriptedReader([valid('A-1', 2), rejected(3)]));
    // Assess
    await expect(writing).rejects.toThrow(ConservationError);
    await expect(writing).rejects.toThrow(/row counts differ between passes/);
    expect(to.cleaned.aborted && to.report.aborted).toBe(true);
    expect(to.cleaned.finished || to.report.finished).toBe(false);
  });

  it('fails with ConservationError when the table confirms fewer writes than valid rows', async () => {
    // Prepare
    const to = targets();
    to.orders.lose = 1;
    // Act
    const writing = writeRows(body(), ctx, counts(2, 0), to, scriptedReader([valid('A-1', 2), valid('A-2', 3)]));
    // Assess
    await expect(writing).rejects.toThrow('2 valid rows but DynamoDB confirmed 1 writes');
  });

  it('fails with ConservationError when pass 2 finds a valid row pass 1 did not', async () => {
    // Prepare
    const to = { ...targets(), cleaned: null };
    // Act
    const writing = writeRows(body(), ctx, counts(0, 1), to, scriptedReader([valid('A-1', 2)]));
    // Assess
    await expect(writing).rejects.toThrow('a row was valid in pass 2 but no row was valid in pass 1');
    expect(to.orders.items).toEqual([]);
  });

  it('turns a file-level rejection in pass 2 into a ConservationError (pass 1 accepted the file)', async () => {
    // Prepare
    const to = targets();
    // Act
    const writing = writeRows(body(), ctx, counts(1, 0), to, scriptedReader([valid('A-1', 2), new FileRejectedError('line 3 is not UTF-8', 3)]));
    // Assess
    await expect(writing).rejects.toThrow('the file was accepted in pass 1 but rejected in pass 2: line 3 is not UTF-8');
  });

  it('rethrows a fault of the byte stream after aborting the uploads, so no half-written CSV remains', async () => {
    // Prepare
    const to = targets();
    const cut = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    // Act
    const writing = writeRows(body(), ctx, counts(2, 0), to, scriptedReader([valid('A-1', 2), cut]));
    // Assess
    await expect(writing).rejects.toBe(cut);
    expect(to.cleaned.aborted).toBe(true);
    expect(to.cleaned.finished).toBe(false);
  });
});

describe('writeRejectionReport', () => {
  it('writes the header and one line naming the file-level reason', async () => {
    // Prepare
    const report = new MemorySink();
    // Act
    await writeRejectionReport({ line: 1, order_id: null, column: null, reason: 'the file is empty' }, report);
    // Assess
    expect(report.text).toBe('line,order_id,column,reason\r\n1,,,the file is empty\r\n');
    expect(report.finished).toBe(true);
  });

  it('aborts the report when writing it fails', async () => {
    // Prepare
    const report = new MemorySink(0);
    // Act
    const writing = writeRejectionReport({ line: 1, order_id: null, column: null, reason: 'x' }, report);
    // Assess
    await expect(writing).rejects.toThrow('upload failed');
    expect(report.aborted).toBe(true);
  });
});

describe('toItem', () => {
  it('omits absent optional attributes', () => {
    // Act
    const item = toItem({ ...order('A-1', 2), customer_name: '', customer_email: undefined });
    // Assess
    expect(item).not.toHaveProperty('customer_name');
    expect(item).not.toHaveProperty('customer_email');
    expect(item).toMatchObject({ order_id: 'A-1', quantity: 1 });
  });
});
