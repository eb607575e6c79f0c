import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group/index.js';
import type { DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document/index.js';
import type { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table/index.js';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role/index.js';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy/index.js';
import type { KmsKey } from '@cdktf/provider-aws/lib/kms-key/index.js';
import { LambdaEventSourceMapping } from '@cdktf/provider-aws/lib/lambda-event-source-mapping/index.js';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function/index.js';
import type { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket/index.js';
import type { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic/index.js';
import type { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue/index.js';
import { AssetType, TerraformAsset } from 'cdktf';
import { Construct } from 'constructs';
import { ENV, METRICS_NAMESPACE, PREFIX, SERVICE_NAME } from '../functions/order-processor/settings.ts';
import type { LogLevel } from './config.ts';
import { policyDocument } from './policy.ts';

/** A DynamoDB table as the processor uses it: its name (environment) and ARN (permissions). */
type ProcessorTable = Pick<DynamodbTable, 'name' | 'arn'>;

/**
 * The processor's props. The four dependencies are the stack's constructs (Storage, Tables,
 * Alerts, Ingestion), typed by the members the processor actually uses. Sizing and tuning props have
 * no construct default: the stack passes the validated configuration, whose variable and default
 * each comment names (docs/deploy.md#configuration).
 */
export interface ProcessorProps {
  /** Prefix of every name (`order-pipeline-<stage>`): function `<prefix>-processor`, role `<prefix>-processor-role`. Required. */
  readonly namePrefix: string;
  /** Stage name, passed to the function as `STAGE`. Required; set from `PIPELINE_STAGE` (default `dev`). */
  readonly stage: string;
  /** Directory holding the esbuild bundle (index.js + source map); zipped as a TerraformAsset. Required. */
  readonly bundleDir: string;
  /** The data bucket: read and delete under raw-data/, write under processed-data/, archive/, failed-data/. Required. */
  readonly storage: { readonly bucket: Pick<S3Bucket, 'bucket' | 'arn'> };
  /** The orders table (batch writes) and the ingestion ledger (get/put/update). Required. */
  readonly tables: { readonly orders: ProcessorTable; readonly ingestions: ProcessorTable };
  /** The alerts topic the processor publishes to, and the key that encrypts it. Required. */
  readonly alerts: { readonly topic: Pick<SnsTopic, 'arn'>; readonly key: Pick<KmsKey, 'arn'> };
  /** The ingest queue the event-source mapping consumes. Required. */
  readonly ingestion: { readonly queue: Pick<SqsQueue, 'arn'> };
  /** Function memory in MB. Required; set from `LAMBDA_MEMORY_MB` (default 1024). */
  readonly memoryMb: number;
  /** Function timeout in seconds. Required; set from `LAMBDA_TIMEOUT_SECONDS` (default 300). */
  readonly timeoutSeconds: number;
  /** Powertools log level. Required; set from `LOG_LEVEL` (default INFO). */
  readonly logLevel: LogLevel;
  /** Days the function's logs are kept. Required; set from `LOG_RETENTION_DAYS` (default 30). */
  readonly logRetentionDays: number;
  /** BatchWriteItem requests in flight per file. Required; set from `WRITE_CONCURRENCY` (default 4). */
  readonly writeConcurrency: number;
  /** How long throttled writes are retried, in ms. Required; set from `WRITE_RETRY_DEADLINE_MS` (default 60000). */
  readonly writeRetryDeadlineMs: number;
  /** Files (SQS messages) per invocation. Required; set from `INGEST_BATCH_SIZE` (default 5). */
  readonly batchSize: number;
  /** Batching window of the event-source mapping in seconds. Required; set from `INGEST_BATCH_WINDOW_SECONDS` (default 0). */
  readonly batchWindowSeconds: number;
  /** Maximum concurrent invocations fed by the queue. Required; set from `INGEST_MAX_CONCURRENCY` (default 5). */
  readonly maxConcurrency: number;
  /** Whole-file cap on decompressed bytes, in MiB. Required; set from `MAX_FILE_MB` (default 16384). */
  readonly maxFileMb: number;
  /** Whole-file cap on physical lines. Required; set from `MAX_FILE_LINES` (default 100000000). */
  readonly maxFileLines: number;
}

export const RUNTIME = 'nodejs22.x';
export const ARCHITECTURE = 'arm64';

/** The order-processor Lambda, its role, logs and the SQS event-source mapping; docs/architecture.md. */
export class Processor extends Construct {
  readonly function: LambdaFunction;
  readonly role: IamRole;
  readonly logGroup: CloudwatchLogGroup;
  readonly eventSourceMapping: LambdaEventSourceMapping;

  constructor(scope: Construct, id: string, props: ProcessorProps) {
    super(scope, id);
    const functionName = `${props.namePrefix}-processor`;

    // Created before the function so Lambda never auto-creates it without retention.
    this.logGroup = new CloudwatchLogGroup(this, 'log-group', {
      name: `/aws/lambda/${functionName}`,
      retentionInDays: props.logRetentionDays,
    });

    // Only Lambda may assume the role.
    const assumeRole = policyDocument(this, 'assume-role', [
      {
        effect: 'Allow',
        principals: [{ type: 'Service', identifiers: ['lambda.amazonaws.com'] }],
        actions: ['sts:AssumeRole'],
      },
    ]);
    this.role = new IamRole(this, 'role', {
      name: `${functionName}-role`,
      assumeRolePolicy: assumeRole.json,
    });

    // Least privilege: each statement names the actions the handler performs and the exact
    // prefixes/tables/topic/queue/log group it performs them on. No wildcard actions or resources.
    const permissions = policyDocument(this, 'permissions', processorStatements(props, this.logGroup.arn));
    new IamRolePolicy(this, 'policy', {
      name: `${functionName}-permissions`,
      role: this.role.id,
      policy: permissions.json,
    });

    // The esbuild bundle, zipped by CDKTF at synth time (no archive provider needed).
    const code = new TerraformAsset(this, 'bundle', { path: props.bundleDir, type: AssetType.ARCHIVE });

    this.function = new LambdaFunction(this, 'function', {
      functionName,
      description: 'Validates order CSV files from raw-data/ and loads them into DynamoDB',
      role: this.role.arn,
      runtime: RUNTIME,
      architectures: [ARCHITECTURE],
      handler: 'index.handler',
      filename: code.path,
      sourceCodeHash: code.assetHash,
      memorySize: props.memoryMb,
      timeout: props.timeoutSeconds,
      environment: { variables: processorEnvironment(props) },
      dependsOn: [this.logGroup],
    });

    // SQS → Lambda: partial batch failures so one bad file does not redeliver its batch-mates;
    // maximum concurrency bounds the DynamoDB write pressure.
    this.eventSourceMapping = new LambdaEventSourceMapping(this, 'ingest-queue-mapping', {
      eventSourceArn: props.ingestion.queue.arn,
      functionName: this.function.arn,
      batchSize: props.batchSize,
      maximumBatchingWindowInSeconds: props.batchWindowSeconds,
      functionResponseTypes: ['ReportBatchItemFailures'],
      scalingConfig: { maximumConcurrency: props.maxConcurrency },
      // The role's SQS permissions must exist before Lambda validates the mapping.
      dependsOn: [this.role],
    });
  }
}

/** The function's environment: the settings.ts contract plus Powertools and source maps. */
export function processorEnvironment(props: ProcessorProps): Record<string, string> {
  return {
    [ENV.ordersTable]: props.tables.orders.name,
    [ENV.ingestionsTable]: props.tables.ingestions.name,
    [ENV.dataBucket]: props.storage.bucket.bucket,
    [ENV.alertsTopicArn]: props.alerts.topic.arn,
    [ENV.writeConcurrency]: String(props.writeConcurrency),
    [ENV.writeRetryDeadlineMs]: String(props.writeRetryDeadlineMs),
    [ENV.stage]: props.stage,
    [ENV.maxFileMb]: String(props.maxFileMb),
    [ENV.maxFileLines]: String(props.maxFileLines),
    POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    POWERTOOLS_LOG_LEVEL: props.logLevel,
    NODE_OPTIONS: '--enable-source-maps',
  };
}

function processorStatements(props: ProcessorProps, logGroupArn: string): DataAwsIamPolicyDocumentStatement[] {
  const bucketArn = props.storage.bucket.arn;
  const objects = (prefix: string) => `${bucketArn}/${prefix}*`;
  return [
    {
      // Read the dropped file (any version; CopyObject also reads its tags), and remove it from the
      // landing zone once handled.
      sid: 'ReadAndRemoveRawFiles',
      effect: 'Allow',
      actions: ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectTagging', 's3:GetObjectVersionTagging', 's3:DeleteObject'],
      resources: [objects(PREFIX.raw)],
    },
    {
      // Without ListBucket, S3 answers 403 instead of 404 for a key that is gone (a redelivered event
      // for a file already handled), and the handler could not tell "already done" from "forbidden".
      // Scoped to this one bucket and to listing keys; no s3:prefix condition, since that key is only
      // present on ListObjects requests and not on the existence check behind GetObject/HeadObject.
      sid: 'DistinguishMissingObjects',
      effect: 'Allow',
      actions: ['s3:ListBucket'],
      resources: [bucketArn],
    },
    {
      // Write cleaned output, the archived original (with its tags) and error reports (multipart
      // uploads included).
      sid: 'WriteRoutedFiles',
      effect: 'Allow',
      actions: ['s3:PutObject', 's3:PutObjectTagging', 's3:AbortMultipartUpload'],
      resources: [objects(PREFIX.processed), objects(PREFIX.archive), objects(PREFIX.failed)],
    },
    {
      // Upsert validated orders (BatchWriteItem puts only).
      sid: 'WriteOrders',
      effect: 'Allow',
      actions: ['dynamodb:BatchWriteItem'],
      resources: [props.tables.orders.arn],
    },
    {
      // The ingestion ledger: conditional claims, status updates and duplicate lookups (by key:
      // the processor never queries the by-day index, only the CLI does).
      sid: 'MaintainLedger',
      effect: 'Allow',
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      resources: [props.tables.ingestions.arn],
    },
    {
      // File outcomes are announced on the alerts topic (the topic policy also names this role).
      sid: 'PublishAlerts',
      effect: 'Allow',
      actions: ['sns:Publish'],
      resources: [props.alerts.topic.arn],
    },
    {
      // Publishing to an encrypted topic encrypts the message with the topic's key.
      sid: 'UseAlertsTopicKey',
      effect: 'Allow',
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: [props.alerts.key.arn],
    },
    {
      // What the event-source mapping does on the function's behalf.
      sid: 'ConsumeIngestQueue',
      effect: 'Allow',
      actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ChangeMessageVisibility'],
      resources: [props.ingestion.queue.arn],
    },
    {
      // Logs and EMF metrics (CloudWatch extracts metrics from the log lines: no PutMetricData).
      sid: 'WriteOwnLogs',
      effect: 'Allow',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [`${logGroupArn}:log-stream:*`],
    },
  ];
}
