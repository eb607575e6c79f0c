/**
 * The local poller against a real SQS and DynamoDB (moto), with a stand-in handler: one
 * MappingPoller per queue feeding the function — the ingest queue and the parts queue — on one
 * pool of execution environments, and one event per file, per part and per unusable message.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { fileLedgerKey, partMessageBody, type PartMessage } from '../../../functions/order-processor/index.ts';
import type { FunctionDetails, MappingInfo } from '../../../deployment/event-source-mapping.ts';
import type { LedgerItem } from '../../../deployment/ledger-view.ts';
import type { QueueFeed, QueueRole } from '../../../deployment/processor-queues.ts';
import type { LocalOutputs } from '../../../deployment/local-home.ts';
import { LocalPoller, type PollerEvent } from '../../../local/poller.ts';
import { destroyClients, makeClients, type Clients } from '../../../tooling/aws-clients.ts';
import { objectCreatedBody } from '../../../tooling/lambda-events.ts';
import { ledgerTableCommand } from '../../../tooling/tables.ts';
import { TEST_REGION, useMoto } from '../../support/moto.ts';

const HANDLER = fileURLToPath(new URL('./lambda/fixtures/handler.ts', import.meta.url));
const LEDGER_TABLE = 'poller-test-ingestions';
const BUCKET = 'poller-test-bucket';

const FN: FunctionDetails = {
  functionName: 'fixture',
  functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:fixture',
  version: '$LATEST',
  memoryMb: 256,
  timeoutSeconds: 10,
  // Every invocation takes a while, so parts visibly overlap.
  environment: { FIXTURE_SLEEP_MS: '700' },
  runtime: 'nodejs22.x',
  handler: 'index.handler',
};

const moto = useMoto();
let clients: Clients;
let home: string;

beforeAll(async () => {
  clients = makeClients({ region: TEST_REGION, endpoint: moto.endpoint });
  await clients.ddb.send(ledgerTableCommand(LEDGER_TABLE));
  home = mkdtempSync(join(tmpdir(), 'order-pipeline-poller-'));
});

afterAll(() => {
  if (clients) destroyClients(clients);
  rmSync(home, { recursive: true, force: true });
});

let queueNumber = 0;

/** A queue feeding the function through a mapping with these settings. */
async function aFeed(role: QueueRole, mapping: Partial<MappingInfo>): Promise<QueueFeed> {
  const name = `poller-${role}-${++queueNumber}`;
  const deadLetterUrl = (await clients.sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }))).QueueUrl!;
  const url = (await clients.sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
  const arn = (await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  return {
    role,
    url,
    deadLetterUrl,
    arn,
    mapping: { uuid: `uuid-${role}`, batchSize: 1, enabled: true, state: 'Disabled', reportsBatchItemFailures: true, eventSourceArn: arn, ...mapping },
  };
}

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((s) => s()));
});

/** A running LocalPoller on these feeds; its events collect in `events`. */
async function aPoller(feeds: QueueFeed[]): Promise<{ poller: LocalPoller; events: PollerEvent[] }> {
  const events: PollerEvent[] = [];
  const outputs = { endpoint: moto.endpoint, region: TEST_REGION, ingestions_table_name: LEDGER_TABLE, bucket_name: BUCKET } as LocalOutputs;
  const poller = new LocalPoller({
    clients,
    outputs,
    feeds,
    fn: FN,
    deliveryFile: join(home, `delivery-${queueNumber}.json`),
    outboxDir: join(home, 'outbox'),
    processorLog: join(home, 'logs', 'processor.log'),
    handlerModule: HANDLER,
    waitSeconds: 1,
    onEvent: (e) => void events.push(e),
  });
  await poller.start();
  stops.push(() => poller.stop());
  return { poller, events };
}

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The part messages of one phase of a file of `parts` parts. */
function partBodies(key: string, phase: PartMessage['phase'], parts: number): string[] {
  return Array.from({ length: parts }, (_, part) =>
    partMessageBody({ phase, bucket: BUCKET, key, versionId: 'v1', etag: 'e1', size: 8 << 20, ingestionId: 'ing-1', planId: 'plan-1', part, parts }),
  );
}

/** The ledger item of a file in parts. */
async function putLedgerItem(key: string, fields: Partial<LedgerItem>): Promise<string> {
  const pk = fileLedgerKey({ bucket: BUCKET, key, versionId: 'v1', etag: 'e1' });
  await clients.doc.send(new PutCommand({ TableName: LEDGER_TABLE, Item: { pk, bucket: BUCKET, key, status: 'PROCESSING', ...fields } }));
  return pk;
}

async function sendAll(url: string, bodies: string[]): Promise<void> {
  for (let i = 0; i < bodies.length; i += 10) {
    await clients.sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: bodies.slice(i, i + 10).map((b, j) => ({ Id: String(i + j), MessageBody: b })) }));
  }
}

const partEvents = (events: PollerEvent[]) => events.filter((e): e is Extract<PollerEvent, { type: 'part' }> => e.type === 'part');

describe('LocalPoller', () => {
  it('polls the parts queue with a second mapping poller on the shared pool, parts side by side, each mapping within its own maximum', async () => {
    // Prepare
    const ingest = await aFeed('ingest', { batchSize: 5, maximumConcurrency: 2 });
    const parts = await aFeed('parts', { maximumConcurrency: 3 });
    const { poller, events } = await aPoller([ingest, parts]);
    await putLedgerItem('raw-data/big.csv', { parts: 6, phase: 'SCAN', parts_scanned: new Set([0]) } as Partial<LedgerItem>);

    // Act
    await sendAll(parts.url, partBodies('raw-data/big.csv', 'scan', 6));
    await clients.sqs.send(
      new SendMessageCommand({ QueueUrl: ingest.url, MessageBody: objectCreatedBody({ bucket: BUCKET, key: 'raw-data/small.csv', size: 10, etag: 'e1', versionId: 'v1' }) }),
    );
    await until('every part and the file handled', () => partEvents(events).length === 6 && events.some((e) => e.type === 'file'));

    // Assess: one event per part, naming it and its file, with the file's ledger item
    const parts6 = partEvents(events);
    expect(parts6.map((e) => e.part).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(new Set(parts6.map((e) => `${e.key} ${e.phase} of ${e.parts}`))).toEqual(new Set(['raw-data/big.csv scan of 6']));
    expect(parts6.every((e) => e.item?.status === 'PROCESSING' && !e.failed)).toBe(true);
    // Assess: parts ran side by side, never more than the parts mapping allows
    expect(Math.max(...parts6.map((e) => e.concurrent))).toBe(3);
    const stats = poller.stats();
    expect(stats.queues.parts).toEqual({ batches: 6, peakConcurrency: 3, concurrency: 3 });
    expect(stats.queues.ingest).toMatchObject({ batches: 1, concurrency: 2 });
    expect(stats.concurrency).toBe(5);
    expect(stats.environments).toBeLessThanOrEqual(5);
    expect(events.filter((e) => e.type === 'batch').map((e) => (e as { queue: string }).queue).sort()).toEqual(['ingest', ...Array(6).fill('parts')]);
    expect(events.find((e) => e.type === 'file')).toMatchObject({ type: 'file', key: 'raw-data/small.csv', item: null });
  }, 60_000);

  it('reports a file\'s final outcome once, from the first part that sees it', async () => {
    // Prepare
    const ingest = await aFeed('ingest', { maximumConcurrency: 2 });
    const parts = await aFeed('parts', { maximumConcurrency: 2 });
    const { events } = await aPoller([ingest, parts]);
    await putLedgerItem('raw-data/done.csv', { status: 'PARTIAL', parts: 4, parts_done: 4, rows: 10, written: 9, rejected: 1 } as Partial<LedgerItem>);

    // Act
    await sendAll(parts.url, partBodies('raw-data/done.csv', 'write', 4));
    await until('every part handled', () => partEvents(events).length === 4);

    // Assess
    const files = events.filter((e) => e.type === 'file');
    expect(files).toHaveLength(1);
    expect(files[0]).toMatchObject({ key: 'raw-data/done.csv', item: { status: 'PARTIAL', parts: 4 } });
  }, 60_000);

  it('names the parts queue when a message on it is unusable', async () => {
    // Prepare
    const ingest = await aFeed('ingest', { maximumConcurrency: 2 });
    const parts = await aFeed('parts', { maximumConcurrency: 2 });
    const { events } = await aPoller([ingest, parts]);

    // Act
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: parts.url, MessageBody: JSON.stringify({ type: 'order-pipeline.part', version: 99 }) }));
    const invalid = await until('the unusable message reported', () => events.find((e) => e.type === 'invalid-message'));

    // Assess
    expect(invalid).toMatchObject({ type: 'invalid-message', queue: 'parts' });
    expect((invalid as { reason: string }).reason).toContain('version');
  }, 60_000);

  it('polls the ingest queue alone on a stack without a parts queue', async () => {
    // Prepare
    const ingest = await aFeed('ingest', { maximumConcurrency: 2 });
    const { poller } = await aPoller([ingest]);

    // Assess
    expect(Object.keys(poller.stats().queues)).toEqual(['ingest']);
    expect(poller.stats().concurrency).toBe(2);
  }, 60_000);
});
