/**
 * The order processor against moto in server mode: real SDK clients over HTTP, the SQS event
 * Lambda would deliver, and assertions on DynamoDB, S3 prefixes, the ledger, the SNS alert
 * (captured by an SQS subscription) and the EMF metrics printed on stdout.
 */
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { handler, resetHandlerState } from '../../../functions/order-processor/handler.ts';
import { readOrders } from '../../../functions/order-processor/contract/reader.ts';
import { validateFile } from '../../../functions/order-processor/contract/summary.ts';
import { fileLedgerKey, type LedgerItem } from '../../../functions/order-processor/ledger-item.ts';
import { resetObservability } from '../../../functions/order-processor/observability.ts';
import { createSqsHandler, type RecordDeps } from '../../../functions/order-processor/runtime.ts';
import { LEDGER } from '../../../functions/order-processor/settings.ts';
import { emulatorEnv, useMoto } from '../../support/moto.ts';
import { ledgerTableCommand, ordersTableCommand } from '../../../tooling/tables.ts';
import { objectCreatedBody as createdBody } from '../../../tooling/object-created.ts';

const moto = useMoto();

const BUCKET = 'order-pipeline-it-data';
const ORDERS = 'order-pipeline-it-orders';
const INGESTIONS = 'order-pipeline-it-ingestions';
const QUEUE_ARN = 'arn:aws:sqs:us-east-1:123456789012:order-pipeline-it-ingest';

let s3: S3Client;
let ddb: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let sqs: SQSClient;
let alertsQueueUrl: string;
let topicArn: string;
const savedEnv = { ...process.env };
/** Everything the handler printed (Powertools writes WARN/ERROR to stderr, the rest to stdout). */
let stdout: string[] = [];

// ---------- factories ----------

const HEADER = 'order_id,customer_name,product_name,quantity,unit_price';

/** `n` valid rows in the seed's five-column format; ids are unique per `prefix`. */
function validCsv(prefix: string, n: number): string {
  const rows = Array.from({ length: n }, (_, i) => `${prefix}-${i + 1},Customer ${i + 1},Widget ${i % 7},${(i % 5) + 1},${(i % 9) + 0.5}`);
  return `${HEADER}\n${rows.join('\n')}\n`;
}

interface PutResult {
  key: string;
  etag: string;
  versionId: string | null;
  size: number;
}

async function putRaw(key: string, body: string | Uint8Array): Promise<PutResult> {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const out = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: bytes }));
  return { key, etag: (out.ETag ?? '').replace(/"/g, ''), versionId: out.VersionId ?? null, size: bytes.byteLength };
}

/** The EventBridge "Object Created" event for an object of our bucket (moto's shape unless told). */
const objectCreatedBody = (obj: PutResult, shape: 'moto' | 'aws' = 'moto'): string => createdBody({ bucket: BUCKET, ...obj }, { shape });

let messageSeq = 0;
function sqsEvent(...bodies: string[]): SQSEvent {
  return {
    Records: bodies.map((body) => {
      messageSeq++;
      return {
        messageId: `00000000-0000-4000-8000-${String(messageSeq).padStart(12, '0')}`,
        receiptHandle: `receipt-${messageSeq}`,
        body,
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: String(Date.now()),
          SenderId: 'AIDAEXAMPLE',
          ApproximateFirstReceiveTimestamp: String(Date.now()),
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: QUEUE_ARN,
        awsRegion: 'us-east-1',
      };
    }),
  };
}

function lambdaContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'order-pipeline-it-processor',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:order-pipeline-it-processor',
    memoryLimitInMB: '1024',
    awsRequestId: `req-${messageSeq}`,
    logGroupName: '/aws/lambda/order-pipeline-it-processor',
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 300_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

// ---------- observation helpers ----------

async function keysUnder(prefix: string): Promise<string[]> {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return (out.Contents ?? []).map((o) => o.Key ?? '');
}

async function text(key: string): Promise<string> {
  const out = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return (await out.Body?.transformToString('utf8')) ?? '';
}

async function bytes(key: string): Promise<Buffer> {
  const out = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from((await out.Body?.transformToByteArray()) ?? []);
}

async function ledgerItem(obj: PutResult): Promise<LedgerItem | undefined> {
  const out = await doc.send(
    new GetCommand({ TableName: INGESTIONS, Key: { [LEDGER.hashKey]: fileLedgerKey({ bucket: BUCKET, ...obj }) }, ConsistentRead: true }),
  );
  return out.Item as LedgerItem | undefined;
}

async function orders(ids: string[]): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  for (let i = 0; i < ids.length; i += 100) {
    const out = await doc.send(
      new BatchGetCommand({ RequestItems: { [ORDERS]: { Keys: ids.slice(i, i + 100).map((order_id) => ({ order_id })), ConsistentRead: true } } }),
    );
    found.push(...(out.Responses?.[ORDERS] ?? []));
  }
  return found;
}

interface Alert {
  subject: string;
  message: string;
}

/** Drains the SQS queue subscribed to the alerts topic. */
async function receiveAlerts(waitSeconds = 1): Promise<Alert[]> {
  const alerts: Alert[] = [];
  for (;;) {
    const out = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: alertsQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: alerts.length ? 0 : waitSeconds }),
    );
    const messages = out.Messages ?? [];
    if (messages.length === 0) return alerts;
    for (const m of messages) {
      const envelope = JSON.parse(m.Body ?? '{}') as { Subject?: string; Message?: string };
      alerts.push({ subject: envelope.Subject ?? '', message: envelope.Message ?? '' });
      await sqs.send(new DeleteMessageCommand({ QueueUrl: alertsQueueUrl, ReceiptHandle: m.ReceiptHandle }));
    }
  }
}

interface EmfDoc {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [k: string]: unknown;
}

function emfDocs(): EmfDoc[] {
  return stdout
    .flatMap((chunk) => chunk.split('\n'))
    .filter((l) => l.includes('"_aws"'))
    .map((l) => JSON.parse(l) as EmfDoc);
}

/** Sum of a metric over all EMF documents printed (values may be arrays). */
function metricSum(name: string): number {
  let sum = 0;
  for (const d of emfDocs()) {
    const v = d[name];
    if (Array.isArray(v)) sum += v.reduce((a: number, b) => a + Number(b), 0);
    else if (typeof v === 'number') sum += v;
  }
  return sum;
}

function logLines(): Record<string, unknown>[] {
  return stdout
    .flatMap((chunk) => chunk.split('\n'))
    .filter((l) => l.startsWith('{') && l.includes('"level"'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The conservation law every file must satisfy, checked against the ledger. */
function expectConservation(item: LedgerItem | undefined): void {
  expect(item).toBeDefined();
  expect(item?.rows).toBe((item?.written ?? NaN) + (item?.rejected ?? NaN));
}

async function run(event: SQSEvent, h = handler): Promise<SQSBatchResponse> {
  return h(event, lambdaContext());
}

// ---------- setup ----------

beforeAll(async () => {
  const cfg = moto.clientConfig;
  s3 = new S3Client(cfg);
  ddb = new DynamoDBClient(cfg);
  doc = DynamoDBDocumentClient.from(ddb);
  sqs = new SQSClient(cfg);
  const sns = new SNSClient(cfg);
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await s3.send(new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Enabled' } }));
  await ddb.send(ordersTableCommand(ORDERS));
  await ddb.send(ledgerTableCommand(INGESTIONS));
  topicArn = (await sns.send(new CreateTopicCommand({ Name: 'order-pipeline-it-alerts' }))).TopicArn ?? '';
  alertsQueueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'order-pipeline-it-alerts-capture' }))).QueueUrl ?? '';
  const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: alertsQueueUrl, AttributeNames: ['QueueArn'] }));
  await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: attrs.Attributes?.QueueArn }));

  Object.assign(process.env, emulatorEnv(moto.endpoint), {
    ORDERS_TABLE: ORDERS,
    INGESTIONS_TABLE: INGESTIONS,
    ALERTS_TOPIC_ARN: topicArn,
    DATA_BUCKET: BUCKET,
    STAGE: 'it',
    POWERTOOLS_METRICS_DISABLED: 'false',
    POWERTOOLS_LOG_LEVEL: 'INFO',
  });
  delete process.env.POWERTOOLS_DEV;
  resetHandlerState();
  resetObservability();
});

afterAll(() => {
  for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
  Object.assign(process.env, savedEnv);
  resetHandlerState();
  resetObservability();
});

beforeEach(() => {
  stdout = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    });
  }
});

afterEach(() => {
  vi.restoreAllMocks();
});

// ---------- tests ----------

describe('handler', () => {
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
    expect(cleaned[0]).toMatch(/^order_id,customer_id,customer_name,/);
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
    expect(cleaned).toContain(`P-3,,"'=HYPERLINK(""http://evil"")"`); // neutralised for spreadsheets, quoted
    expect((await orders(['P-3']))[0]?.customer_name).toBe('=HYPERLINK("http://evil")'); // exact value in DynamoDB
    expect(await keysUnder('archive/')).toContain(item?.archive_key);
    const alerts = await receiveAlerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.subject).toBe('[order-pipeline it] PARTIAL: partial.csv (3 of 6 rows rejected)');
    expect(alerts[0]?.message).toContain(`s3://${BUCKET}/${item?.errors_key}`);
    expect(alerts[0]?.message).toContain('line 3, order P-2, column quantity');
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

  it('refuses a file over 5 GiB before reading it, leaving it in raw-data/', async () => {
    // Prepare: the event reports the size; the stored object may stay small
    const obj = await putRaw('raw-data/huge.csv', validCsv('HG', 1));
    const huge = { ...obj, size: 6 * 1024 ** 3 };
    // Act
    const response = await run(sqsEvent(objectCreatedBody(huge)));
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const item = await ledgerItem(obj);
    expect(item).toMatchObject({ status: 'FAILED', rows: 0, written: 0, rejected: 0, failed_key: null });
    expect(item?.reason).toMatch(/6\.0 GiB; files over 5 GiB are not processed/);
    expect(await keysUnder('raw-data/huge.csv')).toEqual(['raw-data/huge.csv']);
    expect(await orders(['HG-1'])).toEqual([]);
    expect((await receiveAlerts()).map((a) => a.subject)).toEqual(['[order-pipeline it] FAILED: huge.csv (file rejected, nothing written)']);
    // A redelivery of the same event must not delete the only copy left in raw-data/.
    expect((await run(sqsEvent(objectCreatedBody(huge)))).batchItemFailures).toEqual([]);
    expect(await keysUnder('raw-data/huge.csv')).toEqual(['raw-data/huge.csv']);
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

  it('does not process a redelivered event twice', async () => {
    // Prepare
    const obj = await putRaw('raw-data/redelivered.csv', validCsv('RD', 5));
    const body = objectCreatedBody(obj);
    await run(sqsEvent(body));
    const first = await ledgerItem(obj);
    const archived = await keysUnder('archive/');
    await receiveAlerts(0);
    stdout = [];
    // Act
    const response = await run(sqsEvent(body));
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const second = await ledgerItem(obj);
    expect(second).toEqual(first);
    expect(second?.attempts).toBe(1);
    expectConservation(second);
    expect(await keysUnder('archive/')).toEqual(archived);
    expect(metricSum('FilesProcessed')).toBe(0);
    expect(logLines().some((l) => l.message === 'File already handled: redelivery ignored' && l.s3_key === obj.key)).toBe(true);
  });

  it('marks the same content under another key as DUPLICATE and writes nothing', async () => {
    // Prepare
    const content = validCsv('DUP', 4);
    const original = await putRaw('raw-data/dup-original.csv', content);
    await run(sqsEvent(objectCreatedBody(original)));
    await receiveAlerts(0);
    const copy = await putRaw('raw-data/later/dup-copy.csv', content);
    // Act
    const response = await run(sqsEvent(objectCreatedBody(copy)));
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const item = await ledgerItem(copy);
    const first = await ledgerItem(original);
    expect(item).toMatchObject({ status: 'DUPLICATE', written: 0, rows: 4, fingerprint: first?.fingerprint, duplicate_of: first?.pk });
    expectConservation(item);
    expect(item?.failed_key).toMatch(/^failed-data\/\d{4}\/\d{2}\/\d{2}\/later\/dup-copy\..+\.csv$/);
    expect(await text(item?.failed_key ?? '')).toBe(content);
    expect(await text(item?.errors_key ?? '')).toMatch(/^line,order_id,column,reason\r\n1,,,"same content \(sha256 [0-9a-f]{12}…\) as s3:\/\//);
    expect((await orders(['DUP-1'])).map((o) => o.source_key)).toEqual([original.key]);
    expect(await keysUnder('raw-data/later/')).toEqual([]);
    const alerts = await receiveAlerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.subject).toContain('DUPLICATE: dup-copy.csv');
    expect(alerts[0]?.message).toContain(`s3://${BUCKET}/${original.key}`);
    expect(metricSum('FilesDuplicate')).toBe(1);
  });

  it('processes re-uploaded content whose earlier holder timed out and can no longer finish', async () => {
    // Prepare: a file that claimed its content, then died mid-way (lease expired, message in the DLQ)
    const content = validCsv('STALE', 3);
    const stuck = await putRaw('raw-data/stale-original.csv', content);
    const stuckPk = fileLedgerKey({ bucket: BUCKET, key: stuck.key, versionId: stuck.versionId, etag: stuck.etag });
    await doc.send(new PutCommand({ TableName: INGESTIONS, Item: { [LEDGER.hashKey]: stuckPk, status: 'PROCESSING', lease_expires_at: Date.now() - 1000, ingestion_id: 'stuck', bucket: BUCKET, key: stuck.key } }));
    const { createHash } = await import('node:crypto');
    const sha = createHash('sha256').update(content).digest('hex');
    await doc.send(new PutCommand({ TableName: INGESTIONS, Item: { [LEDGER.hashKey]: `content#${sha}`, file_pk: stuckPk, ingestion_id: 'stuck', bucket: BUCKET, key: stuck.key } }));
    const again = await putRaw('raw-data/stale-reupload.csv', content);
    // Act
    const response = await run(sqsEvent(objectCreatedBody(again)));
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const item = await ledgerItem(again);
    expect(item).toMatchObject({ status: 'PROCESSED', written: 3, rows: 3 });
    expectConservation(item);
    expect((await orders(['STALE-1'])).map((o) => o.source_key)).toEqual([again.key]);
    const claim = await doc.send(new GetCommand({ TableName: INGESTIONS, Key: { [LEDGER.hashKey]: `content#${sha}` } }));
    expect(claim.Item?.file_pk).toBe(item?.pk);
    await receiveAlerts();
  });

  it.each([
    ['raw-data/with space/my orders.csv', 'KS'],
    ['raw-data/a+b=c&d.csv', 'KP'],
    ['raw-data/100% real.csv', 'KC'],
    ['raw-data/été/注文 ü.csv', 'KU'],
  ])('handles the special-character key %s end to end', async (key, prefix) => {
    // Prepare
    const obj = await putRaw(key, validCsv(prefix, 3));
    // Act
    const response = await run(sqsEvent(objectCreatedBody(obj)));
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const item = await ledgerItem(obj);
    expect(item).toMatchObject({ status: 'PROCESSED', written: 3, key });
    expectConservation(item);
    const name = key.slice('raw-data/'.length).replace(/\.csv$/, '');
    expect(item?.archive_key?.endsWith(`${name}.${item?.ingestion_id}.csv`)).toBe(true);
    expect(await text(item?.archive_key ?? '')).toBe(validCsv(prefix, 3));
    expect((await orders([`${prefix}-1`]))[0]).toMatchObject({ source_key: key });
    expect(await keysUnder(key)).toEqual([]);
  });

  it('accepts the classic S3 notification shape with a URL-encoded key', async () => {
    // Prepare
    const obj = await putRaw('raw-data/classic shape+1.csv', validCsv('CL', 2));
    const body = JSON.stringify({
      Records: [
        {
          eventSource: 'aws:s3',
          eventName: 'ObjectCreated:Put',
          eventTime: new Date().toISOString(),
          s3: { bucket: { name: BUCKET }, object: { key: 'raw-data/classic+shape%2B1.csv', size: obj.size, eTag: obj.etag, versionId: obj.versionId } },
        },
      ],
    });
    // Act
    const response = await run(sqsEvent(body));
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(await ledgerItem(obj)).toMatchObject({ status: 'PROCESSED', written: 2 });
    expectConservation(await ledgerItem(obj));
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

  it('ignores keys outside raw-data/ and fails unusable messages (they reach the DLQ)', async () => {
    // Prepare
    const outside = await putRaw('archive/elsewhere.csv', validCsv('OUT', 1));
    const event = sqsEvent(objectCreatedBody(outside), 'this is not json');
    // Act
    const response = await run(event);
    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: event.Records[1]?.messageId }]);
    expect(await ledgerItem(outside)).toBeUndefined();
    const why = logLines().find((l) => typeof l.message === 'string' && l.message.startsWith('Unusable message'));
    expect(why).toMatchObject({ level: 'ERROR', reason: 'message body is not JSON (starts with "this is not json")', body_start: 'this is not json' });
  });

  it('processes the version named in the event and leaves a newer upload of the same key in raw-data/', async () => {
    // Prepare
    const v1 = await putRaw('raw-data/versioned.csv', validCsv('VA', 2));
    const v2 = await putRaw('raw-data/versioned.csv', validCsv('VB', 3));
    // Act
    await run(sqsEvent(objectCreatedBody(v1)));
    // Assess: v1's rows, v1's bytes archived; v2 untouched
    const first = await ledgerItem(v1);
    expect(first).toMatchObject({ status: 'PROCESSED', written: 2, version_id: v1.versionId });
    expect(await text(first?.archive_key ?? '')).toBe(validCsv('VA', 2));
    expect(await orders(['VB-1'])).toEqual([]);
    expect(await text('raw-data/versioned.csv')).toBe(validCsv('VB', 3));
    // Act: v2's own event
    await run(sqsEvent(objectCreatedBody(v2)));
    // Assess
    expect(await ledgerItem(v2)).toMatchObject({ status: 'PROCESSED', written: 3 });
    expectConservation(await ledgerItem(v2));
    expectConservation(first);
    expect(await keysUnder('raw-data/versioned.csv')).toEqual([]);
  });

  it('lets exactly one of two concurrent deliveries of the same object process it', async () => {
    // Prepare
    const obj = await putRaw('raw-data/concurrent.csv', validCsv('CC', 30));
    const body = objectCreatedBody(obj);
    // Act
    const [a, b] = await Promise.all([run(sqsEvent(body)), run(sqsEvent(body))]);
    // Assess: the loser is either told to retry (busy) or, if it came second, skipped
    const failures = [...(a?.batchItemFailures ?? []), ...(b?.batchItemFailures ?? [])];
    expect(failures.length).toBeLessThanOrEqual(1);
    const item = await ledgerItem(obj);
    expect(item).toMatchObject({ status: 'PROCESSED', attempts: 1, written: 30 });
    expectConservation(item);
    expect(await orders(Array.from({ length: 30 }, (_, i) => `CC-${i + 1}`))).toHaveLength(30);
    expect(metricSum('FilesProcessed')).toBe(1);
    expect(metricSum('RowsWritten')).toBe(30);
  });

  it('fails the record while another attempt holds a live claim, and takes over an expired one', async () => {
    // Prepare: a claim by an attempt that is still running
    const obj = await putRaw('raw-data/claimed.csv', validCsv('CLM', 2));
    const pk = fileLedgerKey({ bucket: BUCKET, ...obj });
    const claim = {
      pk,
      status: 'PROCESSING',
      ingestion_id: '20260101T000000Z-deadbeef',
      attempt_id: 'other',
      attempts: 1,
      started_at: '2026-01-01T00:00:00.000Z',
      ingest_day: '2026-01-01',
      lease_expires_at: Date.now() + 600_000,
    };
    await doc.send(new PutCommand({ TableName: INGESTIONS, Item: claim }));
    const event = sqsEvent(objectCreatedBody(obj));
    // Act
    const busy = await run(event);
    // Assess
    expect(busy.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]?.messageId }]);
    expect((await ledgerItem(obj))?.status).toBe('PROCESSING');
    expect(logLines().some((l) => l.level === 'WARN' && String(l.message).startsWith('File is busy'))).toBe(true);
    // Prepare: that attempt died; its lease expired
    await doc.send(new PutCommand({ TableName: INGESTIONS, Item: { ...claim, lease_expires_at: Date.now() - 1 } }));
    // Act
    const taken = await run(event);
    // Assess: processed under the original ingestion id and day, so its destination keys are stable
    expect(taken.batchItemFailures).toEqual([]);
    const item = await ledgerItem(obj);
    expect(item).toMatchObject({ status: 'PROCESSED', attempts: 2, written: 2, ingestion_id: claim.ingestion_id, ingest_day: '2026-01-01' });
    expect(item?.archive_key).toBe('archive/2026/01/01/claimed.20260101T000000Z-deadbeef.csv');
    expectConservation(item);
  });

  it('lists handled files by day through the by-day index', async () => {
    // Prepare
    const obj = await putRaw('raw-data/by-day.csv', validCsv('BD', 1));
    await run(sqsEvent(objectCreatedBody(obj)));
    const item = await ledgerItem(obj);
    // Act
    const out = await doc.send(
      new QueryCommand({
        TableName: INGESTIONS,
        IndexName: LEDGER.byDayIndex,
        KeyConditionExpression: '#d = :d',
        ExpressionAttributeNames: { '#d': LEDGER.byDayHashKey },
        ExpressionAttributeValues: { ':d': item?.ingest_day },
      }),
    );
    // Assess: file items only (content claims carry no ingest_day)
    const pks = (out.Items ?? []).map((i) => String(i.pk));
    expect(pks).toContain(item?.pk);
    expect(pks.every((pk) => pk.startsWith('file#'))).toBe(true);
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

describe('handler under injected faults', () => {
  interface Faults {
    s3Unavailable: boolean;
    ddbCalls: number;
    throttled: number;
    unprocessed: number;
    alwaysThrottle: boolean;
    /** How many DeleteObject calls fail with a 503 before they work again. */
    deleteFailures?: number;
  }

  /** A handler whose clients fail the way real AWS can and moto never does. */
  function faultyHandler(faults: Faults, writeRetryDeadlineMs = 60_000) {
    const cfg = moto.clientConfig;
    const faultyDdb = new DynamoDBClient(cfg);
    faultyDdb.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'BatchWriteItemCommand') return next(args);
        faults.ddbCalls++;
        if (faults.alwaysThrottle || faults.ddbCalls % 3 === 0) {
          faults.throttled++;
          throw Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
            name: 'ThrottlingException',
            $fault: 'client',
            $metadata: { httpStatusCode: 400 },
          });
        }
        // Send only part of the batch and hand the rest back as UnprocessedItems.
        const input = args.input as { RequestItems: Record<string, unknown[]> };
        const [table, requests] = Object.entries(input.RequestItems)[0] ?? ['', []];
        if (requests.length < 2 || faults.ddbCalls % 2 === 0) return next(args);
        const keep = requests.slice(0, Math.ceil(requests.length / 2));
        const left = requests.slice(keep.length);
        faults.unprocessed += left.length;
        const result = await next({ ...args, input: { ...input, RequestItems: { [table]: keep } } });
        (result.output as { UnprocessedItems?: Record<string, unknown[]> }).UnprocessedItems = { [table]: left };
        return result;
      },
      { step: 'initialize', name: 'injectDynamoFaults' },
    );
    const faultyS3 = new S3Client(cfg);
    faultyS3.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'DeleteObjectCommand' && (faults.deleteFailures ?? 0) > 0) {
          faults.deleteFailures = (faults.deleteFailures ?? 0) - 1;
          throw Object.assign(new Error('Service Unavailable'), { name: 'ServiceUnavailable', $fault: 'server', $metadata: { httpStatusCode: 503 } });
        }
        if (faults.s3Unavailable) {
          throw Object.assign(new Error('Service Unavailable'), { name: 'ServiceUnavailable', $fault: 'server', $metadata: { httpStatusCode: 503 } });
        }
        return next(args);
      },
      { step: 'initialize', name: 'injectS3Faults' },
    );
    const deps: RecordDeps = {
      s3: faultyS3,
      doc: DynamoDBDocumentClient.from(faultyDdb, { marshallOptions: { removeUndefinedValues: true } }),
      sns: new SNSClient(cfg),
      config: {
        ordersTable: ORDERS,
        ingestionsTable: INGESTIONS,
        alertsTopicArn: topicArn,
        dataBucket: BUCKET,
        writeConcurrency: 4,
        writeRetryDeadlineMs,
      },
      readOrders,
      writer: { baseDelayMs: 1, maxDelayMs: 20 },
    };
    return createSqsHandler(() => deps);
  }

  const noFaults = (): Faults => ({ s3Unavailable: false, ddbCalls: 0, throttled: 0, unprocessed: 0, alwaysThrottle: false });

  it('loses nothing when DynamoDB returns UnprocessedItems and throttles', async () => {
    // Prepare
    const faults = noFaults();
    const n = 500;
    const obj = await putRaw('raw-data/faulty-writes.csv', validCsv('FW', n));
    // Act
    const response = await run(sqsEvent(objectCreatedBody(obj)), faultyHandler(faults));
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(faults.throttled).toBeGreaterThan(0);
    expect(faults.unprocessed).toBeGreaterThan(0);
    const item = await ledgerItem(obj);
    expect(item).toMatchObject({ status: 'PROCESSED', rows: n, written: n, rejected: 0 });
    expectConservation(item);
    const stored = await orders(Array.from({ length: n }, (_, i) => `FW-${i + 1}`));
    expect(stored).toHaveLength(n);
    expect(metricSum('RowsWritten')).toBe(n);
    expect(logLines().some((l) => l.message === 'Retrying DynamoDB batch write')).toBe(true);
  });

  it('fails the record when throttling outlasts the deadline, then succeeds on the retry', async () => {
    // Prepare
    const faults = { ...noFaults(), alwaysThrottle: true };
    const obj = await putRaw('raw-data/throttled.csv', validCsv('TH', 40));
    const event = sqsEvent(objectCreatedBody(obj));
    // Act
    const failed = await run(event, faultyHandler(faults, 200));
    // Assess: the record is retried by SQS, the ledger is not final, nothing was archived
    expect(failed.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]?.messageId }]);
    const pending = await ledgerItem(obj);
    expect(pending?.status).toBe('PROCESSING');
    expect(pending?.last_error).toMatch(/WriteFailedError.*did not complete within 200 ms/);
    expect(await keysUnder('raw-data/throttled.csv')).toEqual(['raw-data/throttled.csv']);
    // Act: SQS redelivers; the throttling is over
    const retried = await run(event, faultyHandler(noFaults()));
    // Assess
    expect(retried.batchItemFailures).toEqual([]);
    const done = await ledgerItem(obj);
    expect(done).toMatchObject({ status: 'PROCESSED', written: 40, attempts: 2, ingestion_id: pending?.ingestion_id });
    expectConservation(done);
    expect(await orders(Array.from({ length: 40 }, (_, i) => `TH-${i + 1}`))).toHaveLength(40);
    expect(await keysUnder('raw-data/throttled.csv')).toEqual([]);
  });

  it('counts a file in the metrics exactly once when removing the original fails after the outcome is recorded', async () => {
    // Prepare
    const faults = { ...noFaults(), deleteFailures: 1 };
    const obj = await putRaw('raw-data/delete-fails.csv', validCsv('DF', 4));
    const event = sqsEvent(objectCreatedBody(obj));
    // Act: the first delivery records PROCESSED, then cannot delete the original
    const failed = await run(event, faultyHandler(faults));
    // Assess
    expect(failed.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]?.messageId }]);
    expect(await ledgerItem(obj)).toMatchObject({ status: 'PROCESSED', written: 4 });
    expect(await keysUnder('raw-data/delete-fails.csv')).toEqual(['raw-data/delete-fails.csv']);
    // Act: SQS redelivers; the retry only removes the original
    const retried = await run(event, faultyHandler(faults));
    // Assess
    expect(retried.batchItemFailures).toEqual([]);
    expect(await keysUnder('raw-data/delete-fails.csv')).toEqual([]);
    expect(metricSum('FilesProcessed')).toBe(1);
    expect(metricSum('RowsReceived')).toBe(4);
    expect(metricSum('RowsWritten')).toBe(4);
  });

  it('reports the record in batchItemFailures when S3 is unavailable, leaving the ledger not final', async () => {
    // Prepare
    const faults = { ...noFaults(), s3Unavailable: true };
    const obj = await putRaw('raw-data/s3-down.csv', validCsv('SD', 3));
    const event = sqsEvent(objectCreatedBody(obj));
    // Act
    const response = await run(event, faultyHandler(faults));
    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]?.messageId }]);
    const item = await ledgerItem(obj);
    expect(item?.status).toBe('PROCESSING');
    expect(item?.last_error).toMatch(/Service Unavailable/);
    expect(logLines().some((l) => l.level === 'ERROR' && String(l.message).startsWith('Infrastructure fault') && l.s3_key === obj.key)).toBe(true);
    expect(await orders(['SD-1'])).toEqual([]);
    expect(await receiveAlerts(0)).toEqual([]);
    // Act: S3 is back and SQS redelivers
    faults.s3Unavailable = false;
    const retried = await run(event, faultyHandler(faults));
    // Assess
    expect(retried.batchItemFailures).toEqual([]);
    expectConservation(await ledgerItem(obj));
    expect((await ledgerItem(obj))?.status).toBe('PROCESSED');
  });
});

describe('handler on an unversioned bucket', () => {
  const PLAIN = 'order-pipeline-it-plain';

  function plainHandler() {
    const cfg = moto.clientConfig;
    const deps: RecordDeps = {
      s3: new S3Client(cfg),
      doc: DynamoDBDocumentClient.from(new DynamoDBClient(cfg), { marshallOptions: { removeUndefinedValues: true } }),
      sns: new SNSClient(cfg),
      config: { ordersTable: ORDERS, ingestionsTable: INGESTIONS, alertsTopicArn: topicArn, writeConcurrency: 2, writeRetryDeadlineMs: 60_000 },
      readOrders,
    };
    return createSqsHandler(() => deps);
  }

  async function putPlain(key: string, body: string): Promise<PutResult> {
    const out = await s3.send(new PutObjectCommand({ Bucket: PLAIN, Key: key, Body: body }));
    return { key, etag: (out.ETag ?? '').replace(/"/g, ''), versionId: null, size: Buffer.byteLength(body) };
  }

  function plainBody(obj: PutResult): string {
    return objectCreatedBody(obj).replace(`"name":"${BUCKET}"`, `"name":"${PLAIN}"`);
  }

  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: PLAIN }));
  });

  it('pins reads to the etag: an object overwritten before processing is not read as the new bytes', async () => {
    // Prepare
    const v1 = await putPlain('raw-data/overwritten.csv', validCsv('OV1', 2));
    const v2 = await putPlain('raw-data/overwritten.csv', validCsv('OV2', 3));
    const h = plainHandler();
    // Act
    const first = await run(sqsEvent(plainBody(v1)), h);
    // Assess: v1's event finds v1 gone; nothing from v2 is attributed to it
    expect(first.batchItemFailures).toEqual([]);
    const gone = (
      await doc.send(new GetCommand({ TableName: INGESTIONS, Key: { pk: fileLedgerKey({ bucket: PLAIN, ...v1 }) }, ConsistentRead: true }))
    ).Item as LedgerItem | undefined;
    expect(gone).toMatchObject({ status: 'FAILED', rows: 0, written: 0 });
    expect(gone?.reason).toMatch(/no longer exists/);
    expect(await orders(['OV2-1', 'OV1-1'])).toEqual([]);
    await receiveAlerts(0);
    // Act: v2's own event
    const second = await run(sqsEvent(plainBody(v2)), h);
    // Assess
    expect(second.batchItemFailures).toEqual([]);
    const done = (
      await doc.send(new GetCommand({ TableName: INGESTIONS, Key: { pk: fileLedgerKey({ bucket: PLAIN, ...v2 }) }, ConsistentRead: true }))
    ).Item as LedgerItem | undefined;
    expect(done).toMatchObject({ status: 'PROCESSED', rows: 3, written: 3, version_id: null });
    expectConservation(done);
    expect(await orders(['OV2-1', 'OV2-2', 'OV2-3'])).toHaveLength(3);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: PLAIN }));
    expect((listed.Contents ?? []).map((o) => o.Key)).toEqual([done?.archive_key, done?.processed_key].sort());
  });
});

describe('handler on inputs found in review', () => {
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

  it('ignores a folder placeholder quietly: no ledger item, no alert, no failure', async () => {
    // Prepare: what the S3 console's "Create folder" writes
    const obj = await putRaw('raw-data/new-folder/', Buffer.alloc(0));
    // Act
    const response = await run(sqsEvent(objectCreatedBody(obj)));
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(await ledgerItem(obj)).toBeUndefined();
    expect(await receiveAlerts(0)).toEqual([]);
    const logs = logLines();
    expect(logs.some((l) => l.message === 'Ignoring a folder placeholder' && l.level === 'INFO')).toBe(true);
    expect(logs.some((l) => l.level === 'WARN' || l.level === 'ERROR')).toBe(false);
  });

  it.each([
    ['raw-data/ext/orders.txt', false],
    ['raw-data/ext/orders.xlsx', false],
    ['raw-data/ext/orders', false],
    ['raw-data/ext/orders.csv.zip', false],
    ['raw-data/ext/ORDERS-UPPER.CSV', true],
    ['raw-data/ext/orders-mixed.Csv.GZ', true],
  ])('judges %s by its name as DESIGN §3 says (.csv or .csv.gz only)', async (key, accepted) => {
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

  it('finds the object when an EventBridge event carries the key URL-encoded (classic-notification style)', async () => {
    // Prepare: DESIGN §9 — EventBridge keys are only *believed* not to be encoded; be safe either way
    const obj = await putRaw('raw-data/encoded key+1 ü.csv', validCsv('ENC', 2));
    const body = objectCreatedBody({ ...obj, key: 'raw-data/encoded+key%2B1+%C3%BC.csv' }, 'aws');
    // Act
    const response = await run(sqsEvent(body));
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const item = await ledgerItem(obj);
    expect(item).toMatchObject({ status: 'PROCESSED', written: 2, key: obj.key });
    expect((await orders(['ENC-1']))[0]).toMatchObject({ source_key: obj.key });
    expect(await keysUnder('raw-data/encoded')).toEqual([]);
    await receiveAlerts(0);
  });

  it('acknowledges an S3 TestEvent without sending it to the DLQ', async () => {
    // Prepare
    const body = JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Time: new Date().toISOString(), Bucket: BUCKET, RequestId: 'R', HostId: 'H' });
    // Act
    const response = await run(sqsEvent(body));
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(logLines().some((l) => l.message === 'Message needs no processing' && l.reason === 'S3 test event')).toBe(true);
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
