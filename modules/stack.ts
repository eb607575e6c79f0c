import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity/index.js';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition/index.js';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider/index.js';
import { LocalBackend, S3Backend, TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { Alerts } from './alerts.ts';
import { namePrefix, type PipelineConfig } from './config.ts';
import type { DeploymentEnvironment } from './environment.ts';
import { Ingestion } from './ingestion.ts';
import { Monitoring } from './monitoring.ts';
import { OUTPUT_NAMES, type StackOutputs } from './outputs.ts';
import { Parts } from './parts.ts';
import { Processor } from './processor.ts';
import { Storage } from './storage.ts';
import { Tables } from './tables.ts';

export interface OrderPipelineStackProps {
  /** The validated configuration (`loadConfig` in config.ts). Required. */
  readonly config: PipelineConfig;
  /** Directory with the processor's esbuild bundle (scripts/bundle-processor.ts). Required. */
  readonly bundleDir: string;
}

export { OUTPUT_NAMES, type OutputName } from './outputs.ts';

/** The whole pipeline for one stage: the constructs of modules/ wired together (docs/architecture.md). */
export class OrderPipelineStack extends TerraformStack {
  readonly storage: Storage;
  readonly tables: Tables;
  readonly alerts: Alerts;
  readonly ingestion: Ingestion;
  readonly parts: Parts;
  readonly processor: Processor;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: OrderPipelineStackProps) {
    super(scope, id);
    const { config } = props;
    const prefix = namePrefix(config.stage);

    // Plain provider: AWS_ENDPOINT_URL (the emulator) and the credential chain come from the environment.
    new AwsProvider(this, 'aws', {
      region: config.region,
      defaultTags: [{ tags: { Project: 'order-pipeline', Stage: config.stage, ManagedBy: 'cdktf' } }],
    });

    // Remote state when configured; otherwise a state file in the stack directory (relative path:
    // Terraform resolves it against its working directory, so re-synthesizing keeps the state).
    if (!config.remoteState) {
      new LocalBackend(this, { path: 'terraform.tfstate' });
    } else {
      new S3Backend(this, {
        bucket: config.remoteState.bucket,
        key: config.remoteState.key,
        region: config.remoteState.region,
        encrypt: true,
        ...(config.remoteState.lockTable ? { dynamodbTable: config.remoteState.lockTable } : {}),
      });
    }

    // The account id makes the bucket name globally unique; the partition keeps ARNs portable.
    const identity = new DataAwsCallerIdentity(this, 'caller');
    const partition = new DataAwsPartition(this, 'partition');
    const environment: DeploymentEnvironment = { accountId: identity.accountId, partition: partition.partition, region: config.region };

    // Each construct receives the constructs it depends on; the order is the dependency order.
    this.storage = new Storage(this, 'storage', {
      namePrefix: prefix,
      environment,
      lifecycle: config.lifecycle,
      deletionProtection: config.deletionProtection,
    });
    this.tables = new Tables(this, 'tables', { namePrefix: prefix, deletionProtection: config.deletionProtection });
    this.alerts = new Alerts(this, 'alerts', { namePrefix: prefix, environment, alertEmails: config.alertEmails });
    this.ingestion = new Ingestion(this, 'ingestion', {
      namePrefix: prefix,
      storage: this.storage,
      functionTimeoutSeconds: config.lambdaTimeoutSeconds,
    });
    this.parts = new Parts(this, 'parts', { namePrefix: prefix, functionTimeoutSeconds: config.lambdaTimeoutSeconds });
    this.processor = new Processor(this, 'processor', {
      namePrefix: prefix,
      stage: config.stage,
      bundleDir: props.bundleDir,
      storage: this.storage,
      tables: this.tables,
      alerts: this.alerts,
      ingestion: this.ingestion,
      parts: this.parts,
      memoryMb: config.lambdaMemoryMb,
      timeoutSeconds: config.lambdaTimeoutSeconds,
      logLevel: config.logLevel,
      logRetentionDays: config.logRetentionDays,
      writeConcurrency: config.writeConcurrency,
      writeRetryDeadlineMs: config.writeRetryDeadlineMs,
      batchSize: config.ingestBatchSize,
      batchWindowSeconds: config.ingestBatchWindowSeconds,
      maxConcurrency: config.ingestMaxConcurrency,
      maxFileMb: config.maxFileMb,
      maxFileLines: config.maxFileLines,
      fanoutThresholdMb: config.fanoutThresholdMb,
      fanoutChunkMb: config.fanoutChunkMb,
    });
    // The processor is the only role that may publish alerts or send parts (the topic and queue
    // policies deny the rest).
    this.alerts.allowPublishingBy(this.processor.role);
    this.parts.allowSendingBy(this.processor.role);
    this.monitoring = new Monitoring(this, 'monitoring', {
      namePrefix: prefix,
      environment,
      alerts: this.alerts,
      processor: this.processor,
      ingestion: this.ingestion,
      parts: this.parts,
      tables: this.tables,
      rejectRatioThreshold: config.rejectRatioAlarmThreshold,
      queueAgeAlarmSeconds: config.queueAgeAlarmSeconds,
    });

    const outputs: StackOutputs = {
      bucket_name: this.storage.bucket.bucket,
      orders_table_name: this.tables.orders.name,
      ingestions_table_name: this.tables.ingestions.name,
      alerts_topic_arn: this.alerts.topic.arn,
      ingest_queue_url: this.ingestion.queue.url,
      dead_letter_queue_url: this.ingestion.deadLetterQueue.url,
      parts_queue_url: this.parts.queue.url,
      parts_dead_letter_queue_url: this.parts.deadLetterQueue.url,
      processor_function_name: this.processor.function.functionName,
      dashboard_name: this.monitoring.dashboard.dashboardName,
      region: config.region,
    };
    for (const name of OUTPUT_NAMES) new TerraformOutput(this, name, { value: outputs[name] });
  }
}
