/**
 * Large files in parts against moto: a file above FANOUT_THRESHOLD_MB (1 MiB here, parts of about
 * 1 MiB) is planned by its ingest invocation, then scanned, decided, written and concluded by part
 * messages on a real SQS parts queue, handled out of order, several at once, one delivered twice
 * and one failing once. The outcome must be exactly what `validateFile` says of the same bytes and
 * what an unsplit run of them produces (against a second set of tables, so that neither run sees
 * the other's content claim or orders).
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import type { CompiledSchema } from '../../../functions/order-processor/contract/schema/compile.ts';
import { fileLedgerKey, loadSchemaFile, validateFile, type FileReport, type LedgerItem } from '../../../functions/order-processor/index.ts';
import { loadedSoFar } from '../../../functions/order-processor/pipeline/outcome.ts';
import { ledgerTableCommand, ordersTableCommand } from '../../../tooling/tables.ts';
import { largeFile, random } from '../../../scripts/generate-orders.ts';
import { toSqsEvent } from '../../../tooling/lambda-events.ts';
import { drainParts, partsDeadLetters } from './parts-driver.ts';
import {
  BUCKET,
  bytes,
  clearOutput,
  env,
  expectConservation,
  handlerWith,
  keysUnder,
  lambdaContext,
  ledgerItem,
  metricSum,
  objectCreatedBody,
  orders,
  ORDERS,
  orderLines,
  partsConfig,
  PARTS_MAX_RECEIVES,
  PARTS_QUEUE,
  putRaw,
  receiveAlerts,
  sqsEvent,
  text,
  useProcessorEnvironment,
  type PutResult,
  ordersOfIngestion,
} from './setup.ts';

useProcessorEnvironment();

const MiB = 1024 * 1024;
const WHOLE_ORDERS = 'order-pipeline-it-orders-whole';
const WHOLE_INGESTIONS = 'order-pipeline-it-ingestions-whole';
const FILE = largeFile({ minBytes: 5.2 * MiB, chunkBytes: MiB, seed: 7, idPrefix: 'ORD-' });
/** Every order_id of the file, once each, and those it holds more than once. */
const IDS = [...new Set(FILE.records.map((r) => r.orderId))];
const REPEATED = new Set(FILE.records.filter((r) => r.kind === 'duplicate').map((r) => r.orderId));

beforeAll(async () => {
  const ddb = new DynamoDBClient(env.clientConfig);
  await ddb.send(ordersTableCommand(WHOLE_ORDERS));
  await ddb.send(ledgerTableCommand(WHOLE_INGESTIONS));
});

afterEach(async () => {
  await receiveAlerts(0);
});

/** Compared by hash: a deep equality of megabytes is slow. */
const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** What the contract says of the bytes, as `validate --json` prints it. */
const expected = (): Promise<FileReport> => validateFile(Readable.from([FILE.bytes]), { file: 'large.csv' });

/** The columns that name the run, not the row: the cleaned CSV's source_key, ingestion_id and processed_at. */
function normalisedCleaned(csv: string): string[] {
  const lines = csv.split('\r\n');
  // source_key, source_line, ingestion_id, processed_at are the last four columns; keep source_line.
  return lines.map((line) => {
    const cells = line.split(',');
    if (cells.length < 4) return line;
    const n = cells.length;
    return [...cells.slice(0, n - 4), 'KEY', cells[n - 3], 'ID', 'AT'].join(',');
  });
}

const withoutRun = (items: Record<string, unknown>[]) =>
  items
    .map(({ ingestion_id: _i, source_key: _s, processed_at: _p, ...rest }) => rest)
    .sort((a, b) => String(a.order_id).localeCompare(String(b.order_id)));

/** A part message whose write fails once, through an S3 client fault (an `initialize` middleware: no SDK retry). */
function failWrittenOnce(part: string): (s3: S3Client) => void {
  let failed = false;
  return (s3) =>
    s3.middlewareStack.add(
      (next, context) => async (args) => {
        const key = (args.input as { Key?: string }).Key ?? '';
        if (!failed && context.commandName === 'PutObjectCommand' && key.endsWith(`written-${part}.json`)) {
          failed = true;
          throw Object.assign(new Error('injected: S3 refused the part result'), { name: 'InternalError' });
        }
        return next(args);
      },
      { step: 'initialize', name: 'failWrittenOnce' },
    );
}

async function runWhole(obj: PutResult, schema?: CompiledSchema): Promise<LedgerItem | undefined> {
  const whole = handlerWith({ config: { ordersTable: WHOLE_ORDERS, ingestionsTable: WHOLE_INGESTIONS, ...(schema ? { schema } : {}) } });
  const response = await whole(sqsEvent(objectCreatedBody(obj)), lambdaContext());
  expect(response.batchItemFailures).toEqual([]);
  return ledgerItemIn(WHOLE_INGESTIONS, obj);
}

async function ledgerItemIn(table: string, obj: PutResult): Promise<LedgerItem | undefined> {
  const out = await env.doc.send(new GetCommand({ TableName: table, Key: { pk: fileLedgerKey({ bucket: BUCKET, ...obj }) }, ConsistentRead: true }));
  return out.Item as LedgerItem | undefined;
}

describe('a file processed in parts', () => {
  it('has exactly the outcome of validate and of an unsplit run, whatever the order, concurrency and repeats of its part messages', async () => {
    // Prepare
    const report = await expected();
    const split = await putRaw('raw-data/large/orders.csv', FILE.bytes);
    const whole = await putRaw('raw-data/large/orders-whole.csv', FILE.bytes);
    const handler = handlerWith({ config: { parts: partsConfig() }, s3: failWrittenOnce('00002') });
    clearOutput();
    // Act
    const ingest = await handler(sqsEvent(objectCreatedBody(split)), lambdaContext());
    const planned = await ledgerItem(split);
    const drained = await drainParts(handler, { concurrency: 3, duplicate: (body) => body.includes('"phase":"write"') && body.includes('"part":1,') });
    // Assess: the plan and the protocol
    expect(ingest.batchItemFailures).toEqual([]);
    expect(planned).toMatchObject({ status: 'PROCESSING', phase: 'SCAN', parts: expect.any(Number) });
    const parts = planned?.parts ?? 0;
    expect(parts).toBeGreaterThanOrEqual(5);
    expect(drained.failures).toBe(1);
    const item = await ledgerItem(split);
    expect(item).toMatchObject({ status: 'PARTIAL', parts, parts_done: parts });
    expect(metricSum('FilesPartial')).toBe(1);
    expect(metricSum('RowsReceived')).toBe(report.rows);
    // Assess: the same outcome as validate
    expect(item).toMatchObject({ rows: report.rows, written: report.valid, rejected: report.rejected, blank: report.blank });
    expectConservation(item);
    const errorsReport = await text(item?.errors_key ?? '');
    const reportLines = errorsReport.trimEnd().split('\r\n').slice(1);
    expect(reportLines).toHaveLength(report.errors.length);
    expect(reportLines.map((l) => Number(l.split(',')[0]))).toEqual(report.errors.map((e) => e.line));
    expect(item?.first_errors).toEqual(report.errors.slice(0, 10));
    // Assess: the same outcome as an unsplit run of the same bytes
    const unsplit = await runWhole(whole);
    expect(unsplit).toMatchObject({ status: 'PARTIAL', parts: 1, parts_done: 1 });
    for (const field of ['rows', 'written', 'rejected', 'blank', 'reason', 'first_errors'] as const) expect(item?.[field]).toEqual(unsplit?.[field]);
    expect(errorsReport).toBe(await text(unsplit?.errors_key ?? ''));
    const cleaned = await text(item?.processed_key ?? '');
    expect(normalisedCleaned(cleaned)).toEqual(normalisedCleaned(await text(unsplit?.processed_key ?? '')));
    expect(cleaned.split('\r\n').filter((l) => l.startsWith('order_id,'))).toHaveLength(1);
    // One line per valid row starts with its order_id (a quoted line break's next line never does)
    expect(cleaned.split('\r\n').filter((l) => l.startsWith('ORD-'))).toHaveLength(report.valid);
    const sample = IDS.filter((id, i) => i % 20 === 0 || REPEATED.has(id));
    expect(withoutRun(await orders(sample))).toEqual(withoutRun(await orders(sample, WHOLE_ORDERS)));
    // Assess: one original, byte-identical; one alert; nothing left behind
    expect(sha256(await bytes(item?.archive_key ?? ''))).toBe(sha256(FILE.bytes));
    expect(await keysUnder('raw-data/large/orders.csv')).toEqual([]);
    expect(await keysUnder(`staging/${item?.ingestion_id}/`)).toEqual([]);
    const alerts = await receiveAlerts();
    expect(alerts.map((a) => a.subject)).toEqual([
      `[order-pipeline it] PARTIAL: orders.csv (${report.rejected} of ${report.rows} rows rejected)`,
      `[order-pipeline it] PARTIAL: orders-whole.csv (${report.rejected} of ${report.rows} rows rejected)`,
    ]);

    // Act: the same bytes again, under another key
    const again = await putRaw('raw-data/large/orders-again.csv', FILE.bytes);
    await handler(sqsEvent(objectCreatedBody(again)), lambdaContext());
    await drainParts(handler);
    // Assess: a duplicate, decided before anything is written
    const duplicate = await ledgerItem(again);
    expect(duplicate).toMatchObject({ status: 'DUPLICATE', rows: report.rows, written: 0, rejected: report.rows, parts, parts_done: 0 });
    expect(duplicate?.reason).toContain('s3://order-pipeline-it-data/raw-data/large/orders.csv');
    expect((await text(duplicate?.errors_key ?? '')).trimEnd().split('\r\n')).toHaveLength(2);
    expect(await keysUnder(`staging/${duplicate?.ingestion_id}/`)).toEqual([]);
    expect((await receiveAlerts()).map((a) => a.subject)).toEqual(['[order-pipeline it] DUPLICATE: orders-again.csv (duplicate file, nothing written)']);
  }, 240_000);

  it('completes a .csv.gz above the threshold with the outcome validate gives its bytes', async () => {
    // Prepare
    const report = await expected();
    // Level 1: the file's words compress well, and the compressed size must reach the threshold
    const gz = gzipSync(FILE.bytes, { level: 1 });
    expect(gz.length).toBeGreaterThan(MiB);
    const obj = await putRaw('raw-data/large/orders.csv.gz', gz);
    const handler = handlerWith({ config: { parts: partsConfig() } });
    // Act
    const ingest = await handler(sqsEvent(objectCreatedBody(obj)), lambdaContext());
    await drainParts(handler);
    // Assess
    expect(ingest.batchItemFailures).toEqual([]);
    const item = await ledgerItem(obj);
    expect(item).toMatchObject({ status: 'PARTIAL', rows: report.rows, written: report.valid, rejected: report.rejected, blank: report.blank });
    expect(item?.parts).toBeGreaterThanOrEqual(5);
    const reportLines = (await text(item?.errors_key ?? '')).trimEnd().split('\r\n').slice(1);
    expect(reportLines.map((l) => Number(l.split(',')[0]))).toEqual(report.errors.map((e) => e.line));
    expect(sha256(await bytes(item?.archive_key ?? ''))).toBe(sha256(gz));
    expect(await keysUnder(`staging/${item?.ingestion_id}/`)).toEqual([]);
    // The fingerprint of a split gzip file is its sha256, as when read whole: the same bytes read whole are its duplicate.
    const again = await putRaw('raw-data/large/orders-again.csv.gz', gz);
    expect((await handlerWith()(sqsEvent(objectCreatedBody(again)), lambdaContext())).batchItemFailures).toEqual([]);
    expect(await ledgerItem(again)).toMatchObject({ status: 'DUPLICATE', fingerprint: item?.fingerprint, parts: 1 });
  }, 240_000);
});

describe('a file in parts whose part keeps failing', () => {
  /** Every attempt to stage part `part`'s write result fails (an `initialize` middleware: no SDK retry). */
  const failWritten = (part: string) => (s3: S3Client) =>
    s3.middlewareStack.add(
      (next, context) => async (args) => {
        const key = (args.input as { Key?: string }).Key ?? '';
        if (context.commandName === 'PutObjectCommand' && key.endsWith(`written-${part}.json`)) {
          throw Object.assign(new Error('injected: the staging area refuses this part'), { name: 'AccessDenied' });
        }
        return next(args);
      },
      { step: 'initialize', name: 'failWritten' },
    );

  it('fails the file once, on the last receive, with a reason naming the part, one alert and exact counts', async () => {
    // Prepare
    const small = largeFile({ minBytes: 2.2 * MiB, chunkBytes: MiB, seed: 11, idPrefix: 'ORD-' });
    const report = await validateFile(Readable.from([small.bytes]));
    const obj = await putRaw('raw-data/large/failing.csv', small.bytes);
    const handler = handlerWith({ config: { parts: partsConfig() }, s3: failWritten('00001') });
    await handler(sqsEvent(objectCreatedBody(obj)), lambdaContext());
    const planned = await ledgerItem(obj);
    // Act: the ingest message again, a message of a superseded plan, then the parts
    const redelivered = await handler(sqsEvent(objectCreatedBody(obj)), lambdaContext());
    const stale = JSON.stringify({ type: 'order-pipeline.part', version: 1, phase: 'scan', bucket: BUCKET, ...obj, versionId: obj.versionId, ingestionId: planned?.ingestion_id, planId: 'superseded', part: 0, parts: planned?.parts });
    const dropped = await handler(sqsEvent(stale), lambdaContext());
    clearOutput();
    await drainParts(handler);
    // Assess
    expect(redelivered.batchItemFailures).toEqual([]);
    expect(dropped.batchItemFailures).toEqual([]);
    const item = await ledgerItem(obj);
    expect(item).toMatchObject({ status: 'FAILED', attempts: planned?.attempts, parts: planned?.parts, processed_key: null, archive_key: null });
    expect(item?.reason).toMatch(
      /^part 2 of \d+ failed to write 3 time\(s\), the last with AccessDenied: injected: the staging area refuses this part; [\d,]+ rows are loaded in the orders table under ingestion_id \S+(; the other [\d,]+ valid rows are not loaded)?$/,
    );
    expect(item).toMatchObject({ rows: report.rows, rejected: report.rejected });
    // Part 2 wrote all its rows before staging its result failed: they count.
    expect(item?.written).toBeGreaterThan(0);
    // The ledger tells the truth about the table: every row this ingestion upserted, the failing part's included.
    expect(item?.written).toBe(await ordersOfIngestion(item?.ingestion_id ?? ''));
    expect(item?.unloaded).toBe(report.valid - (item?.written ?? 0));
    expectConservation(item);
    expect(metricSum('FilesFailed')).toBe(1);
    expect(await partsDeadLetters()).toBe(1);
    expect(await keysUnder('raw-data/large/failing.csv')).toEqual(['raw-data/large/failing.csv']);
    const alerts = await receiveAlerts();
    expect(alerts.map((a) => a.subject)).toEqual([`[order-pipeline it] FAILED: failing.csv (failed, ${item?.written} of ${item?.rows} rows written)`]);
    expect(alerts[0]?.message).toContain('Once the problem named above is fixed, upload the file again');
  }, 240_000);
});

describe('a part still writing when another part fails the file', () => {
  /** A write message of the file's plan, delivered as the `receives`th receive. */
  const delivery = (body: string, receives: number): SQSEvent =>
    toSqsEvent([{ MessageId: `late-${receives}-${body.length}-${Math.random()}`, ReceiptHandle: 'r', Body: body, Attributes: { ApproximateReceiveCount: String(receives) } }], PARTS_QUEUE);

  it('adds its rows to the FAILED file once it has written them: written = the items in the table, the reason restated, one alert', async () => {
    // Prepare: a file of at least 3 parts, scanned and decided; its write messages held back
    const small = largeFile({ minBytes: 2.2 * MiB, chunkBytes: MiB, seed: 13, idPrefix: 'LT-' });
    const report = await validateFile(Readable.from([small.bytes]));
    const obj = await putRaw('raw-data/large/late-part.csv', small.bytes);
    const handler = handlerWith({ config: { parts: partsConfig() } });
    await handler(sqsEvent(objectCreatedBody(obj)), lambdaContext());
    const writes = new Map<number, string>();
    await drainParts(async (event, context) => {
      const body = event.Records[0]?.body ?? '';
      const message = JSON.parse(body) as { phase: string; part: number };
      if (message.phase !== 'write') return handler(event, context);
      writes.set(message.part, body);
      return { batchItemFailures: [] };
    });
    expect(writes.size).toBeGreaterThanOrEqual(3);
    clearOutput();
    // Part 2 fails on its last receive (staging its result is refused, after its rows were written and noted)
    const failing = handlerWith({
      config: { parts: partsConfig() },
      s3: (s3) =>
        s3.middlewareStack.add(
          (next, context) => async (args) => {
            if (context.commandName === 'PutObjectCommand' && ((args.input as { Key?: string }).Key ?? '').endsWith('written-00001.json')) {
              throw Object.assign(new Error('injected: the staging area refuses this part'), { name: 'AccessDenied' });
            }
            return next(args);
          },
          { step: 'initialize', name: 'failWritten' },
        ),
    });
    // Part 1 is writing: after its first batch, part 2 fails the file; part 1 then writes the rest
    let failedMeanwhile: LedgerItem | undefined;
    const writing = handlerWith({
      config: { parts: partsConfig(), writeConcurrency: 1 },
      ddb: (ddb) => {
        let batches = 0;
        ddb.middlewareStack.add(
          (next, context) => async (args) => {
            const result = await next(args);
            if (context.commandName === 'BatchWriteItemCommand' && ++batches === 1) {
              await failing(delivery(writes.get(1) ?? '', PARTS_MAX_RECEIVES), lambdaContext());
              failedMeanwhile = await ledgerItem(obj);
            }
            return result;
          },
          { step: 'initialize', name: 'failTheFileMeanwhile' },
        );
      },
    });
    // Act
    const late = await writing(delivery(writes.get(0) ?? '', 1), lambdaContext());
    // The other parts' messages come after the file failed: dropped, nothing written
    for (const [part, body] of writes) if (part > 1) expect((await handler(delivery(body, 1), lambdaContext())).batchItemFailures).toEqual([]);
    // Assess: the file failed while part 1 was writing, counting only what was noted then
    expect(late.batchItemFailures).toEqual([]);
    expect(failedMeanwhile).toMatchObject({ status: 'FAILED' });
    const atFailure = failedMeanwhile?.written ?? 0;
    expect(atFailure).toBeGreaterThan(0);
    // Assess: the ledger tells the truth about the table, part 1's late rows included, once
    const item = await ledgerItem(obj);
    const inTable = await ordersOfIngestion(item?.ingestion_id ?? '');
    expect(item?.written).toBe(inTable);
    expect(inTable).toBeGreaterThan(atFailure + 25);
    expect(item).toMatchObject({ status: 'FAILED', rows: report.rows, rejected: report.rejected, orders_written: inTable, unloaded: report.valid - inTable });
    expectConservation(item);
    expect(item?.reason).toMatch(/^part 2 of \d+ failed to write 3 time\(s\), the last with AccessDenied: injected: the staging area refuses this part; /);
    expect(item?.reason?.endsWith(loadedSoFar(inTable, report.valid - inTable, item?.ingestion_id ?? ''))).toBe(true);
    expect(metricSum('FilesFailed')).toBe(1);
    expect(metricSum('RowsWritten')).toBe(inTable);
    // One alert, sent when the file failed: its count is as of then, and it says where the final count is
    const alerts = await receiveAlerts();
    expect(alerts.map((a) => a.subject)).toEqual([`[order-pipeline it] FAILED: late-part.csv (failed, ${atFailure} of ${report.rows} rows written)`]);
    expect(alerts[0]?.message).toContain('The counts are as of this alert');
    // A redelivery of part 1 adds nothing again
    await handler(delivery(writes.get(0) ?? '', 2), lambdaContext());
    expect((await ledgerItem(obj))?.written).toBe(inTable);
  }, 240_000);
});

describe('a file in parts rejected as a whole', () => {
  it('is rejected by its plan, nothing planned, when its header is unusable', async () => {
    // Prepare
    const body = Buffer.concat([Buffer.from('order_id,customer_name,product_name,unit_price\r\n'), FILE.bytes.subarray(200, MiB + 1000)]);
    const report = await validateFile(Readable.from([body]));
    const obj = await putRaw('raw-data/large/no-quantity.csv', body);
    // Act
    const response = await handlerWith({ config: { parts: partsConfig() } })(sqsEvent(objectCreatedBody(obj)), lambdaContext());
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const item = await ledgerItem(obj);
    expect(item).toMatchObject({ status: 'FAILED', reason: report.reason, rows: 0, written: 0, parts: 1 });
    expect(item?.phase).toBeUndefined();
    expect(await keysUnder(`staging/${item?.ingestion_id}/`)).toEqual([]);
  });

  it('is rejected with the earliest problem of all its parts, before any row is written', async () => {
    // Prepare: invalid UTF-8 in the second part, a NUL byte in the fourth
    const body = Buffer.from(FILE.bytes.subarray(0, Math.floor(3.5 * MiB)));
    body[Math.floor(2.5 * MiB)] = 0;
    body[Math.floor(1.5 * MiB)] = 0xff;
    const report = await validateFile(Readable.from([body]));
    const obj = await putRaw('raw-data/large/broken.csv', body);
    const handler = handlerWith({ config: { parts: partsConfig() } });
    // Act
    await handler(sqsEvent(objectCreatedBody(obj)), lambdaContext());
    await drainParts(handler);
    // Assess
    expect(report.reason).toMatch(/not valid UTF-8/);
    const item = await ledgerItem(obj);
    expect(item).toMatchObject({ status: 'FAILED', reason: report.reason, rows: 0, written: 0, parts_done: 0 });
    expect(item?.parts).toBeGreaterThanOrEqual(3);
    expect((await text(item?.errors_key ?? '')).trimEnd().split('\r\n')).toHaveLength(2);
    expect(await keysUnder(`staging/${item?.ingestion_id}/`)).toEqual([]);
  });

  it('hands a gzip file that does not decompress back to the whole-file path, with its exact verdict', async () => {
    // Prepare: a gzip header, then bytes that are no deflate stream
    const body = Buffer.concat([gzipSync(Buffer.from('order_id\n')).subarray(0, 10), Buffer.alloc(MiB + 10, 0x41)]);
    const report = await validateFile(Readable.from([body]));
    const obj = await putRaw('raw-data/large/broken.csv.gz', body);
    // Act
    const response = await handlerWith({ config: { parts: partsConfig() } })(sqsEvent(objectCreatedBody(obj)), lambdaContext());
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(report.reason).toMatch(/not valid gzip data/);
    const item = await ledgerItem(obj);
    expect(item).toMatchObject({ status: 'FAILED', reason: report.reason, rows: 0, parts: 1 });
    expect(await keysUnder(`staging/${item?.ingestion_id}/`)).toEqual([]);
  });
});

describe('a file of order lines in parts', () => {
  const SCHEMA_FILE = fileURLToPath(new URL('../../../sample-data/shop-export/order-schema.json', import.meta.url));
  const HEADER = 'Order Number,Created at,Financial Status,Billing Name,Email,Currency,Shipping Country Code,Lineitem SKU,Lineitem Name,Lineitem Quantity,Lineitem Price,Vendor,Notes';

  /**
   * A shop export of about 2.2 MiB: orders of 1-7 lines (order-level fields on the first row
   * only), now and then a later row with another currency, a line with quantity 0, or a row of an
   * order of about 1.2 MiB earlier (in an earlier part) coming back.
   */
  function shopExport(): { bytes: Buffer; orders: { id: string; start: number; end: number }[]; back: string[] } {
    const next = random(17);
    const rows: string[] = [HEADER];
    const orders: { id: string; start: number; end: number }[] = [];
    const back: string[] = [];
    const idOf = (n: number) => `SHOP-${String(n).padStart(6, '0')}`;
    let offset = Buffer.byteLength(HEADER) + 2;
    const push = (row: string) => {
      rows.push(row);
      offset += Buffer.byteLength(row) + 2;
    };
    for (let n = 1; offset < 2.2 * MiB; n++) {
      const id = idOf(n);
      const start = offset;
      const lines = 1 + Math.floor(next() * 7);
      for (let line = 1; line <= lines; line++) {
        const head = line === 1 ? `${id},2025-05-02T09:14:00+02:00,paid,Maria Rossi,maria@example.com,EUR,IT` : `${id},,,,,${n % 37 === 0 && line === 2 ? 'USD' : ''},`;
        const quantity = n % 29 === 0 && line === lines ? 0 : line;
        push(`${head},SKU-${line},"Espresso cup, ${line}",${quantity},6.50,Tazza,${'n'.repeat(3000 + Math.floor(next() * 1000))}`);
      }
      orders.push({ id, start, end: offset });
      if (n % 10 === 0 && offset > 1.9 * MiB) {
        back.push(idOf(n - 85));
        push(`${idOf(n - 85)},,,,,,,SKU-9,Saucer,1,2.00,Tazza,back`);
      }
    }
    return { bytes: Buffer.from(rows.join('\r\n') + '\r\n'), orders, back };
  }

  it('has exactly the outcome of validate and of an unsplit run, orders straddling the nominal cuts, and re-imports each order exactly', async () => {
    // Prepare: the shop schema; stale lines of earlier files on some orders
    const { bytes: body, orders: planned, back } = shopExport();
    const straddling = planned.filter((o) => Math.floor(o.start / MiB) !== Math.floor((o.end - 1) / MiB));
    expect(straddling.length).toBeGreaterThanOrEqual(2);
    const schema = loadSchemaFile(SCHEMA_FILE);
    const report = await validateFile(Readable.from([body]), { file: 'shop.csv', schema });
    expect(report.status).toBe('PARTIAL');
    const sample = [...straddling.map((o) => o.id), ...back, 'SHOP-000029', 'SHOP-000037', 'SHOP-000040', 'SHOP-000100'];
    for (const id of sample) await env.doc.send(new PutCommand({ TableName: ORDERS, Item: { order_id: id, line: 50, ingestion_id: 'an-earlier-file' } }));
    const split = await putRaw('raw-data/large/shop.csv', body);
    const whole = await putRaw('raw-data/large/shop-whole.csv', body);
    const handler = handlerWith({ config: { parts: partsConfig(), schema } });
    clearOutput();
    // Act
    await handler(sqsEvent(objectCreatedBody(split)), lambdaContext());
    await drainParts(handler, { concurrency: 3 });
    // Assess: split, with the outcome of validate
    const item = await ledgerItem(split);
    expect(item?.parts).toBeGreaterThanOrEqual(2);
    expect(item).toMatchObject({ status: 'PARTIAL', rows: report.rows, written: report.valid, rejected: report.rejected, orders_written: report.orders });
    expectConservation(item);
    const reportLines = (await text(item?.errors_key ?? '')).trimEnd().split('\r\n').slice(1);
    expect(reportLines.map((l) => Number(l.split(',')[0]))).toEqual(report.errors.map((e) => e.line));
    expect(item?.first_errors).toEqual(report.errors.slice(0, 10));
    expect(report.errors.some((e) => e.reason.includes('comes back after its rows ended'))).toBe(true);
    expect(report.errors.some((e) => e.reason.includes('has a rejected line'))).toBe(true);
    // Assess: the same as an unsplit run of the same bytes
    const unsplit = await runWhole(whole, schema);
    expect(unsplit).toMatchObject({ parts: 1 });
    for (const field of ['status', 'rows', 'written', 'orders_written', 'rejected', 'blank', 'first_errors'] as const) expect(item?.[field]).toEqual(unsplit?.[field]);
    expect(await text(item?.errors_key ?? '')).toBe(await text(unsplit?.errors_key ?? ''));
    expect(normalisedCleaned(await text(item?.processed_key ?? ''))).toEqual(normalisedCleaned(await text(unsplit?.processed_key ?? '')));
    // Assess: each order holds exactly the file's lines (an order rejected whole keeps what it had)
    const rejectedWhole = new Set(report.errors.map((e) => e.order_id));
    expect(sample.filter((id) => rejectedWhole.has(id)).length).toBeGreaterThanOrEqual(2);
    for (const id of sample) {
      const by = (await orderLines(id)).map((l) => l.ingestion_id);
      if (rejectedWhole.has(id)) expect(by, id).toEqual(['an-earlier-file']);
      else expect(by.length > 0 && by.every((i) => i === item?.ingestion_id), id).toBe(true);
    }
    expect(await keysUnder(`staging/${item?.ingestion_id}/`)).toEqual([]);
  }, 300_000);
});
