import { AwsProvider } from '@cdktf/provider-aws/lib/provider/index.js';
import { Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { ENV } from '../../functions/order-processor/resource-names.ts';
import { OUTPUT_NAMES } from '../../modules/stack.ts';
import { synthPipeline } from './synth.ts';

/** Resource attributes that hold a resource's name, by Terraform type. */
const NAME_ATTRIBUTE: Record<string, string> = {
  aws_s3_bucket: 'bucket',
  aws_dynamodb_table: 'name',
  aws_sqs_queue: 'name',
  aws_sns_topic: 'name',
  aws_cloudwatch_event_rule: 'name',
  aws_lambda_function: 'function_name',
  aws_iam_role: 'name',
  aws_cloudwatch_metric_alarm: 'alarm_name',
  aws_cloudwatch_dashboard: 'dashboard_name',
};

describe('OrderPipelineStack', () => {
  // Prepare: the whole stack for stage "test" in eu-west-1
  const { synth, json } = synthPipeline();

  it('declares exactly the outputs the CLI reads', () => {
    expect(Object.keys(json.output ?? {}).sort()).toEqual([...OUTPUT_NAMES].sort());
    expect(json.output?.region?.value).toBe('eu-west-1');
  });

  it('configures a plain provider: region and default tags, nothing emulator-specific', () => {
    // Assess
    expect(Testing.toHaveProviderWithProperties(synth, AwsProvider.tfResourceType, {
      region: 'eu-west-1',
      default_tags: [{ tags: { Project: 'order-pipeline', Stage: 'test', ManagedBy: 'cdktf' } }],
    })).toBe(true);
    expect(Object.keys(json.provider?.aws?.[0] ?? {}).sort()).toEqual(['default_tags', 'region']);
  });

  it('names every named resource order-pipeline-test-…', () => {
    // Act
    const names = Object.entries(NAME_ATTRIBUTE).flatMap(([type, attribute]) =>
      Object.values(json.resource?.[type] ?? {}).map((r) => String(r[attribute])),
    );

    // Assess
    expect(names.length).toBeGreaterThan(15);
    for (const name of names) expect(name).toMatch(/^order-pipeline-test(-|$)/);
  });

  it('includes the caller account id and the region in the bucket name', () => {
    expect(Object.values(json.resource?.aws_s3_bucket ?? {})[0]?.bucket).toBe(
      'order-pipeline-test-data-${data.aws_caller_identity.caller.account_id}-eu-west-1',
    );
  });

  it('keeps state in the stack directory when no remote state is configured', () => {
    expect(json.terraform?.backend).toEqual({ local: { path: 'terraform.tfstate' } });
  });

  it('uses an encrypted, locked S3 backend when TF_STATE_* is set', () => {
    // Act
    const remote = synthPipeline({ TF_STATE_BUCKET: 'state-bucket', TF_STATE_LOCK_TABLE: 'locks' });

    // Assess
    expect(remote.json.terraform?.backend).toEqual({
      s3: { bucket: 'state-bucket', key: 'order-pipeline/test/terraform.tfstate', region: 'eu-west-1', encrypt: true, dynamodb_table: 'locks' },
    });
  });

  it('sets the visibility of the ingest and parts queues to 6× the function timeout', () => {
    // Act
    const { json: sized } = synthPipeline({ LAMBDA_TIMEOUT_SECONDS: '90' });
    const fn = Object.values(sized.resource?.aws_lambda_function ?? {})[0];
    const queues = Object.values(sized.resource?.aws_sqs_queue ?? {});
    const visibility = (name: string) => queues.find((q) => q.name === name)?.visibility_timeout_seconds;

    // Assess
    expect(fn?.timeout).toBe(90);
    expect(visibility('order-pipeline-test-ingest')).toBe(540);
    expect(visibility('order-pipeline-test-parts')).toBe(540);
  });

  it('tells the processor the parts queue, the part sizes and the receive count the parts queue redrives after', () => {
    // Act
    const { json: sized } = synthPipeline({ FANOUT_THRESHOLD_MB: '2', FANOUT_CHUNK_MB: '1' });
    const variables = (Object.values(sized.resource?.aws_lambda_function ?? {})[0] as { environment: { variables: Record<string, string> } }).environment.variables;
    const partsQueue = Object.entries(sized.resource?.aws_sqs_queue ?? {}).find(([, q]) => q.name === 'order-pipeline-test-parts');
    const redrive = JSON.parse(String(partsQueue?.[1].redrive_policy)) as { maxReceiveCount: number };

    // Assess
    expect(variables).toMatchObject({
      [ENV.partsQueueUrl]: `\${aws_sqs_queue.${partsQueue?.[0]}.url}`,
      [ENV.fanoutThresholdMb]: '2',
      [ENV.fanoutChunkMb]: '1',
      [ENV.partsMaxReceives]: String(redrive.maxReceiveCount),
    });
  });

  it('bounds both event-source mappings by INGEST_MAX_CONCURRENCY', () => {
    // Act
    const { json: sized } = synthPipeline({ INGEST_MAX_CONCURRENCY: '7' });
    const mappings = Object.values(sized.resource?.aws_lambda_event_source_mapping ?? {});

    // Assess
    expect(mappings).toHaveLength(2);
    expect(mappings).toEqual(expect.arrayContaining([
      expect.objectContaining({ event_source_arn: expect.stringMatching(/aws_sqs_queue\.ingestion_queue_\w+\.arn/), batch_size: 5, scaling_config: { maximum_concurrency: 7 } }),
      expect.objectContaining({ event_source_arn: expect.stringMatching(/aws_sqs_queue\.parts_queue_\w+\.arn/), batch_size: 1, scaling_config: { maximum_concurrency: 7 } }),
    ]));
  });

  it.each([
    ['publish to the alerts topic', 'aws_sns_topic_policy', 'arn', /^\$\{aws_sns_topic\.alerts_topic_\w+\.arn\}$/, 'RolesPublishAlerts', 'DenyPublishByOthers'],
    // No Deny on the parts queue: `order-pipeline redrive` sends dead-lettered parts back (modules/parts.ts).
    ['send to the parts queue', 'aws_sqs_queue_policy', 'queue_url', /^\$\{aws_sqs_queue\.parts_queue_\w+\.url\}$/, 'RolesSendParts', null],
  ])('grants the processor role the right to %s in the resource policy', (_what, type, attribute, target, allowSid, denySid) => {
    // Prepare: the resource policy of the target and the statements of its document
    const policy = Object.values(json.resource?.[type] ?? {}).find((p) => target.test(String(p[attribute])));
    const documentName = /data\.aws_iam_policy_document\.([\w-]+)\.json/.exec(String(policy?.policy))?.[1] ?? '';
    const statements = (json.data?.aws_iam_policy_document?.[documentName]?.statement ?? []) as {
      sid: string;
      principals?: { identifiers: string[] }[];
      condition?: { variable: string; values: string[] }[];
    }[];
    const roleArn = expect.stringMatching(/^\$\{aws_iam_role\.processor_role_\w+\.arn\}$/);

    // Act
    const allowed = statements.find((s) => s.sid === allowSid)?.principals?.[0]?.identifiers;
    const exempt = statements.find((s) => s.sid === denySid)?.condition?.find((c) => c.variable === 'aws:PrincipalArn')?.values;

    // Assess
    expect(policy).toBeDefined();
    expect(allowed).toEqual([roleArn]);
    if (denySid) expect(exempt).toEqual([roleArn]);
    else expect(statements.filter((s) => s.sid !== 'DenyInsecureTransport' && (s as { effect?: string }).effect === 'Deny')).toEqual([]);
  });

  it('passes the file caps from the configuration to the processor', () => {
    // Act
    const { json: capped } = synthPipeline({ MAX_FILE_MB: '32', MAX_FILE_LINES: '1000' });
    const fn = Object.values(capped.resource?.aws_lambda_function ?? {})[0] as { environment: { variables: Record<string, string> } };

    // Assess
    expect(fn.environment.variables).toMatchObject({ [ENV.maxFileMb]: '32', [ENV.maxFileLines]: '1000' });
  });
});
