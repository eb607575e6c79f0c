import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group/index.js';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document/index.js';
import { LambdaEventSourceMapping } from '@cdktf/provider-aws/lib/lambda-event-source-mapping/index.js';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function/index.js';
import { Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { ENV, METRICS_NAMESPACE, SERVICE_NAME } from '../../functions/order-processor/resource-names.ts';
import { Processor, type ProcessorProps } from '../../modules/processor.ts';
import { blocksOfType, FIXTURE_BUNDLE_DIR, onlyBlockOfType, synthConstruct } from './synth.ts';

const BUCKET_ARN = 'arn:aws:s3:::the-bucket';
const ORDERS_ARN = 'arn:aws:dynamodb:eu-west-1:111122223333:table/orders';
const LEDGER_ARN = 'arn:aws:dynamodb:eu-west-1:111122223333:table/ingestions';
const TOPIC_ARN = 'arn:aws:sns:eu-west-1:111122223333:alerts';
const KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/abc';
const QUEUE_ARN = 'arn:aws:sqs:eu-west-1:111122223333:ingest';
const PARTS_QUEUE_ARN = 'arn:aws:sqs:eu-west-1:111122223333:parts';
const PARTS_QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/111122223333/parts';

function processorProps(overrides: Partial<ProcessorProps> = {}): ProcessorProps {
  return {
    namePrefix: 'order-pipeline-test',
    stage: 'test',
    bundleDir: FIXTURE_BUNDLE_DIR,
    memoryMb: 1024,
    timeoutSeconds: 300,
    logLevel: 'INFO',
    logRetentionDays: 30,
    writeConcurrency: 4,
    writeRetryDeadlineMs: 60_000,
    batchSize: 5,
    batchWindowSeconds: 0,
    maxConcurrency: 5,
    maxFileMb: 16_384,
    maxFileLines: 100_000_000,
    fanoutThresholdMb: 256,
    fanoutChunkMb: 64,
    // The parts of Storage, Tables, Alerts, Ingestion and Parts the processor uses, with fixed names/ARNs.
    storage: { bucket: { bucket: 'the-bucket', arn: BUCKET_ARN } },
    tables: { orders: { name: 'orders', arn: ORDERS_ARN }, ingestions: { name: 'ingestions', arn: LEDGER_ARN } },
    alerts: { topic: { arn: TOPIC_ARN }, key: { arn: KEY_ARN } },
    ingestion: { queue: { arn: QUEUE_ARN } },
    parts: { queue: { arn: PARTS_QUEUE_ARN, url: PARTS_QUEUE_URL }, maxReceiveCount: 3 },
    ...overrides,
  };
}

describe('Processor', () => {
  // Prepare: the processor construct with the default settings
  const synth = synthConstruct((stack) => new Processor(stack, 'processor', processorProps()));
  const fn = onlyBlockOfType(synth, LambdaFunction.tfResourceType);

  it('runs nodejs22.x on arm64 from the zipped bundle', () => {
    expect(fn).toMatchObject({
      function_name: 'order-pipeline-test-processor',
      runtime: 'nodejs22.x',
      architectures: ['arm64'],
      handler: 'index.handler',
      memory_size: 1024,
      timeout: 300,
      filename: expect.stringMatching(/^assets\/processor_bundle_\w+\/\w+\/archive\.zip$/),
      source_code_hash: expect.any(String),
    });
  });

  it('sets the resource-names.ts environment contract, Powertools and source maps', () => {
    expect(fn.environment).toEqual({
      variables: {
        [ENV.ordersTable]: 'orders',
        [ENV.ingestionsTable]: 'ingestions',
        [ENV.dataBucket]: 'the-bucket',
        [ENV.alertsTopicArn]: TOPIC_ARN,
        [ENV.writeConcurrency]: '4',
        [ENV.writeRetryDeadlineMs]: '60000',
        [ENV.stage]: 'test',
        [ENV.maxFileMb]: '16384',
        [ENV.maxFileLines]: '100000000',
        [ENV.partsQueueUrl]: PARTS_QUEUE_URL,
        [ENV.fanoutThresholdMb]: '256',
        [ENV.fanoutChunkMb]: '64',
        [ENV.partsMaxReceives]: '3',
        [ENV.orderSchemaFile]: 'order-schema.json',
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
      },
    });
  });

  it('creates its log group first, with retention', () => {
    expect(Testing.toHaveResourceWithProperties(synth, CloudwatchLogGroup.tfResourceType, {
      name: '/aws/lambda/order-pipeline-test-processor',
      retention_in_days: 30,
    })).toBe(true);
    expect(fn.depends_on).toEqual([expect.stringMatching(/^aws_cloudwatch_log_group\./)]);
  });

  it('maps the ingest queue with partial batch failures, batch size and maximum concurrency, once the role may receive', () => {
    expect(Testing.toHaveResourceWithProperties(synth, LambdaEventSourceMapping.tfResourceType, {
      event_source_arn: QUEUE_ARN,
      batch_size: 5,
      maximum_batching_window_in_seconds: 0,
      function_response_types: ['ReportBatchItemFailures'],
      scaling_config: { maximum_concurrency: 5 },
    })).toBe(true);
    expect(blocksOfType(synth, LambdaEventSourceMapping.tfResourceType).find((m) => m.event_source_arn === QUEUE_ARN)?.depends_on).toEqual([
      expect.stringMatching(/^aws_iam_role\./),
      expect.stringMatching(/^aws_iam_role_policy\./),
    ]);
  });

  it('maps the parts queue one part per invocation, with partial batch failures and the same maximum concurrency, once the role may receive', () => {
    // Act
    const mappings = blocksOfType(synth, LambdaEventSourceMapping.tfResourceType);
    const parts = mappings.find((m) => m.event_source_arn === PARTS_QUEUE_ARN);

    // Assess
    expect(mappings).toHaveLength(2);
    expect(parts).toMatchObject({
      function_name: expect.stringMatching(/aws_lambda_function\.processor_function_\w+\.arn/),
      batch_size: 1,
      maximum_batching_window_in_seconds: 0,
      function_response_types: ['ReportBatchItemFailures'],
      scaling_config: { maximum_concurrency: 5 },
      depends_on: [expect.stringMatching(/^aws_iam_role\./), expect.stringMatching(/^aws_iam_role_policy\./)],
    });
  });

  it('grants exactly the actions on exactly the resources the handler uses', () => {
    // Act
    const documents = blocksOfType(synth, DataAwsIamPolicyDocument.tfResourceType, 'data');
    const permissions = documents.find((d) => (d.statement as { sid?: string }[]).some((s) => s.sid === 'WriteOrders'));
    const grants = (permissions?.statement as { actions: string[]; resources: string[] }[]).map((s) => [s.actions, s.resources]);

    // Assess
    expect(grants).toEqual([
      [['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectTagging', 's3:GetObjectVersionTagging', 's3:DeleteObject'], [`${BUCKET_ARN}/raw-data/*`]],
      [['s3:ListBucket'], [BUCKET_ARN]],
      [['s3:PutObject', 's3:PutObjectTagging', 's3:AbortMultipartUpload'], [`${BUCKET_ARN}/processed-data/*`, `${BUCKET_ARN}/archive/*`, `${BUCKET_ARN}/failed-data/*`]],
      [['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'], [`${BUCKET_ARN}/staging/*`]],
      [['dynamodb:BatchWriteItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:DeleteItem'], [ORDERS_ARN]],
      [['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], [LEDGER_ARN]],
      [['sns:Publish'], [TOPIC_ARN]],
      [['kms:GenerateDataKey', 'kms:Decrypt'], [KEY_ARN]],
      [['sqs:SendMessage'], [PARTS_QUEUE_ARN]],
      [['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ChangeMessageVisibility'], [QUEUE_ARN, PARTS_QUEUE_ARN]],
      [['logs:CreateLogStream', 'logs:PutLogEvents'], [expect.stringMatching(/^\$\{aws_cloudwatch_log_group\.processor_log-group_\w+\.arn\}:log-stream:\*$/)]],
    ]);
  });

  it('grants a multipart copy exactly what S3 checks: s3:GetObject on each source prefix, s3:PutObject on each destination prefix', () => {
    // Prepare: UploadPartCopy reads the source with s3:GetObject; CreateMultipartUpload, UploadPartCopy
    // and CompleteMultipartUpload write the destination with s3:PutObject.
    const documents = blocksOfType(synth, DataAwsIamPolicyDocument.tfResourceType, 'data');
    const statements = (documents.find((d) => (d.statement as { sid?: string }[]).some((s) => s.sid === 'WriteOrders'))?.statement ?? []) as {
      actions: string[];
      resources: string[];
    }[];
    const allowed = (action: string, prefix: string) => statements.some((s) => s.actions.includes(action) && s.resources.includes(`${BUCKET_ARN}/${prefix}*`));
    const copies = [
      ['raw-data/', 'archive/'],
      ['staging/', 'archive/'],
      ['raw-data/', 'failed-data/'],
      ['staging/', 'processed-data/'],
      ['staging/', 'failed-data/'],
    ];

    // Act
    const missing = copies.filter(([from, to]) => !allowed('s3:GetObject', from ?? '') || !allowed('s3:PutObject', to ?? ''));

    // Assess
    expect(missing).toEqual([]);
    expect(allowed('s3:PutObject', 'raw-data/')).toBe(false);
    expect(statements.flatMap((s) => s.actions).filter((a) => /UploadPartCopy|CompleteMultipartUpload|CreateMultipartUpload/.test(a))).toEqual([]);
  });

  it('lets only Lambda assume the role', () => {
    expect(Testing.toHaveDataSourceWithProperties(synth, DataAwsIamPolicyDocument.tfResourceType, {
      statement: [{ effect: 'Allow', actions: ['sts:AssumeRole'], principals: [{ type: 'Service', identifiers: ['lambda.amazonaws.com'] }] }],
    })).toBe(true);
  });

  it('follows other memory, timeout, batch, concurrency, file caps and part sizes', () => {
    // Act
    const sized = synthConstruct(
      (stack) =>
        new Processor(stack, 'p', processorProps({
          memoryMb: 2048,
          timeoutSeconds: 60,
          batchSize: 20,
          batchWindowSeconds: 5,
          maxConcurrency: 50,
          logLevel: 'DEBUG',
          maxFileMb: 64,
          maxFileLines: 5000,
          fanoutThresholdMb: 8,
          fanoutChunkMb: 2,
        })),
    );

    // Assess
    expect(Testing.toHaveResourceWithProperties(sized, LambdaFunction.tfResourceType, { memory_size: 2048, timeout: 60 })).toBe(true);
    expect(onlyBlockOfType(sized, LambdaFunction.tfResourceType).environment).toMatchObject({
      variables: { [ENV.maxFileMb]: '64', [ENV.maxFileLines]: '5000', [ENV.fanoutThresholdMb]: '8', [ENV.fanoutChunkMb]: '2', POWERTOOLS_LOG_LEVEL: 'DEBUG' },
    });
    expect(Testing.toHaveResourceWithProperties(sized, LambdaEventSourceMapping.tfResourceType, {
      batch_size: 20,
      maximum_batching_window_in_seconds: 5,
      scaling_config: { maximum_concurrency: 50 },
    })).toBe(true);
    expect(Testing.toHaveResourceWithProperties(sized, LambdaEventSourceMapping.tfResourceType, {
      event_source_arn: PARTS_QUEUE_ARN,
      batch_size: 1,
      scaling_config: { maximum_concurrency: 50 },
    })).toBe(true);
  });
});
