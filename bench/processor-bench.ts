/**
 * Part 2: the real processor (functions/order-processor/handler.ts) against moto: the file is put
 * in raw-data/, the handler gets the SQS event Lambda would deliver, and the outcome is checked
 * for conservation (rows = written + rejected, and the orders table holds `written` items).
 */
import { cpuUsage } from 'node:process';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { handler } from '../functions/order-processor/handler.ts';
import { fileLedgerKey, type LedgerItem } from '../functions/order-processor/index.ts';
import { LEDGER } from '../functions/order-processor/index.ts';
import { itemCount, RequestCounter, uploadFile } from './aws.ts';
import { benchContext, objectCreatedEvent } from './events.ts';
import { MemorySampler, type MemoryReport } from './memory.ts';
import { benchClientConfig, type BenchResources } from './setup.ts';

export interface ProcessorRunArgs {
  resources: BenchResources;
  path: string;
  /** Data rows the generator wrote (the ground truth for conservation). */
  expectedRows: number;
  writeConcurrency: number;
  label: string;
  /** Force a full GC this often to record the live heap (0 = off: it costs node CPU and time). */
  liveHeapEveryMs: number;
}

export interface ProcessorRunResult {
  label: string;
  writeConcurrency: number;
  seconds: number;
  rowsPerSecond: number;
  /** From the handler's start to its first BatchWriteItem: the claim plus pass 1 (read, validate, sha256). */
  secondsToFirstWrite: number | null;
  batchFailures: number;
  ledger: Pick<LedgerItem, 'status' | 'rows' | 'written' | 'rejected' | 'blank' | 'duration_ms' | 'reason'> | null;
  itemsInTable: number;
  requests: Record<string, number>;
  batchWriteCalls: number;
  cpuMs: number;
  memory: MemoryReport;
  conservation: { ok: boolean; checks: { name: string; ok: boolean; detail: string }[] };
}

export async function measureProcessor(args: ProcessorRunArgs, progress: (text: string) => void): Promise<ProcessorRunResult> {
  const { resources: res } = args;
  const cfg = benchClientConfig(res.endpoint);
  const s3 = new S3Client(cfg);
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient(cfg));
  const key = `raw-data/bench/${args.label}.csv${args.path.endsWith('.gz') ? '.gz' : ''}`;
  const obj = await uploadFile(s3, res.bucket, key, args.path);
  const event = objectCreatedEvent(obj);

  const counter = new RequestCounter().start();
  const sampler = new MemorySampler().start(10, args.liveHeapEveryMs);
  const cpu0 = cpuUsage();
  const t0 = performance.now();
  const ticker = setInterval(() => {
    const calls = counter.count('BatchWriteItem');
    const elapsed = ((performance.now() - t0) / 1000).toFixed(0);
    progress(
      calls === 0
        ? `${args.label}: pass 1 (read, validate, fingerprint)… ${elapsed} s`
        : `${args.label}: pass 2, ~${Math.min(args.expectedRows, calls * 25).toLocaleString('en-US')} / ${args.expectedRows.toLocaleString('en-US')} rows sent to DynamoDB… ${elapsed} s`,
    );
  }, 2000);
  let response;
  try {
    response = await handler(event, benchContext());
  } finally {
    clearInterval(ticker);
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuUsage(cpu0);
  const memory = sampler.stop();
  counter.stop();
  const firstWrite = counter.firstAt.get('BatchWriteItem');

  const ledgerOut = await doc.send(
    new GetCommand({ TableName: res.ingestionsTable, Key: { [LEDGER.hashKey]: fileLedgerKey(obj) }, ConsistentRead: true }),
  );
  const item = ledgerOut.Item as LedgerItem | undefined;
  const items = await itemCount(res.endpoint, res.ordersTable);
  s3.destroy();
  doc.destroy();

  const written = item?.written ?? NaN;
  const rejected = item?.rejected ?? NaN;
  const checks = [
    { name: 'no failed SQS record', ok: response.batchItemFailures.length === 0, detail: `${response.batchItemFailures.length} batch item failure(s)` },
    { name: 'ledger final', ok: item?.status === 'PROCESSED' || item?.status === 'PARTIAL', detail: `status ${item?.status ?? 'missing'}` },
    { name: 'rows = written + rejected', ok: item?.rows === written + rejected, detail: `${item?.rows} = ${written} + ${rejected}` },
    { name: 'rows = generated rows', ok: item?.rows === args.expectedRows, detail: `${item?.rows} vs ${args.expectedRows} generated` },
    { name: 'table items = written', ok: items === written, detail: `${items} items vs ${written} written` },
    {
      name: 'BatchWriteItem calls ≥ written / 25',
      ok: counter.count('BatchWriteItem') >= Math.ceil(written / 25),
      detail: `${counter.count('BatchWriteItem')} calls for ${written} items`,
    },
  ];
  return {
    label: args.label,
    writeConcurrency: args.writeConcurrency,
    seconds,
    rowsPerSecond: (item?.rows ?? 0) / seconds,
    secondsToFirstWrite: firstWrite === undefined ? null : (firstWrite - t0) / 1000,
    batchFailures: response.batchItemFailures.length,
    ledger: item
      ? { status: item.status, rows: item.rows, written: item.written, rejected: item.rejected, blank: item.blank, duration_ms: item.duration_ms, reason: item.reason ?? null }
      : null,
    itemsInTable: items,
    requests: counter.toJSON(),
    batchWriteCalls: counter.count('BatchWriteItem'),
    cpuMs: (cpu.user + cpu.system) / 1000,
    memory,
    conservation: { ok: checks.every((c) => c.ok), checks },
  };
}
