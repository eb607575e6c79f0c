/**
 * The processor against moto, by outcome: what a valid, partial, rejected, empty, oversized or
 * compressed file becomes in the orders table, the S3 prefixes, the ledger, the alerts and the
 * metrics.
 */
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_SCHEMA } from '../../../functions/order-processor/contract/schema/built-in.ts';
import { limitsFromEnv } from '../../../functions/order-processor/contract/limits.ts';
import { readOrders } from '../../../functions/order-processor/contract/reader.ts';
import { validateFile } from '../../../functions/order-processor/contract/summary.ts';
import { resetHandlerState } from '../../../functions/order-processor/handler.ts';
import {
  BUCKET,
  bytes,
  emfDocs,
  expectConservation,
  HEADER,
  keysUnder,
  ledgerItem,
  logLines,
  metricSum,
  objectCreatedBody,
  orders,
  putRaw,
  receiveAlerts,
  run,
  sqsEvent,
  text,
  useProcessorEnvironment,
  validCsv,
} from './setup.ts';

useProcessorEnvironment();

describe('handler outcomes', () => {
  it('writes a cleaned CSV that the contract reads back to exactly the orders in the table', async () => {
    // Prepare: values at the length limits that start like formulas, quotes, commas, a quoted line break
    const name = `=${'n'.repeat(255)}`;
    // 254 characters and plausible: a 64-character local part, domain labels under 64.
    const email = `-${'e'.repeat(63)}@${'d'.repeat(61)}.${'d'.repeat(61)}.${'d'.repeat(61)}.com`;
    const csv = [
      'order_id,customer_name,customer_email,product_name,quantity,unit_price',
      `RB-1,"${name}",${email},"+cmd, ""quoted""",1,1.50`,
      'RB-2,@Bob,,"Pen',
      'blue; navy",2,0.10',
      '-7,Cy,cy@example.com,Pad,3,2.00',
    ].join('\r\n');
    const obj = await putRaw('raw-data/read-back.csv', csv);
    // Act
    const response = await run(sqsEvent(objectCreatedBody(obj)));
    const item = await ledgerItem(obj);
    const cleaned = await text(item?.processed_key ?? '');
    const reread = [];
    for await (const event of readOrders(Readable.from([Buffer.from(cleaned)]), { sourceKey: item?.processed_key ?? '', ingestionId: 'read-back', processedAt: new Date().toISOString(), now: new Date() })) {
      reread.push(event);
    }
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(item).toMatchObject({ status: 'PROCESSED', rows: 3, written: 3 });
    expect(reread.filter((e) => e.kind !== 'header' && e.kind !== 'valid')).toEqual([]);
    const ids = ['RB-1', 'RB-2', '-7'];
    const table = await orders(ids);
    const columns = BUILT_IN_SCHEMA.columnNames;
    const fromTable = ids.map((id) => columns.map((c) => table.find((o) => o.order_id === id)?.[c] ?? null));
    const fromCleaned = reread.flatMap((e) => (e.kind === 'valid' ? [columns.map((c) => e.order[c] ?? null)] : []));
    expect(fromCleaned).toEqual(fromTable);
    expect(fromCleaned[0]?.slice(0, 4)).toEqual(['RB-1', null, name, email]);
    expect(fromCleaned[1]?.[5]).toBe('Pen\r\nblue; navy');
  });

  it('processes a valid file: orders written, cleaned CSV, archive, ledger, metrics, no alert', async () => {
    // Prepare
    const obj = await putRaw('raw-data/valid/orders-valid.csv', validCsv('V', 60));
    // Act
    const response = await run(sqsEvent(objectCreatedBody(obj)));
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const item = await ledgerItem(obj);
    expect(item).toMatchObject({ status: 'PROCESSED', rows: 60, written: 60, rejected: 0, blank: 0, version_id: obj.versionId, etag: obj.etag, size: obj.size });
    expectConservation(item);
    expect(item?.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(item?.ingest_day).toBe(item?.started_at.slice(0, 10));
    const stored = await orders(Array.from({ length: 60 }, (_, i) => `V-${i + 1}`));
    expect(stored).toHaveLength(60);
    expect(stored.find((o) => o.order_id === 'V-2')).toMatchObject({
      customer_name: 'Customer 2',
      quantity: 2,
      unit_price: 1.5,
      total_amount: 3,
      currency: 'USD',
      source_key: obj.key,
      source_line: 3,
      ingestion_id: item?.ingestion_id,
    });
    expect(await keysUnder('raw-data/valid/')).toEqual([]);
    expect(await keysUnder('archive/')).toContain(item?.archive_key);
    expect(item?.archive_key).toMatch(/^archive\/\d{4}\/\d{2}\/\d{2}\/valid\/orders-valid\..+\.csv$/);
    expect(await text(item?.archive_key ?? '')).toBe(validCsv('V', 60));
    const cleaned = (await text(item?.processed_key ?? '')).trimEnd().split('\r\n');
    expect(item?.processed_key).toMatch(/^processed-data\/\d{4}\/\d{2}\/\d{2}\/valid\/orders-valid\..+\.csv$/);
    expect(cleaned).toHaveLength(61);
    expect(cleaned[0]).toMatch(/^order_id,line,customer_id,customer_name,/);
    expect(await receiveAlerts()).toEqual([]);
    const emf = emfDocs();
    expect(emf.length).toBeGreaterThan(0);
    expect(emf[0]?._aws.CloudWatchMetrics[0]?.Namespace).toBe('OrderPipeline');
    expect(emf[0]?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service']]);
    expect(emf[0]?.service).toBe('order-processor');
    expect(metricSum('FilesProcessed')).toBe(1);
    expect(metricSum('RowsReceived')).toBe(60);
    expect(metricSum('RowsWritten')).toBe(60);
    expect(metricSum('RowsRejected')).toBe(0);
    expect(metricSum('BytesProcessed')).toBe(obj.size);
    expect(emfDocs().flatMap((d) => d._aws.CloudWatchMetrics[0]?.Metrics.map((m) => m.Name) ?? [])).toContain('FileProcessingTime');
    const fileLogs = logLines().filter((l) => l.message === 'File handled');
    expect(fileLogs[0]).toMatchObject({ s3_key: obj.key, ingestion_id: item?.ingestion_id, status: 'PROCESSED' });
  });

  it('processes a partial file: valid rows written, rejected rows reported and alerted', async () => {
    // Prepare
    const csv = [
      'Order ID,Customer Name,Product,Qty,Price,currency',
      'P-1,Ann,Pen,2,1.50,usd',
      'P-2,Bob,Ink,zero,1.00,USD',
      '',
      'P-3,"=HYPERLINK(""http://evil"")",Pad,1,2.00,EUR',
      'P-1,Ann again,Pen,1,1.50,USD',
      'P-4,Cy,Cap,1,1.005,USD',
      'P-5,Di,Dot,3,0.10,USD',
    ].join('\r\n');
    const obj = await putRaw('raw-data/partial.csv', csv);
    // Act
    const response = await run(sqsEvent(objectCreatedBody(obj, 'aws')));
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const item = await ledgerItem(obj);
    expect(item).toMatchObject({ status: 'PARTIAL', rows: 6, written: 3, rejected: 3, blank: 1 });
    expectConservation(item);
    expect((await orders(['P-1', 'P-2', 'P-3', 'P-4', 'P-5'])).map((o) => o.order_id).sort()).toEqual(['P-1', 'P-3', 'P-5']);
    expect((await orders(['P-1']))[0]).toMatchObject({ customer_name: 'Ann', currency: 'USD' });
    const report = (await text(item?.errors_key ?? '')).trimEnd().split('\r\n');
    expect(item?.errors_key).toMatch(/^failed-data\/\d{4}\/\d{2}\/\d{2}\/partial\..+\.errors\.csv$/);
    expect(report[0]).toBe('line,order_id,column,reason');
    expect(report.slice(1).map((l) => l.split(',')[0])).toEqual(['3', '6', '7']);
    expect(report[1]).toMatch(/^3,P-2,quantity,/);
    expect(item?.first_errors?.map((e) => e.line)).toEqual([3, 6, 7]);
    const cleaned = await text(item?.processed_key ?? '');
    expect(cleaned).toContain(`P-3,1,,"=HYPERLINK(""http://evil"")"`); // the exact value, quoted (docs/csv-format.md, "Output files")
    expect((await orders(['P-3']))[0]?.customer_name).toBe('=HYPERLINK("http://evil")'); // exact value in DynamoDB
    expect(await keysUnder('archive/')).toContain(item?.archive_key);
    const alerts = await receiveAlerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.subject).toBe('[order-pipeline it] PARTIAL: partial.csv (3 of 6 rows rejected)');
    expect(alerts[0]?.message).toContain(`s3://${BUCKET}/${item?.errors_key}`);
    expect(alerts[0]?.message).toContain('line 3, order "P-2", column "quantity"');
    expect(alerts[0]?.message).toContain('What to do next');
    expect(metricSum('FilesPartial')).toBe(1);
    expect(metricSum('RowsRejected')).toBe(3);
  });

  it('rejects a file missing a required column before writing anything', async () => {
    // Prepare
    const obj = await putRaw('raw-data/no-qty.csv', 'order_id,customer_name,product_name,unit_price\nR-1,Ann,Pen,1.00\nR-2,Bob,Ink,2.00\n');
    // Act
    const response = await run(sqsEvent(objectCreatedBody(obj)));
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const item = await ledgerItem(obj);
    expect(item).toMatchObject({ status: 'FAILED', written: 0, archive_key: null, processed_key: null });
    expectConservation(item);
    expect(item?.reason).toMatch(/quantity/);
    expect(await orders(['R-1', 'R-2'])).toEqual([]);
    expect(await bytes(item?.failed_key ?? '')).toEqual(Buffer.from('order_id,customer_name,product_name,unit_price\nR-1,Ann,Pen,1.00\nR-2,Bob,Ink,2.00\n'));
    expect(item?.failed_key).toMatch(/^failed-data\/\d{4}\/\d{2}\/\d{2}\/no-qty\..+\.csv$/);
    expect(await text(item?.errors_key ?? '')).toMatch(/^line,order_id,column,reason\r\n1,,,.*quantity/);
    expect(await keysUnder('raw-data/no-qty')).toEqual([]);
    const alerts = await receiveAlerts();
    expect(alerts.map((a) => a.subject)).toEqual(['[order-pipeline it] FAILED: no-qty.csv (file rejected, nothing written)']);
    expect(metricSum('FilesFailed')).toBe(1);
  });

  it.each([
    ['an empty file', 'raw-data/empty.csv', Buffer.alloc(0), /empty/],
    ['bytes that are not UTF-8', 'raw-data/latin1.csv', Buffer.from(`${HEADER}\nL-1,Jos\xe9,Pen,1,1.00\n`, 'latin1'), /UTF-8/],
    ['a gzip file that is corrupt', 'raw-data/broken.csv.gz', Buffer.concat([gzipSync(Buffer.from(validCsv('BR', 50))).subarray(0, 40)]), /gzip|compress/i],
  ])('rejects %s as a whole, writing nothing', async (_what, key, body, reason) => {
    // Prepare
    const obj = await putRaw(key, body);
    // Act
    const response = await run(sqsEvent(objectCreatedBody(obj)));
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const item = await ledgerItem(obj);
    expect(item).toMatchObject({ status: 'FAILED', written: 0 });
    expect(item?.reason).toMatch(reason);
    expectConservation(item);
    expect(await bytes(item?.failed_key ?? '')).toEqual(body);
    expect(await text(item?.errors_key ?? '')).toMatch(/^line,order_id,column,reason\r\n\d+,,,/);
    expect(await keysUnder(key)).toEqual([]);
    expect((await receiveAlerts()).map((a) => a.subject)).toHaveLength(1);
  });

  it('copies an original the event reports as over 5 GiB with a multipart copy, byte for byte', async () => {
    // Prepare: the event reports the size; the stored object may stay small
    const obj = await putRaw('raw-data/huge.csv', validCsv('HG', 1));
    const huge = { ...obj, size: 6 * 1024 ** 3 };
    // Act
    const response = await run(sqsEvent(objectCreatedBody(huge)));
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const item = await ledgerItem(obj);
    expect(item).toMatchObject({ status: 'PROCESSED', rows: 1, written: 1, rejected: 0, parts: 1, parts_done: 1 });
    expect(await bytes(item?.archive_key ?? '')).toEqual(Buffer.from(validCsv('HG', 1)));
    expect(await keysUnder('raw-data/huge.csv')).toEqual([]);
    expect(await orders(['HG-1'])).toHaveLength(1);
  });

  it('fails a file whose every row is rejected, with the full report', async () => {
    // Prepare
    const obj = await putRaw('raw-data/all-bad.csv', `${HEADER}\nX-1,Ann,Pen,-1,1\nX-2,Bob,Ink,1,abc\n`);
    // Act
    await run(sqsEvent(objectCreatedBody(obj)));
    // Assess
    const item = await ledgerItem(obj);
    expect(item).toMatchObject({ status: 'FAILED', rows: 2, written: 0, rejected: 2, reason: 'all 2 data rows were rejected' });
    expectConservation(item);
    expect((await text(item?.errors_key ?? '')).trimEnd().split('\r\n')).toHaveLength(3);
    expect(await keysUnder(item?.failed_key ?? 'missing')).toEqual([item?.failed_key]);
    expect(await orders(['X-1', 'X-2'])).toEqual([]);
    expect((await receiveAlerts()).map((a) => a.subject)).toEqual(['[order-pipeline it] FAILED: all-bad.csv (file rejected, nothing written)']);
  });

  it('processes a gzip file and keeps its original bytes in archive/', async () => {
    // Prepare
    const gz = gzipSync(Buffer.from(validCsv('GZ', 30)));
    const obj = await putRaw('raw-data/compressed.csv.gz', gz);
    // Act
    await run(sqsEvent(objectCreatedBody(obj)));
    // Assess
    const item = await ledgerItem(obj);
    expect(item).toMatchObject({ status: 'PROCESSED', rows: 30, written: 30 });
    expectConservation(item);
    expect(item?.archive_key).toMatch(/compressed\..+\.csv\.gz$/);
    expect(await bytes(item?.archive_key ?? '')).toEqual(gz);
    expect(item?.processed_key).toMatch(/compressed\..+\.csv$/);
    expect((await text(item?.processed_key ?? '')).trimEnd().split('\r\n')).toHaveLength(31);
    expect(await orders(Array.from({ length: 30 }, (_, i) => `GZ-${i + 1}`))).toHaveLength(30);
  });

  it('handles several records in one batch independently', async () => {
    // Prepare
    const a = await putRaw('raw-data/batch-a.csv', validCsv('BA', 3));
    const b = await putRaw('raw-data/batch-b.csv', 'not,a,header\n\u0000\u0001');
    // Act
    const response = await run(sqsEvent(objectCreatedBody(a), objectCreatedBody(b)));
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect((await ledgerItem(a))?.status).toBe('PROCESSED');
    expect((await ledgerItem(b))?.status).toBe('FAILED');
    expectConservation(await ledgerItem(a));
    expectConservation(await ledgerItem(b));
    await receiveAlerts(0);
  });
});

describe('handler outcomes on inputs found in review', () => {
  it('counts a file rejected mid-way like validate does: zero rows, nothing written', async () => {
    // Prepare: 3,000 good rows (several chunks of the stream), then a Latin-1 byte on line 3002
    const body = Buffer.concat([Buffer.from(validCsv('MW', 3000)), Buffer.from('MW-X,Jos\xe9,Pen,1,1\n', 'latin1')]);
    const obj = await putRaw('raw-data/mid-way.csv', body);
    // Act
    const response = await run(sqsEvent(objectCreatedBody(obj)));
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const item = await ledgerItem(obj);
    expect(item).toMatchObject({ status: 'FAILED', rows: 0, written: 0, rejected: 0, blank: 0 });
    expect(item?.reason).toMatch(/^line 3002 contains bytes that are not valid UTF-8/);
    const local = await validateFile(Readable.from([body]));
    expect(local).toMatchObject({ status: 'REJECTED', rows: item?.rows, rejected: item?.rejected, blank: item?.blank, reason: item?.reason });
    expect(metricSum('RowsReceived')).toBe(0);
    expect(metricSum('RowsRejected')).toBe(0);
    expect(await orders(['MW-1', 'MW-2'])).toEqual([]);
    await receiveAlerts(0);
  });

  it.each([
    ['raw-data/ext/orders.txt', false],
    ['raw-data/ext/orders.xlsx', false],
    ['raw-data/ext/orders', false],
    ['raw-data/ext/orders.csv.zip', false],
    ['raw-data/ext/orders-named-like-a-folder/', false],
    ['raw-data/ext/ORDERS-UPPER.CSV', true],
    ['raw-data/ext/orders-mixed.Csv.GZ', true],
  ])('judges %s by its name (.csv or .csv.gz only, docs/csv-format.md)', async (key, accepted) => {
    // Prepare: the same valid CSV under each name
    const prefix = `EXT${key.length}${accepted ? 'A' : 'R'}`;
    const content = key.toLowerCase().endsWith('.gz') ? gzipSync(Buffer.from(validCsv(prefix, 2))) : validCsv(prefix, 2);
    const obj = await putRaw(key, content);
    // Act
    const response = await run(sqsEvent(objectCreatedBody(obj)));
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const item = await ledgerItem(obj);
    expectConservation(item);
    expect(await keysUnder(key)).toEqual([]);
    if (accepted) {
      expect(item).toMatchObject({ status: 'PROCESSED', rows: 2, written: 2 });
      await receiveAlerts(0);
      return;
    }
    expect(item).toMatchObject({ status: 'FAILED', rows: 0, written: 0, rejected: 0 });
    expect(item?.reason).toMatch(/^the file name .* does not end in \.csv or \.csv\.gz; expected a CSV file named \*\.csv or \*\.csv\.gz/);
    expect(await bytes(item?.failed_key ?? '')).toEqual(Buffer.from(content));
    expect(await orders([`${prefix}-1`])).toEqual([]);
    expect((await receiveAlerts()).map((a) => a.subject)).toHaveLength(1);
  });

  it('keeps huge values out of the ledger and the alert, so a bad file is FAILED, not sent to the DLQ', async () => {
    // Prepare: 12 rows whose quantity and order_id are 60,000 characters each (S3 reports are fine;
    // the ledger item is capped at 400 KB by DynamoDB and an SNS message at 256 KB)
    const huge = (c: string, i: number) => `${c.repeat(60_000)}${i}`;
    const rows = Array.from({ length: 12 }, (_, i) => `${huge('I', i)},Ann,Pen,${huge('9', i)},1`);
    const obj = await putRaw('raw-data/huge-cells.csv', `${HEADER}\n${rows.join('\n')}\n`);
    // Act
    const response = await run(sqsEvent(objectCreatedBody(obj)));
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const item = await ledgerItem(obj);
    expect(item).toMatchObject({ status: 'FAILED', rows: 12, written: 0, rejected: 12 });
    expect(item?.first_errors).toHaveLength(10);
    expect(JSON.stringify(item).length).toBeLessThan(100_000);
    expect(item?.first_errors?.[0]?.reason).toMatch(/^order_id "I{20,}…" \(60001 characters\) is 60001 characters long/);
    const alerts = await receiveAlerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.message.length).toBeLessThan(50_000);
  });
});

describe('handler outcomes under the file caps', () => {
  it('applies MAX_FILE_LINES from its environment as validate does: FAILED with the same reason, nothing written', async () => {
    // Prepare: a cap of 4 lines and a file of 6
    process.env.MAX_FILE_LINES = '4';
    resetHandlerState();
    const csv = validCsv('CAP', 5);
    const obj = await putRaw('raw-data/capped.csv', csv);
    try {
      // Act
      const response = await run(sqsEvent(objectCreatedBody(obj)));
      // Assess
      expect(response.batchItemFailures).toEqual([]);
      const item = await ledgerItem(obj);
      const local = await validateFile(Readable.from([Buffer.from(csv)]), { limits: limitsFromEnv({ MAX_FILE_LINES: '4' }) });
      expect(item).toMatchObject({ status: 'FAILED', rows: 0, written: 0, reason: local.reason });
      expect(item?.reason).toMatch(/more than 4 lines.*MAX_FILE_LINES/);
      expect(await orders(['CAP-1'])).toEqual([]);
      await receiveAlerts();
    } finally {
      delete process.env.MAX_FILE_LINES;
      resetHandlerState();
    }
  });
});
