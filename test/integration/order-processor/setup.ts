/**
 * Shared setup of the processor's integration tests: one moto server per test file (real SDK
 * clients over HTTP), the bucket, tables, alerts topic with an SQS queue subscribed to capture the
 * alerts, the processor's environment, and what the tests observe: S3 prefixes, DynamoDB items,
 * the ledger, the alerts, and the EMF metrics and log lines the handler prints.
 *
 * Call `useProcessorEnvironment()` once at the top of a test file; the other exports read its state.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach, expect, vi } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutBucketVersioningCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { handler, resetHandlerState } from '../../../functions/order-processor/handler.ts';
import { readOrders } from '../../../functions/order-processor/contract/reader.ts';
import { fileLedgerKey, LEDGER, type LedgerItem } from '../../../functions/order-processor/index.ts';
import { resetObservability } from '../../../functions/order-processor/observability.ts';
import type { SqsHandler } from '../../../functions/order-processor/batch.ts';
import { createSqsHandler, type ProcessorConfig, type RecordDeps } from '../../../functions/order-processor/runtime.ts';
import { lambdaContext as buildContext, objectCreatedBody as createdBody, toSqsEvent } from '../../../tooling/lambda-events.ts';
import { ledgerTableCommand, ordersTableCommand } from '../../../tooling/tables.ts';
import type { AwsClientConfig } from '../../../tooling/aws-clients.ts';
import { emulatorEnv, useMoto } from '../../support/moto.ts';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENV } from '../../../functions/order-processor/resource-names.ts';

export const BUCKET = 'order-pipeline-it-data';
export const ORDERS = 'order-pipeline-it-orders';
export const INGESTIONS = 'order-pipeline-it-ingestions';
const QUEUE = { arn: 'arn:aws:sqs:us-east-1:123456789012:order-pipeline-it-ingest', region: 'us-east-1' };
const FUNCTION = { functionName: 'order-pipeline-it-processor', functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:order-pipeline-it-processor' };

interface State {
  moto: ReturnType<typeof useMoto>;
  s3: S3Client;
  doc: DynamoDBDocumentClient;
  sqs: SQSClient;
  topicArn: string;
  alertsQueueUrl: string;
  /** The parts queue (and its DLQ after PARTS_MAX_RECEIVES receives), as the infrastructure makes it. */
  partsQueueUrl: string;
  partsDlqUrl: string;
  /** Everything the handler printed (Powertools writes WARN/ERROR to stderr, the rest to stdout). */
  output: string[];
}

const state = {} as State;

/** The clients and names the tests use directly. */
export const env = {
  get s3() {
    return state.s3;
  },
  get doc() {
    return state.doc;
  },
  get topicArn() {
    return state.topicArn;
  },
  get clientConfig(): AwsClientConfig {
    return state.moto.clientConfig;
  },
  get endpoint(): string {
    return state.moto.endpoint;
  },
  get sqs() {
    return state.sqs;
  },
  get partsQueueUrl(): string {
    return state.partsQueueUrl;
  },
  get partsDlqUrl(): string {
    return state.partsDlqUrl;
  },
};

/** The parts queue's maxReceiveCount in these tests (PARTS_MAX_RECEIVES). */
export const PARTS_MAX_RECEIVES = 3;
export const PARTS_QUEUE = { arn: 'arn:aws:sqs:us-east-1:123456789012:order-pipeline-it-parts', region: 'us-east-1' };

export function useProcessorEnvironment(): void {
  state.moto = useMoto();
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    const cfg = state.moto.clientConfig;
    state.s3 = new S3Client(cfg);
    const ddb = new DynamoDBClient(cfg);
    state.doc = DynamoDBDocumentClient.from(ddb);
    state.sqs = new SQSClient(cfg);
    const sns = new SNSClient(cfg);
    await state.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await state.s3.send(new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Enabled' } }));
    await ddb.send(ordersTableCommand(ORDERS));
    await ddb.send(ledgerTableCommand(INGESTIONS));
    state.topicArn = (await sns.send(new CreateTopicCommand({ Name: 'order-pipeline-it-alerts' }))).TopicArn ?? '';
    state.alertsQueueUrl = (await state.sqs.send(new CreateQueueCommand({ QueueName: 'order-pipeline-it-alerts-capture' }))).QueueUrl ?? '';
    const attrs = await state.sqs.send(new GetQueueAttributesCommand({ QueueUrl: state.alertsQueueUrl, AttributeNames: ['QueueArn'] }));
    await sns.send(new SubscribeCommand({ TopicArn: state.topicArn, Protocol: 'sqs', Endpoint: attrs.Attributes?.QueueArn }));
    state.partsDlqUrl = (await state.sqs.send(new CreateQueueCommand({ QueueName: 'order-pipeline-it-parts-dlq' }))).QueueUrl ?? '';
    const dlqArn = (await state.sqs.send(new GetQueueAttributesCommand({ QueueUrl: state.partsDlqUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn;
    state.partsQueueUrl =
      (
        await state.sqs.send(
          new CreateQueueCommand({
            QueueName: 'order-pipeline-it-parts',
            Attributes: { VisibilityTimeout: '120', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: PARTS_MAX_RECEIVES }) },
          }),
        )
      ).QueueUrl ?? '';

    Object.assign(process.env, emulatorEnv(state.moto.endpoint), processorEnv());
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
    state.output = [];
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        state.output.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
        return true;
      });
    }
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });
}

/** The processor's environment (resource-names.ts ENV) for this test file's resources. */
export function processorEnv(): Record<string, string> {
  return {
    ORDERS_TABLE: ORDERS,
    INGESTIONS_TABLE: INGESTIONS,
    ALERTS_TOPIC_ARN: state.topicArn,
    DATA_BUCKET: BUCKET,
    STAGE: 'it',
    PARTS_QUEUE_URL: state.partsQueueUrl,
    // No file is split (1 TiB) unless a test sets partsConfig().
    FANOUT_THRESHOLD_MB: String(1024 * 1024),
    POWERTOOLS_METRICS_DISABLED: 'false',
    POWERTOOLS_LOG_LEVEL: 'INFO',
  };
}

/** Forgets what the handler printed so far. */
export function clearOutput(): void {
  state.output.length = 0;
}

// ---------- factories ----------

export const HEADER = 'order_id,customer_name,product_name,quantity,unit_price';

/** `n` valid rows in the seed's five-column format; ids are unique per `prefix`. */
export function validCsv(prefix: string, n: number): string {
  const rows = Array.from({ length: n }, (_, i) => `${prefix}-${i + 1},Customer ${i + 1},Widget ${i % 7},${(i % 5) + 1},${(i % 9) + 0.5}`);
  return `${HEADER}\n${rows.join('\n')}\n`;
}

export interface PutResult {
  key: string;
  etag: string;
  versionId: string | null;
  size: number;
}

export async function putRaw(key: string, body: string | Uint8Array, bucket = BUCKET): Promise<PutResult> {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const out = await state.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes }));
  return { key, etag: (out.ETag ?? '').replace(/"/g, ''), versionId: out.VersionId ?? null, size: bytes.byteLength };
}

/** The EventBridge "Object Created" event for an object (moto's shape unless told). */
export const objectCreatedBody = (obj: PutResult, shape: 'moto' | 'aws' = 'moto', bucket = BUCKET): string =>
  createdBody({ bucket, ...obj }, { shape });

let messageSeq = 0;
/** The SQS event the event-source mapping would deliver for these message bodies. */
export function sqsEvent(...bodies: string[]): SQSEvent {
  return toSqsEvent(
    bodies.map((Body) => {
      messageSeq++;
      return { MessageId: `00000000-0000-4000-8000-${String(messageSeq).padStart(12, '0')}`, ReceiptHandle: `receipt-${messageSeq}`, Body };
    }),
    QUEUE,
  );
}

/** An invocation's Context; its remaining time (and so the claim's lease) is `timeoutSeconds`. */
export function lambdaContext(timeoutSeconds = 300): Context {
  return buildContext({ ...FUNCTION, timeoutSeconds, memoryMb: 1024 });
}

export async function run(event: SQSEvent, h: SqsHandler = handler): Promise<SQSBatchResponse> {
  return h(event, lambdaContext());
}

/** Changes made to the SDK clients and configuration of a handler under test. */
export interface HandlerOptions {
  s3?: (client: S3Client) => void;
  ddb?: (client: DynamoDBClient) => void;
  sns?: (client: SNSClient) => void;
  sqs?: (client: SQSClient) => void;
  config?: Partial<ProcessorConfig>;
  writer?: RecordDeps['writer'];
}

/** A handler over moto clients that the test may change (fault-injecting middleware, configuration). */
export function handlerWith(options: HandlerOptions = {}): SqsHandler {
  const cfg = state.moto.clientConfig;
  const s3 = new S3Client(cfg);
  const ddb = new DynamoDBClient(cfg);
  const sns = new SNSClient(cfg);
  const sqs = new SQSClient(cfg);
  options.s3?.(s3);
  options.ddb?.(ddb);
  options.sns?.(sns);
  options.sqs?.(sqs);
  const deps: RecordDeps = {
    s3,
    doc: DynamoDBDocumentClient.from(ddb, { marshallOptions: { removeUndefinedValues: true } }),
    sns,
    sqs,
    config: {
      ordersTable: ORDERS,
      ingestionsTable: INGESTIONS,
      alertsTopicArn: state.topicArn,
      dataBucket: BUCKET,
      writeConcurrency: 4,
      writeRetryDeadlineMs: 60_000,
      stage: 'it',
      // No file is split (the threshold is 1 TiB) unless a test sets partsConfig().
      parts: { ...partsConfig(), thresholdMb: 1024 * 1024, chunkMb: 64 },
      ...options.config,
    },
    readOrders,
    ...(options.writer ? { writer: options.writer } : {}),
  };
  return createSqsHandler(() => deps);
}

/** Splitting files of 1 MiB or more into parts of about 1 MiB, through this file's parts queue. */
export function partsConfig(): ProcessorConfig['parts'] {
  return { queueUrl: state.partsQueueUrl, thresholdMb: 1, chunkMb: 1, maxReceives: PARTS_MAX_RECEIVES };
}

// ---------- observation ----------

export async function keysUnder(prefix: string, bucket = BUCKET): Promise<string[]> {
  const out = await state.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (out.Contents ?? []).map((o) => o.Key ?? '');
}

export async function text(key: string): Promise<string> {
  const out = await state.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return (await out.Body?.transformToString('utf8')) ?? '';
}

export async function bytes(key: string): Promise<Buffer> {
  const out = await state.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from((await out.Body?.transformToByteArray()) ?? []);
}

export async function ledgerItem(obj: PutResult, bucket = BUCKET): Promise<LedgerItem | undefined> {
  const out = await state.doc.send(
    new GetCommand({ TableName: INGESTIONS, Key: { [LEDGER.hashKey]: fileLedgerKey({ bucket, ...obj }) }, ConsistentRead: true }),
  );
  return out.Item as LedgerItem | undefined;
}

/** The stored items of these orders' line 1 (every order of a file without a line column has that one line). */
export async function orders(ids: string[], table = ORDERS): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  for (let i = 0; i < ids.length; i += 100) {
    let keys: Record<string, unknown>[] = ids.slice(i, i + 100).map((order_id) => ({ order_id, line: 1 }));
    // BatchGetItem may answer part of the keys: ask again for the rest.
    while (keys.length > 0) {
      const out = await state.doc.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: keys, ConsistentRead: true } } }));
      found.push(...(out.Responses?.[table] ?? []));
      keys = out.UnprocessedKeys?.[table]?.Keys ?? [];
    }
  }
  return found;
}

export interface Alert {
  subject: string;
  message: string;
}

/** Drains the SQS queue subscribed to the alerts topic. */
export async function receiveAlerts(waitSeconds = 1): Promise<Alert[]> {
  const alerts: Alert[] = [];
  for (;;) {
    const out = await state.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: state.alertsQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: alerts.length ? 0 : waitSeconds }),
    );
    const messages = out.Messages ?? [];
    if (messages.length === 0) return alerts;
    for (const m of messages) {
      const envelope = JSON.parse(m.Body ?? '{}') as { Subject?: string; Message?: string };
      alerts.push({ subject: envelope.Subject ?? '', message: envelope.Message ?? '' });
      await state.sqs.send(new DeleteMessageCommand({ QueueUrl: state.alertsQueueUrl, ReceiptHandle: m.ReceiptHandle }));
    }
  }
}

export interface EmfDoc {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [k: string]: unknown;
}

export function emfDocs(): EmfDoc[] {
  return state.output
    .flatMap((chunk) => chunk.split('\n'))
    .filter((l) => l.includes('"_aws"'))
    .map((l) => JSON.parse(l) as EmfDoc);
}

/** Sum of a metric over all EMF documents printed (values may be arrays). */
export function metricSum(name: string): number {
  let sum = 0;
  for (const d of emfDocs()) {
    const v = d[name];
    if (Array.isArray(v)) sum += v.reduce((a: number, b) => a + Number(b), 0);
    else if (typeof v === 'number') sum += v;
  }
  return sum;
}

export function logLines(): Record<string, unknown>[] {
  return state.output
    .flatMap((chunk) => chunk.split('\n'))
    .filter((l) => l.startsWith('{') && l.includes('"level"'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The conservation law every file must satisfy, checked against the ledger. */
export function expectConservation(item: LedgerItem | undefined): void {
  expect(item).toBeDefined();
  expect(item?.rows).toBe((item?.written ?? NaN) + (item?.rejected ?? NaN) + (item?.unloaded ?? 0));
}

/** How many items of the orders table carry this ingestion id (what the ledger's `written` must equal). */
export async function ordersOfIngestion(ingestionId: string, table = ORDERS): Promise<number> {
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const out = await state.doc.send(
      new ScanCommand({
        TableName: table,
        FilterExpression: '#ingestion = :id',
        ExpressionAttributeNames: { '#ingestion': 'ingestion_id' },
        ExpressionAttributeValues: { ':id': ingestionId },
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    count += out.Count ?? 0;
    start = out.LastEvaluatedKey;
  } while (start);
  return count;
}

/** Every line of one order, in line order (a Query by order_id: the orders table's partition key). */
export async function orderLines(orderId: string, table = ORDERS): Promise<Record<string, unknown>[]> {
  const out = await state.doc.send(
    new QueryCommand({ TableName: table, KeyConditionExpression: 'order_id = :id', ExpressionAttributeValues: { ':id': orderId }, ConsistentRead: true }),
  );
  return out.Items ?? [];
}

/** Permanently deletes one version of a raw object (what a lifecycle rule or "permanently delete" does). */
export async function deleteVersion(obj: PutResult, bucket = BUCKET): Promise<void> {
  await state.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: obj.key, ...(obj.versionId ? { VersionId: obj.versionId } : {}) }));
}

/** An error as a 5xx answer from AWS: the SDK retries it, and so does our writer. */
export function serviceUnavailable(): Error {
  return Object.assign(new Error('Service Unavailable'), { name: 'ServiceUnavailable', $fault: 'server', $metadata: { httpStatusCode: 503 } });
}

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The shop-style sample's schema: lines by position, order-level columns (sample-data/shop-export/). */
export const SHOP_SCHEMA = join(ROOT, 'sample-data/shop-export/order-schema.json');
/** The header of a shop-style export under SHOP_SCHEMA. */
export const SHOP_HEADER = 'Order Number,Created at,Billing Name,Email,Currency,Lineitem Name,Lineitem Quantity,Lineitem Price';

/** Orders of a shop-style export: each order's id and its lines as [product, quantity]. */
export type ShopOrders = readonly (readonly [string, readonly (readonly [string, number])[]])[];

/** A shop-style export under SHOP_SCHEMA (lines by position). */
export function shopCsv(orders: ShopOrders): string {
  const rows = orders.flatMap(([id, lines]) => lines.map(([product, quantity], i) => (i === 0 ? `${id},2025-05-01,Ann,,EUR,${product},${quantity},1` : `${id},,,,,${product},${quantity},1`)));
  return `${SHOP_HEADER}\n${rows.join('\n')}\n`;
}

/**
 * The handler (and any child process started from this one's environment) with `schema` as its
 * schema file, as synth puts it beside the function's code. Undo with useBuiltInSchema().
 */
export function useSchema(schema: string): void {
  const taskRoot = mkdtempSync(join(tmpdir(), 'order-schema-task-root-'));
  writeFileSync(join(taskRoot, 'order-schema.json'), readFileSync(schema));
  process.env.LAMBDA_TASK_ROOT = taskRoot;
  process.env[ENV.orderSchemaFile] = 'order-schema.json';
  resetHandlerState();
}

/** Back to the built-in schema (order-schema.json). */
export function useBuiltInSchema(): void {
  delete process.env.LAMBDA_TASK_ROOT;
  delete process.env[ENV.orderSchemaFile];
  resetHandlerState();
}
