/**
 * The AWS resources the benchmark needs, created on a moto server with the real SDK, laid out like
 * the integration tests' (tables from tooling/tables.ts; the tests' own setup imports vitest, so
 * it cannot be reused from a plain script).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { clientConfig, emulatorEnv } from '../tooling/aws-clients.ts';
import { ledgerTableCommand, ordersTableCommand } from '../tooling/tables.ts';

export const BENCH_REGION = 'us-east-1';

/** Names of everything the benchmark creates. */
export interface BenchResources {
  endpoint: string;
  bucket: string;
  /** The processor's orders table. */
  ordersTable: string;
  ingestionsTable: string;
  /** The peers' baseline writes here, so both item counts can be checked apart. */
  peerOrdersTable: string;
  topicArn: string;
}

/** SDK client configuration for the emulator (tooling/aws-clients.ts) in the benchmark's region. */
export function benchClientConfig(endpoint: string) {
  return clientConfig({ endpoint, region: BENCH_REGION });
}

/** Creates the bucket (versioned, like the stack), both orders tables, the ledger and the alerts topic. */
export async function createBenchResources(endpoint: string, suffix = 'bench'): Promise<BenchResources> {
  const cfg = benchClientConfig(endpoint);
  const s3 = new S3Client(cfg);
  const ddb = new DynamoDBClient(cfg);
  const sns = new SNSClient(cfg);
  const res: BenchResources = {
    endpoint,
    bucket: `order-pipeline-${suffix}-data`,
    ordersTable: `order-pipeline-${suffix}-orders`,
    ingestionsTable: `order-pipeline-${suffix}-ingestions`,
    peerOrdersTable: `order-pipeline-${suffix}-peer-orders`,
    topicArn: '',
  };
  try {
    await s3.send(new CreateBucketCommand({ Bucket: res.bucket }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: res.bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    await ddb.send(ordersTableCommand(res.ordersTable));
    await ddb.send(ordersTableCommand(res.peerOrdersTable));
    await ddb.send(ledgerTableCommand(res.ingestionsTable));
    res.topicArn = (await sns.send(new CreateTopicCommand({ Name: `order-pipeline-${suffix}-alerts` }))).TopicArn ?? '';
  } finally {
    s3.destroy();
    ddb.destroy();
    sns.destroy();
  }
  return res;
}

/**
 * The processor's environment contract (resource-names.ts ENV) for these resources, its AWS calls sent
 * to `endpoint` (moto itself, or the instant table in front of it).
 */
export function processorEnv(res: BenchResources, writeConcurrency: number, endpoint = res.endpoint): Record<string, string> {
  return {
    ...emulatorEnv(endpoint, BENCH_REGION),
    ORDERS_TABLE: res.ordersTable,
    INGESTIONS_TABLE: res.ingestionsTable,
    ALERTS_TOPIC_ARN: res.topicArn,
    DATA_BUCKET: res.bucket,
    STAGE: 'bench',
    WRITE_CONCURRENCY: String(writeConcurrency),
    // Logs at WARN (retries, faults): the benchmark measures the work, not per-file INFO lines.
    // Metrics stay on, as deployed (one EMF line per invocation).
    POWERTOOLS_LOG_LEVEL: 'WARN',
    POWERTOOLS_METRICS_DISABLED: 'false',
  };
}
