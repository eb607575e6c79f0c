import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group/index.js';
import type { DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document/index.js';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role/index.js';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy/index.js';
import { LambdaEventSourceMapping } from '@cdktf/provider-aws/lib/lambda-event-source-mapping/index.js';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function/index.js';
import { AssetType, TerraformAsset } from 'cdktf';
import { Construct } from 'constructs';
import { ENV, METRICS_NAMESPACE, PREFIX, SERVICE_NAME } from '../functions/order-processor/settings.ts';
import type { LogLevel } from './config.ts';
import { policyDocument } from './policy.ts';

export interface ProcessorProps {
  namePrefix: string;
  stage: string;
  /** Directory holding the esbuild bundle (index.js + source map); zipped as a TerraformAsset. */
  bundleDir: string;
  memoryMb: number;
  timeoutSeconds: number;
  logLevel: LogLevel;
  logRetentionDays: number;
  writeConcurrency: number;
  writeRetryDeadlineMs: number;
  batchSize: number;
  batchWindowSeconds: number;
  maxConcurrency: number;
  bucketName: string;
  bucketArn: string;
  ordersTableName: string;
  ordersTableArn: string;
  ingestionsTableName: string;
  ingestionsTableArn: string;
  topicArn: string;
  topicKeyArn: string;
  queueArn: string;
}

export const RUNTIME = 'nodejs22.x';
export const ARCHITECTURE = 'arm64';

/** The order-processor Lambda, its role, logs and the SQS event-source mapping (DESIGN §1). */
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
      eventSourceArn: props.queueArn,
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
    [ENV.ordersTable]: props.ordersTableName,
    [ENV.ingestionsTable]: props.ingestionsTableName,
    [ENV.dataBucket]: props.bucketName,
    [ENV.alertsTopicArn]: props.topicArn,
    [ENV.writeConcurrency]: String(props.writeConcurrency),
    [ENV.writeRetryDeadlineMs]: String(props.writeRetryDeadlineMs),
    [ENV.stage]: props.stage,
    POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    POWERTOOLS_LOG_LEVEL: props.logLevel,
    NODE_OPTIONS: '--enable-source-maps',
  };
}

function processorStatements(props: ProcessorProps, logGroupArn: string): DataAwsIamPolicyDocumentStatement[] {
  const objects = (prefix: string) => `${props.bucketArn}/${prefix}*`;
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
      resources: [props.bucketArn],
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
      resources: [props.ordersTableArn],
    },
    {
      // The ingestion ledger: conditional claims, status updates and duplicate lookups (by key:
      // the processor never queries the by-day index, only the CLI does).
      sid: 'MaintainLedger',
      effect: 'Allow',
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      resources: [props.ingestionsTableArn],
    },
    {
      // Alerts go to the encrypted topic; SNS needs the publisher to use its key.
      sid: 'PublishAlerts',
      effect: 'Allow',
      actions: ['sns:Publish'],
      resources: [props.topicArn],
    },
    {
      sid: 'UseAlertsTopicKey',
      effect: 'Allow',
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: [props.topicKeyArn],
    },
    {
      // What the event-source mapping does on the function's behalf.
      sid: 'ConsumeIngestQueue',
      effect: 'Allow',
      actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ChangeMessageVisibility'],
      resources: [props.queueArn],
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
