/**
 * A typed optional column added as one schema entry, end to end: the same schema file checks a
 * file through `validate --schema` and through the real handler against moto (the function reads
 * ORDER_SCHEMA_FILE from its task root, as synth deploys it), and the stored orders, the cleaned
 * CSV, the ledger and the alert all follow it. A schema that keeps unknown columns stores them
 * and carries them in the cleaned CSV, whole or in parts. A broken schema file stops the function.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readOrders } from '../../../functions/order-processor/contract/reader.ts';
import { BUILT_IN_SCHEMA } from '../../../functions/order-processor/contract/schema/built-in.ts';
import { compileSchema } from '../../../functions/order-processor/contract/schema/compile.ts';
import { compileSchemaText } from '../../../functions/order-processor/contract/schema/load.ts';
import { resetHandlerState } from '../../../functions/order-processor/handler.ts';
import { ENV } from '../../../functions/order-processor/resource-names.ts';
import { drainParts } from './parts-driver.ts';
import { handlerWith, keysUnder, lambdaContext, ledgerItem, objectCreatedBody, orders, partsConfig, putRaw, receiveAlerts, run, sqsEvent, text, useProcessorEnvironment } from './setup.ts';

useProcessorEnvironment();

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The built-in schema with exactly one entry added. */
function schemaWithShippingCountry(): string {
  const schema = JSON.parse(readFileSync(join(ROOT, 'order-schema.json'), 'utf8')) as { name: string; version: number; columns: unknown[] };
  schema.name = 'orders-shipping';
  schema.version = 2;
  schema.columns.push({ name: 'shipping_country', type: 'country', aliases: ['ship_to_country'] });
  return JSON.stringify(schema, null, 2);
}

const CSV = [
  'order_id,customer_name,product_name,quantity,unit_price,Ship To Country',
  'SC-1,Ann,Pen,2,1.50,de',
  'SC-2,Bob,Ink,1,3.00,',
  'SC-3,Cy,Pad,1,2.00,UK',
  '',
].join('\r\n');

/** `order-pipeline validate --schema … --json` over one file. */
function validateJson(file: string, schema: string): Promise<{ code: number; reports: Record<string, unknown>[] }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(ROOT, 'bin/order-pipeline.js'), 'validate', file, '--schema', schema, '--json'], { cwd: ROOT }, (error, stdout) => {
      resolve({ code: error ? Number(error.code) : 0, reports: JSON.parse(stdout) as Record<string, unknown>[] });
    });
  });
}

describe('a typed optional column added as one schema entry', () => {
  let taskRoot: string;

  beforeEach(() => {
    // Prepare: the function's code directory with the schema beside it, as synth assembles it.
    taskRoot = mkdtempSync(join(tmpdir(), 'schema-task-root-'));
    process.env.LAMBDA_TASK_ROOT = taskRoot;
    process.env[ENV.orderSchemaFile] = 'order-schema.json';
    resetHandlerState();
  });

  afterEach(() => {
    delete process.env.LAMBDA_TASK_ROOT;
    delete process.env[ENV.orderSchemaFile];
    resetHandlerState();
  });

  it('is checked, stored, carried in the cleaned CSV and recorded, by validate and by the handler alike', async () => {
    // Prepare
    const schemaText = schemaWithShippingCountry();
    writeFileSync(join(taskRoot, 'order-schema.json'), schemaText);
    const { identity } = compileSchemaText(schemaText, 'schema');
    const local = join(taskRoot, 'orders-shipping.csv');
    writeFileSync(local, CSV);
    const obj = await putRaw('raw-data/schema/orders-shipping.csv', CSV);

    // Act
    const validated = await validateJson(local, join(taskRoot, 'order-schema.json'));
    const response = await run(sqsEvent(objectCreatedBody(obj)));

    // Assess: validate
    const reason = 'shipping_country "UK" is not an ISO 3166-1 alpha-2 country code; expected a two-letter ISO 3166-1 code such as US, DE or JP';
    expect(validated.code).toBe(1);
    expect(validated.reports[0]).toMatchObject({
      status: 'PARTIAL',
      rows: 3,
      valid: 2,
      rejected: 1,
      schema: { name: 'orders-shipping', version: 2, fingerprint: identity.fingerprint },
      errors: [{ line: 4, order_id: 'SC-3', column: 'shipping_country', reason }],
    });
    // Assess: the handler, the same outcome
    expect(response.batchItemFailures).toEqual([]);
    const item = await ledgerItem(obj);
    expect(item).toMatchObject({
      status: 'PARTIAL',
      rows: 3,
      written: 2,
      rejected: 1,
      schema_name: 'orders-shipping',
      schema_version: 2,
      schema_fingerprint: identity.fingerprint,
    });
    expect(item?.first_errors).toEqual([{ line: 4, order_id: 'SC-3', column: 'shipping_country', reason }]);
    const stored = await orders(['SC-1', 'SC-2', 'SC-3']);
    expect(stored.find((o) => o.order_id === 'SC-1')).toMatchObject({ shipping_country: 'DE', quantity: 2, total_amount: 3, schema_version: 2 });
    expect(stored.find((o) => o.order_id === 'SC-2')).not.toHaveProperty('shipping_country');
    expect(stored.map((o) => o.order_id).sort()).toEqual(['SC-1', 'SC-2']);
    const [cleanedKey] = await keysUnder('processed-data/');
    const cleaned = (await text(cleanedKey ?? '')).split('\r\n');
    expect(cleaned[0]).toContain(',order_date,shipping_country,total_amount,');
    expect(cleaned[1]).toContain(',DE,3,');
    const alerts = await receiveAlerts();
    expect(alerts.map((a) => a.message).join('\n')).toContain(`Schema:     "orders-shipping" version 2 (fingerprint ${identity.fingerprint})`);
  });

  it('stores every extra type of the sample schema with its DynamoDB type: numbers exact, booleans as BOOL', async () => {
    // Prepare
    writeFileSync(join(taskRoot, 'order-schema.json'), readFileSync(join(ROOT, 'sample-data/extra-columns/order-schema.json')));
    const obj = await putRaw('raw-data/schema/extra-columns.csv', readFileSync(join(ROOT, 'sample-data/extra-columns/orders.csv')));
    // Act
    const response = await run(sqsEvent(objectCreatedBody(obj)));
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(await ledgerItem(obj)).toMatchObject({ status: 'PARTIAL', rows: 6, written: 4, rejected: 2, schema_name: 'orders-extended', schema_version: 1 });
    const stored = await orders(['ORD-10001', 'ORD-10002', 'ORD-10003', 'ORD-10006']);
    expect(stored.find((o) => o.order_id === 'ORD-10001')).toMatchObject({ shipping_country: 'DE', sales_channel: 'web', discount: 5, gift: false, delivery_date: '2025-05-06' });
    expect(stored.find((o) => o.order_id === 'ORD-10002')).toMatchObject({ sales_channel: 'store', gift: true });
    expect(stored.find((o) => o.order_id === 'ORD-10006')).toMatchObject({ discount: 12.5, gift: false, shipping_country: 'IN' });
    expect(stored.find((o) => o.order_id === 'ORD-10001')).not.toHaveProperty('notes');
  });

  it('keeps unknown columns under "keep": stored as strings and carried in the cleaned CSV, which reads back to the stored orders', async () => {
    // Prepare: the sample schema set to keep; the sample file with a warehouse column (quotes,
    // commas, a formula-looking cell) and a processed_at column (a pipeline attribute: not kept)
    const spec = JSON.parse(readFileSync(join(ROOT, 'sample-data/extra-columns/order-schema.json'), 'utf8')) as Record<string, unknown>;
    const schemaText = JSON.stringify({ ...spec, unknownColumns: 'keep' });
    writeFileSync(join(taskRoot, 'order-schema.json'), schemaText);
    const schema = compileSchemaText(schemaText, 'order-schema.json');
    const warehouses = ['Berlin, "Hall 2"', '=B2', '', 'Oslo', 'Madrid', ' Pune '];
    const [header, ...rows] = readFileSync(join(ROOT, 'sample-data/extra-columns/orders.csv'), 'utf8').trimEnd().split(/\r?\n/);
    const csv = [`${header},Warehouse,processed_at`, ...rows.map((row, i) => `${row},"${(warehouses[i] ?? '').replace(/"/g, '""')}",2020-01-01`), ''].join('\r\n');
    const obj = await putRaw('raw-data/schema/extra-columns-kept.csv', csv);

    // Act
    const response = await run(sqsEvent(objectCreatedBody(obj)));
    const item = await ledgerItem(obj);
    const cleaned = await text(item?.processed_key ?? '');
    const ctx = { sourceKey: item?.processed_key ?? '', ingestionId: 'read-back', processedAt: new Date().toISOString(), now: new Date(), schema };
    const reread = [];
    for await (const event of readOrders(Readable.from([Buffer.from(cleaned)]), ctx)) reread.push(event);

    // Assess: stored as strings, exactly (trimmed), empty cells not stored, processed_at the pipeline's
    expect(response.batchItemFailures).toEqual([]);
    expect(item).toMatchObject({ status: 'PARTIAL', rows: 6, written: 4, rejected: 2 });
    const ids = ['ORD-10001', 'ORD-10002', 'ORD-10003', 'ORD-10006'];
    const stored = await orders(ids);
    const byId = (id: string) => stored.find((o) => o.order_id === id);
    expect(byId('ORD-10001')).toMatchObject({ notes: 'leave at door', warehouse: 'Berlin, "Hall 2"', shipping_country: 'DE', processed_at: item?.started_at });
    expect(byId('ORD-10002')).toMatchObject({ warehouse: '=B2' });
    expect(byId('ORD-10002')).not.toHaveProperty('notes');
    expect(byId('ORD-10003')).not.toHaveProperty('warehouse');
    expect(byId('ORD-10006')).toMatchObject({ warehouse: 'Pune' });
    // Assess: the cleaned CSV carries them after the schema's columns, exactly as stored
    const lines = cleaned.split('\r\n');
    expect(lines[0]).toBe(
      'order_id,line,customer_id,customer_name,customer_email,product_sku,product_name,quantity,unit_price,currency,order_date,shipping_country,sales_channel,discount,gift,delivery_date,notes,warehouse,total_amount,source_key,source_line,ingestion_id,processed_at',
    );
    expect(lines[1]).toContain(',DE,web,5,false,2025-05-06,leave at door,"Berlin, ""Hall 2""",89,');
    expect(lines[2]).toContain(',GB,store,,true,,,=B2,49,');
    expect(lines[4]).toContain(',IN,phone,12.5,false,2025-05-12,,Pune,249,');
    // Assess: read back with the same schema, the cleaned CSV gives the stored orders (its derived columns not kept)
    expect(reread.filter((e) => e.kind !== 'header' && e.kind !== 'valid')).toEqual([]);
    const own = (order: Record<string, unknown>) => Object.fromEntries(Object.entries(order).filter(([k, v]) => v !== undefined && !['source_key', 'source_line', 'ingestion_id', 'processed_at'].includes(k)));
    expect(reread.flatMap((e) => (e.kind === 'valid' ? [own(e.order)] : []))).toEqual(ids.map((id) => own(byId(id) ?? {})));
  });

  it('carries kept columns in the cleaned CSV of a file processed in parts: one header, every row\'s values, read back whole', async () => {
    // Prepare: a 1.3 MiB file (parts of about 1 MiB) with two unknown columns, one holding commas and quotes
    const schema = compileSchema({ ...BUILT_IN_SCHEMA.spec, unknownColumns: 'keep' });
    const ROWS = 5_000;
    const note = (i: number) => `note ${i}, "${'w'.repeat(200 + (i % 50))}"`;
    const body = ['order_id,customer_name,product_name,quantity,unit_price,Sales Channel,Notes', ...Array.from({ length: ROWS }, (_, i) => `KP-${i},Ann ${i},Pen,1,2.50,web ${i % 7},"${note(i).replace(/"/g, '""')}"`), ''].join('\r\n');
    expect(Buffer.byteLength(body)).toBeGreaterThan(1.2 * 1024 * 1024);
    const obj = await putRaw('raw-data/schema/kept-in-parts.csv', body);
    const handler = handlerWith({ config: { parts: partsConfig(), schema } });

    // Act
    const ingest = await handler(sqsEvent(objectCreatedBody(obj)), lambdaContext());
    await drainParts(handler);
    const item = await ledgerItem(obj);
    const cleaned = await text(item?.processed_key ?? '');
    const reread = [];
    const ctx = { sourceKey: 'cleaned.csv', ingestionId: 'read-back', processedAt: new Date().toISOString(), now: new Date(), schema };
    for await (const event of readOrders(Readable.from([Buffer.from(cleaned)]), ctx)) reread.push(event);

    // Assess
    expect(ingest.batchItemFailures).toEqual([]);
    expect(item).toMatchObject({ status: 'PROCESSED', rows: ROWS, written: ROWS, rejected: 0 });
    expect(item?.parts).toBeGreaterThanOrEqual(2);
    const lines = cleaned.split('\r\n');
    expect(lines[0]).toBe('order_id,line,customer_id,customer_name,customer_email,product_sku,product_name,quantity,unit_price,currency,order_date,sales_channel,notes,total_amount,source_key,source_line,ingestion_id,processed_at');
    expect(lines.filter((l) => l.startsWith('order_id,'))).toHaveLength(1);
    const orders = reread.flatMap((e) => (e.kind === 'valid' ? [e.order] : []));
    expect(reread.filter((e) => e.kind !== 'header' && e.kind !== 'valid')).toEqual([]);
    expect(orders.map((o) => [o.order_id, o['sales_channel'], o['notes']])).toEqual(Array.from({ length: ROWS }, (_, i) => [`KP-${i}`, `web ${i % 7}`, note(i)]));
    expect(orders.some((o) => Object.keys(o).some((k) => k.startsWith('column_')))).toBe(false);
  }, 240_000);

  it('refuses to process anything with a broken schema file: the record fails, nothing is claimed', async () => {
    // Prepare
    writeFileSync(join(taskRoot, 'order-schema.json'), schemaWithShippingCountry().replace('"type": "country"', '"type": "nation"'));
    const obj = await putRaw('raw-data/schema/orders-broken-schema.csv', CSV);

    // Act
    const response = await run(sqsEvent(objectCreatedBody(obj)));

    // Assess
    expect(response.batchItemFailures).toHaveLength(1);
    expect(await ledgerItem(obj)).toBeUndefined();
    expect(await keysUnder('raw-data/schema/')).toEqual(['raw-data/schema/orders-broken-schema.csv']);
  });
});
