import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group/index.js';
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
import { BUNDLED_SCHEMA_FILE, ENV, METRICS_NAMESPACE, SERVICE_NAME } from '../functions/order-processor/resource-names.ts';
import type { LogLevel } from './config.ts';
import { policyDocument } from './policy.ts';
import { processorStatements } from './processor-permissions.ts';

/** A DynamoDB table as the processor uses it: its name (environment) and ARN (permissions). */
type ProcessorTable = Pick<DynamodbTable, 'name' | 'arn'>;

/**
 * The processor's props. The five dependencies are the stack's constructs (Storage, Tables,
 * Alerts, Ingestion, Parts), typed by the members the processor actually uses. Sizing and tuning props have
 * no construct default: the stack passes the validated configuration, whose variable and default
 * each comment names (docs/deploy.md#configuration).
 */
export interface ProcessorProps {
  /** Prefix of every name (`order-pipeline-<stage>`): function `<prefix>-processor`, role `<prefix>-processor-role`. Required. */
  readonly namePrefix: string;
  /** Stage name, passed to the function as `STAGE`. Required; set from `PIPELINE_STAGE`. */
  readonly stage: string;
  /** Directory holding the esbuild bundle (index.js + source map); zipped as a TerraformAsset. Required. */
  readonly bundleDir: string;
  /** The data bucket: read and delete under raw-data/, write under processed-data/, archive/, failed-data/, all of it under staging/. Required. */
  readonly storage: { readonly bucket: Pick<S3Bucket, 'bucket' | 'arn'> };
  /** The orders table (batch writes) and the ingestion ledger (get/put/update). Required. */
  readonly tables: { readonly orders: ProcessorTable; readonly ingestions: ProcessorTable };
  /** The alerts topic the processor publishes to, and the key that encrypts it. Required. */
  readonly alerts: { readonly topic: Pick<SnsTopic, 'arn'>; readonly key: Pick<KmsKey, 'arn'> };
  /** The ingest queue the first event-source mapping consumes. Required. */
  readonly ingestion: { readonly queue: Pick<SqsQueue, 'arn'> };
  /**
   * The parts queue the processor sends a large file's parts to and the second mapping consumes,
   * and the receives after which it moves a part to its DLQ (passed as PARTS_MAX_RECEIVES, so the
   * processor fails the file on the last receive). Required.
   */
  readonly parts: { readonly queue: Pick<SqsQueue, 'arn' | 'url'>; readonly maxReceiveCount: number };
  /** Function memory in MB. Required; set from `LAMBDA_MEMORY_MB`. */
  readonly memoryMb: number;
  /** Function timeout in seconds. Required; set from `LAMBDA_TIMEOUT_SECONDS`. */
  readonly timeoutSeconds: number;
  /** Powertools log level. Required; set from `LOG_LEVEL`. */
  readonly logLevel: LogLevel;
  /** Days the function's logs are kept. Required; set from `LOG_RETENTION_DAYS`. */
  readonly logRetentionDays: number;
  /** BatchWriteItem requests in flight per file. Required; set from `WRITE_CONCURRENCY`. */
  readonly writeConcurrency: number;
  /** How long throttled writes are retried, in ms. Required; set from `WRITE_RETRY_DEADLINE_MS`. */
  readonly writeRetryDeadlineMs: number;
  /** Files (SQS messages) per invocation. Required; set from `INGEST_BATCH_SIZE`. */
  readonly batchSize: number;
  /** Batching window of the event-source mapping in seconds. Required; set from `INGEST_BATCH_WINDOW_SECONDS`. */
  readonly batchWindowSeconds: number;
  /**
   * Maximum concurrent invocations fed by each of the two queues (so up to twice this in all).
   * Required; set from `INGEST_MAX_CONCURRENCY`.
   */
  readonly maxConcurrency: number;
  /** Whole-file cap on decompressed bytes, in MiB. Required; set from `MAX_FILE_MB`. */
  readonly maxFileMb: number;
  /** Whole-file cap on physical lines. Required; set from `MAX_FILE_LINES`. */
  readonly maxFileLines: number;
  /** Files of at least this many MiB are processed in parts. Required; set from `FANOUT_THRESHOLD_MB`. */
  readonly fanoutThresholdMb: number;
  /** The nominal size of a part, in MiB. Required; set from `FANOUT_CHUNK_MB`. */
  readonly fanoutChunkMb: number;
}

export const RUNTIME = 'nodejs22.x';
export const ARCHITECTURE = 'arm64';

/** The order-processor Lambda, its role, logs and its two SQS event-source mappings; docs/architecture.md. */
export class Processor extends Construct {
  readonly function: LambdaFunction;
  readonly role: IamRole;
  readonly logGroup: CloudwatchLogGroup;
  /** Ingest queue → function: files, several per invocation. */
  readonly eventSourceMapping: LambdaEventSourceMapping;
  /** Parts queue → function: one part of a large file per invocation. */
  readonly partsEventSourceMapping: LambdaEventSourceMapping;

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

    // Least privilege (processor-permissions.ts): each statement names the actions the handler
    // performs and the exact prefixes/tables/topic/queues/log group it performs them on.
    const permissions = policyDocument(this, 'permissions', processorStatements(props, this.logGroup.arn));
    const rolePolicy = new IamRolePolicy(this, 'policy', {
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
      // The role's SQS permissions must exist before Lambda validates the mapping (it checks that
      // the role may receive from the queue when the mapping is created).
      dependsOn: [this.role, rolePolicy],
    });

    // Parts → Lambda: one part per invocation, so a part has the whole timeout and a failing part
    // is retried alone. The same maximum concurrency as the ingest mapping: each mapping is bounded
    // on its own, so the function may run up to twice INGEST_MAX_CONCURRENCY at once.
    this.partsEventSourceMapping = new LambdaEventSourceMapping(this, 'parts-queue-mapping', {
      eventSourceArn: props.parts.queue.arn,
      functionName: this.function.arn,
      batchSize: 1,
      maximumBatchingWindowInSeconds: 0,
      functionResponseTypes: ['ReportBatchItemFailures'],
      scalingConfig: { maximumConcurrency: props.maxConcurrency },
      dependsOn: [this.role, rolePolicy],
    });
  }
}

/** The function's environment: the resource-names.ts contract plus Powertools and source maps. */
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
    [ENV.partsQueueUrl]: props.parts.queue.url,
    [ENV.fanoutThresholdMb]: String(props.fanoutThresholdMb),
    [ENV.fanoutChunkMb]: String(props.fanoutChunkMb),
    [ENV.partsMaxReceives]: String(props.parts.maxReceiveCount),
    // The order schema synth put beside the bundle (main.ts): relative to the task root.
    [ENV.orderSchemaFile]: BUNDLED_SCHEMA_FILE,
    POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    POWERTOOLS_LOG_LEVEL: props.logLevel,
    NODE_OPTIONS: '--enable-source-maps',
  };
}
