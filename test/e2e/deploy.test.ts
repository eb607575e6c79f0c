/**
 * End to end: `terraform apply` of the synthesized stack, unchanged, against the moto emulator
 * (once for this file), then the deployed resources read back through the AWS SDK (the ingest and
 * parts queues, their mappings, alarms, dashboard), a real file drop arriving on the ingest queue,
 * and `terraform destroy`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient, DescribeAlarmsCommand, GetDashboardCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeRuleCommand, EventBridgeClient, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { GetFunctionConfigurationCommand, LambdaClient, ListEventSourceMappingsCommand } from '@aws-sdk/client-lambda';
import {
  GetBucketEncryptionCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relaxTlsOnlyBucketPolicy } from '../../local/emulator-fixups.ts';
import { DEFAULTS, wholeFileThresholdMb } from '../../functions/order-processor/defaults.ts';
import { ENV, METRIC, METRICS_NAMESPACE, SERVICE_NAME } from '../../functions/order-processor/index.ts';
import { clientConfig, emulatorEnv } from '../../tooling/aws-clients.ts';
import { startMoto, type MotoServer } from '../../tooling/emulator.ts';
import { deployStack, destroyStack, type StackOutputs } from '../../tooling/terraform.ts';
import { TEST_REGION } from '../support/moto.ts';

const STAGE = 'e2e';
const TIMEOUT_SECONDS = 120;
/** FANOUT_THRESHOLD_MB unset: derived from the memory and timeout; the part size is then capped by it. */
const THRESHOLD_MB = wholeFileThresholdMb(DEFAULTS.LAMBDA_MEMORY_MB, TIMEOUT_SECONDS);

describe('deploy to the emulator', () => {
  let moto: MotoServer;
  let outputs: StackOutputs;
  let env: Record<string, string>;
  const outDir = mkdtempSync(join(tmpdir(), 'order-pipeline-e2e-'));
  const log: string[] = [];
  let deploySeconds = 0;

  beforeAll(async () => {
    moto = await startMoto();
    env = {
      ...emulatorEnv(moto.endpoint, TEST_REGION),
      PIPELINE_STAGE: STAGE,
      ALERT_EMAILS: 'ops@example.com',
      LAMBDA_TIMEOUT_SECONDS: String(TIMEOUT_SECONDS),
      INGEST_BATCH_SIZE: '4',
      INGEST_MAX_CONCURRENCY: '3',
    };
    const started = Date.now();
    try {
      ({ outputs } = await deployStack({ env, outDir, onLine: (line) => log.push(line) }));
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- terraform output (last 40 lines) ---\n${log.slice(-40).join('\n')}`);
    }
    deploySeconds = (Date.now() - started) / 1000;
  }, 300_000);

  afterAll(async () => {
    await moto?.stop();
    rmSync(outDir, { recursive: true, force: true });
  });

  const config = () => clientConfig({ endpoint: moto.endpoint, region: TEST_REGION });
  const queueArn = (url: string) => {
    const [, account, name] = new URL(url).pathname.split('/');
    return `arn:aws:sqs:${TEST_REGION}:${account}:${name}`;
  };

  it('outputs a name for every resource of the stage', () => {
    // Assess
    expect(outputs).toMatchObject({
      bucket_name: `order-pipeline-${STAGE}-data-123456789012-${TEST_REGION}`,
      orders_table_name: `order-pipeline-${STAGE}-orders`,
      ingestions_table_name: `order-pipeline-${STAGE}-ingestions`,
      alerts_topic_arn: `arn:aws:sns:${TEST_REGION}:123456789012:order-pipeline-${STAGE}-alerts`,
      processor_function_name: `order-pipeline-${STAGE}-processor`,
      dashboard_name: `order-pipeline-${STAGE}`,
      region: TEST_REGION,
    });
    expect(outputs.ingest_queue_url).toMatch(new RegExp(`/order-pipeline-${STAGE}-ingest$`));
    expect(outputs.dead_letter_queue_url).toMatch(new RegExp(`/order-pipeline-${STAGE}-ingest-dlq$`));
    expect(outputs.parts_queue_url).toMatch(new RegExp(`/order-pipeline-${STAGE}-parts$`));
    expect(outputs.parts_dead_letter_queue_url).toMatch(new RegExp(`/order-pipeline-${STAGE}-parts-dlq$`));
    expect(log.join('\n')).toMatch(/Apply complete! Resources: \d+ added, 0 changed, 0 destroyed\./);
    process.stdout.write(`deployed to moto in ${deploySeconds.toFixed(0)} s\n`);
  });

  it('creates the bucket versioned, encrypted, private and TLS-only', async () => {
    // Prepare
    const s3 = new S3Client(config());
    const Bucket = outputs.bucket_name;

    // Act
    const versioning = await s3.send(new GetBucketVersioningCommand({ Bucket }));
    const encryption = await s3.send(new GetBucketEncryptionCommand({ Bucket }));
    const publicAccess = await s3.send(new GetPublicAccessBlockCommand({ Bucket }));
    const policy = JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket }))).Policy ?? '{}') as { Statement: unknown[] };

    // Assess
    expect(versioning.Status).toBe('Enabled');
    expect(encryption.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm).toBe('AES256');
    expect(publicAccess.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
    expect(policy.Statement).toEqual([
      expect.objectContaining({ Effect: 'Deny', Principal: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    ]);
  });

  it('creates the rule matching our raw-data/ objects, targeting the ingest queue with a DLQ', async () => {
    // Prepare
    const events = new EventBridgeClient(config());
    const Name = `order-pipeline-${STAGE}-raw-object-created`;

    // Act
    const rule = await events.send(new DescribeRuleCommand({ Name }));
    const { Targets } = await events.send(new ListTargetsByRuleCommand({ Rule: Name }));

    // Assess
    expect(JSON.parse(rule.EventPattern ?? '{}')).toEqual({
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: { bucket: { name: [outputs.bucket_name] }, object: { key: [{ prefix: 'raw-data/' }] } },
    });
    expect(Targets).toHaveLength(1);
    expect(Targets?.[0]).toMatchObject({
      Arn: queueArn(outputs.ingest_queue_url),
      DeadLetterConfig: { Arn: queueArn(outputs.dead_letter_queue_url) },
      RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
    });
  });

  it('creates the ingest queue redriving to the DLQ after 3 receives, with 6× the function timeout as visibility', async () => {
    // Prepare
    const sqs = new SQSClient(config());

    // Act
    const ingest = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: outputs.ingest_queue_url, AttributeNames: ['All'] }));
    const dlq = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: outputs.dead_letter_queue_url, AttributeNames: ['All'] }));
    const redrive = JSON.parse(ingest.Attributes?.RedrivePolicy ?? '{}') as { maxReceiveCount: unknown; deadLetterTargetArn: string };

    // Assess
    expect(Number(redrive.maxReceiveCount)).toBe(3);
    expect(redrive.deadLetterTargetArn).toBe(queueArn(outputs.dead_letter_queue_url));
    expect(ingest.Attributes?.VisibilityTimeout).toBe(String(6 * TIMEOUT_SECONDS));
    expect(ingest.Attributes?.SqsManagedSseEnabled).toBe('true');
    expect(dlq.Attributes?.MessageRetentionPeriod).toBe('1209600');
    expect(JSON.stringify(JSON.parse(ingest.Attributes?.Policy ?? '{}'))).toContain('aws:SourceArn');
  });

  it('creates the parts queue redriving to its own DLQ after 3 receives, encrypted, with 6× the function timeout as visibility', async () => {
    // Prepare
    const sqs = new SQSClient(config());

    // Act
    const parts = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: outputs.parts_queue_url, AttributeNames: ['All'] }));
    const dlq = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: outputs.parts_dead_letter_queue_url, AttributeNames: ['All'] }));
    const redrive = JSON.parse(parts.Attributes?.RedrivePolicy ?? '{}') as { maxReceiveCount: unknown; deadLetterTargetArn: string };
    const policy = JSON.stringify(JSON.parse(parts.Attributes?.Policy ?? '{}'));

    // Assess
    expect(Number(redrive.maxReceiveCount)).toBe(3);
    expect(redrive.deadLetterTargetArn).toBe(queueArn(outputs.parts_dead_letter_queue_url));
    expect(parts.Attributes).toMatchObject({ VisibilityTimeout: String(6 * TIMEOUT_SECONDS), MessageRetentionPeriod: '345600', SqsManagedSseEnabled: 'true' });
    expect(dlq.Attributes).toMatchObject({ MessageRetentionPeriod: '1209600', SqsManagedSseEnabled: 'true' });
    expect(policy).toContain(`:role/order-pipeline-${STAGE}-processor-role`);
    expect(policy).toContain('"Sid":"RolesSendParts"');
    expect(policy).toContain('aws:SecureTransport');
  });

  it('creates the function with the synthesized runtime, architecture, environment and queue mapping', async () => {
    // Prepare
    const lambda = new LambdaClient(config());

    // Act
    const fn = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: outputs.processor_function_name }));
    // Filter by queue: moto 5.2.1 matches FunctionName only against the full function ARN.
    const { EventSourceMappings } = await lambda.send(new ListEventSourceMappingsCommand({ EventSourceArn: queueArn(outputs.ingest_queue_url) }));

    // Assess
    expect(fn.Runtime).toBe('nodejs22.x');
    expect(fn.Architectures).toEqual(['arm64']);
    expect(fn.Handler).toBe('index.handler');
    expect(fn.Timeout).toBe(TIMEOUT_SECONDS);
    expect(fn.Environment?.Variables).toMatchObject({
      [ENV.ordersTable]: outputs.orders_table_name,
      [ENV.ingestionsTable]: outputs.ingestions_table_name,
      [ENV.dataBucket]: outputs.bucket_name,
      [ENV.alertsTopicArn]: outputs.alerts_topic_arn,
      [ENV.stage]: STAGE,
      [ENV.partsQueueUrl]: outputs.parts_queue_url,
      [ENV.partsMaxReceives]: '3',
      [ENV.fanoutThresholdMb]: String(THRESHOLD_MB),
      [ENV.fanoutChunkMb]: String(Math.min(DEFAULTS.FANOUT_CHUNK_MB, THRESHOLD_MB)),
      POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      NODE_OPTIONS: '--enable-source-maps',
    });
    expect(EventSourceMappings).toHaveLength(1);
    expect(EventSourceMappings?.[0]).toMatchObject({
      FunctionArn: fn.FunctionArn,
      BatchSize: 4,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 3 },
    });
  });

  it('maps the parts queue to the function one part at a time, bounded by the same maximum concurrency', async () => {
    // Prepare
    const lambda = new LambdaClient(config());

    // Act
    const { EventSourceMappings } = await lambda.send(new ListEventSourceMappingsCommand({ EventSourceArn: queueArn(outputs.parts_queue_url) }));

    // Assess
    expect(EventSourceMappings).toHaveLength(1);
    expect(EventSourceMappings?.[0]).toMatchObject({
      FunctionArn: expect.stringMatching(new RegExp(`:function:${outputs.processor_function_name}$`)),
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 3 },
    });
  });

  it('creates ten alarms that notify the topic on ALARM and OK, missing data not breaching', async () => {
    // Prepare
    const cloudwatch = new CloudWatchClient(config());

    // Act
    const { MetricAlarms = [] } = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: `order-pipeline-${STAGE}-` }));

    // Assess
    expect(MetricAlarms.map((a) => a.AlarmName?.replace(`order-pipeline-${STAGE}-`, '')).sort()).toEqual([
      'alerts-failed',
      'dlq-not-empty',
      'dynamodb-throttling',
      'files-failed',
      'ingest-queue-age',
      'parts-dlq-not-empty',
      'parts-queue-age',
      'processor-errors',
      'processor-throttles',
      'rejected-row-ratio',
    ]);
    for (const alarm of MetricAlarms) {
      expect(alarm).toMatchObject({ AlarmActions: [outputs.alerts_topic_arn], OKActions: [outputs.alerts_topic_arn], TreatMissingData: 'notBreaching' });
    }
    const named = (name: string) => MetricAlarms.find((a) => a.AlarmName === `order-pipeline-${STAGE}-${name}`);
    expect(named('dlq-not-empty')?.MetricName).toBe('ApproximateNumberOfMessagesVisible');
    expect(named('parts-dlq-not-empty')).toMatchObject({ MetricName: 'ApproximateNumberOfMessagesVisible', Dimensions: [{ Name: 'QueueName', Value: `order-pipeline-${STAGE}-parts-dlq` }] });
    expect(named('parts-queue-age')).toMatchObject({ MetricName: 'ApproximateAgeOfOldestMessage', Dimensions: [{ Name: 'QueueName', Value: `order-pipeline-${STAGE}-parts` }] });
  });

  it('creates the dashboard charting every metric the processor emits', async () => {
    // Act
    const dashboard = await new CloudWatchClient(config()).send(new GetDashboardCommand({ DashboardName: outputs.dashboard_name }));
    const body = JSON.parse(dashboard.DashboardBody ?? '{}') as { widgets: { properties: { metrics?: string[][] } }[] };
    const charted = new Set(body.widgets.flatMap((w) => w.properties.metrics ?? []).filter((m) => m[0] === METRICS_NAMESPACE).map((m) => m[1]));

    // Assess: the custom metrics, and the references to the deployed resources resolved by Terraform
    expect([...charted].sort()).toEqual(Object.values(METRIC).sort());
    for (const name of [outputs.processor_function_name, outputs.orders_table_name, `order-pipeline-${STAGE}-ingest-dlq`, `order-pipeline-${STAGE}-parts`, `order-pipeline-${STAGE}-parts-dlq`]) {
      expect(dashboard.DashboardBody).toContain(`"${name}"`);
    }
    expect(dashboard.DashboardBody).not.toContain('${');
  });

  // This is also the check that the bucket's EventBridge notifications are on: moto only forwards
  // S3 events to EventBridge when they are, and moto 5.2.1's GetBucketNotificationConfiguration
  // leaves EventBridgeConfiguration out of its answer, so it cannot be read back directly.
  it('delivers the Object Created event of a CSV dropped under raw-data/ to the ingest queue, and nothing from other prefixes', async () => {
    // Prepare
    const s3 = new S3Client(config());
    const sqs = new SQSClient(config());
    const key = 'raw-data/e2e/orders-2026-11-22.csv';
    // moto ignores the policy's aws:SecureTransport condition and would deny every plain-HTTP request:
    // relax the emulator's copy exactly as `order-pipeline local up` does (the stack stays unchanged).
    expect(await relaxTlsOnlyBucketPolicy(s3, outputs.bucket_name)).toBe(true);
    const csv = 'order_id,customer_name,product_name,quantity,unit_price\nE2E-1,Ada,Widget,2,9.99\n';
    await s3.send(new PutObjectCommand({ Bucket: outputs.bucket_name, Key: 'processed-data/not-an-input.csv', Body: csv }));

    // Act
    await s3.send(new PutObjectCommand({ Bucket: outputs.bucket_name, Key: key, Body: csv }));
    const received: Message[] = [];
    const deadline = Date.now() + 45_000;
    while (Date.now() < deadline && !received.some((m) => m.Body?.includes(key))) {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: outputs.ingest_queue_url, MaxNumberOfMessages: 10, WaitTimeSeconds: 5 }));
      received.push(...Messages);
    }
    const events = received.map((m) => JSON.parse(m.Body ?? '{}') as { 'detail-type': string; source: string; detail: { bucket: { name: string }; object: { key: string } } });

    // Assess
    expect(events.map((e) => e.detail.object.key)).toEqual([key]);
    expect(events[0]).toMatchObject({ source: 'aws.s3', 'detail-type': 'Object Created', detail: { bucket: { name: outputs.bucket_name } } });
  }, 60_000);

  it('removes every resource with terraform destroy', async () => {
    // Act
    const lines: string[] = [];
    await destroyStack({ env, outDir, onLine: (line) => lines.push(line) });

    // Assess
    expect(lines.join('\n')).toMatch(/Destroy complete! Resources: \d+ destroyed\./);
  }, 180_000);
});
