import { AwsProvider } from '@cdktf/provider-aws/lib/provider/index.js';
import { Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
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
  // GIVEN the whole stack for stage "test" in eu-west-1
  const { synth, json } = synthPipeline();

  it('WHEN synthesized THEN it has exactly the outputs the CLI reads', () => {
    expect(Object.keys(json.output ?? {}).sort()).toEqual([...OUTPUT_NAMES].sort());
    expect(json.output?.region?.value).toBe('eu-west-1');
  });

  it('WHEN synthesized THEN the provider is plain: region and default tags, nothing emulator-specific', () => {
    // Assess
    expect(Testing.toHaveProviderWithProperties(synth, AwsProvider.tfResourceType, {
      region: 'eu-west-1',
      default_tags: [{ tags: { Project: 'order-pipeline', Stage: 'test', ManagedBy: 'cdktf' } }],
    })).toBe(true);
    expect(Object.keys(json.provider?.aws?.[0] ?? {}).sort()).toEqual(['default_tags', 'region']);
  });

  it('WHEN synthesized THEN every named resource is called order-pipeline-test-…', () => {
    // Act
    const names = Object.entries(NAME_ATTRIBUTE).flatMap(([type, attribute]) =>
      Object.values(json.resource?.[type] ?? {}).map((r) => String(r[attribute])),
    );

    // Assess
    expect(names.length).toBeGreaterThan(15);
    for (const name of names) expect(name).toMatch(/^order-pipeline-test(-|$)/);
  });

  it('WHEN synthesized THEN the bucket name includes the caller account id and the region', () => {
    expect(Object.values(json.resource?.aws_s3_bucket ?? {})[0]?.bucket).toBe(
      'order-pipeline-test-data-${data.aws_caller_identity.caller.account_id}-eu-west-1',
    );
  });

  it('WHEN no remote state is configured THEN state stays in the stack directory', () => {
    expect(json.terraform?.backend).toEqual({ local: { path: 'terraform.tfstate' } });
  });

  it('GIVEN TF_STATE_* WHEN synthesized THEN the S3 backend is encrypted and locked', () => {
    // Act
    const remote = synthPipeline({ TF_STATE_BUCKET: 'state-bucket', TF_STATE_LOCK_TABLE: 'locks' });

    // Assess
    expect(remote.json.terraform?.backend).toEqual({
      s3: { bucket: 'state-bucket', key: 'order-pipeline/test/terraform.tfstate', region: 'eu-west-1', encrypt: true, dynamodb_table: 'locks' },
    });
  });

  it('GIVEN a timeout WHEN synthesized THEN the queue visibility is 6× the function timeout', () => {
    // Act
    const { json: sized } = synthPipeline({ LAMBDA_TIMEOUT_SECONDS: '90' });
    const fn = Object.values(sized.resource?.aws_lambda_function ?? {})[0];
    const queue = Object.values(sized.resource?.aws_sqs_queue ?? {}).find((q) => q.name === 'order-pipeline-test-ingest');

    // Assess
    expect(fn?.timeout).toBe(90);
    expect(queue?.visibility_timeout_seconds).toBe(540);
  });
});
