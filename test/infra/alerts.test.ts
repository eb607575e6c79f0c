import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document/index.js';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key/index.js';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic/index.js';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy/index.js';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription/index.js';
import { Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { Alerts, type AlertsProps } from '../../modules/alerts.ts';
import { blocksOfType, onlyBlockOfType, synthConstruct } from './synth.ts';

const ENVIRONMENT = { accountId: '111122223333', partition: 'aws', region: 'eu-west-1' };
const PROCESSOR_ROLE_ARN = 'arn:aws:iam::111122223333:role/order-pipeline-test-processor-role';

function alertsProps(overrides: Partial<AlertsProps> = {}): AlertsProps {
  return { namePrefix: 'order-pipeline-test', environment: ENVIRONMENT, alertEmails: ['ops@example.com', 'data@example.com'], ...overrides };
}

interface PolicyStatement {
  sid?: string;
  effect: string;
  actions: string[];
  principals: { type: string; identifiers: string[] }[];
  resources: string[];
  condition?: { test: string; variable: string; values: string[] }[];
}

/** The statements of the document the topic policy uses. */
function topicStatements(synth: string): PolicyStatement[] {
  const policy = onlyBlockOfType(synth, SnsTopicPolicy.tfResourceType);
  const documentName = /data\.aws_iam_policy_document\.([\w-]+)\.json/.exec(String(policy.policy))?.[1] ?? '';
  const documents = JSON.parse(synth).data[DataAwsIamPolicyDocument.tfResourceType] as Record<string, { statement: PolicyStatement[] }>;
  return documents[documentName]?.statement ?? [];
}

describe('Alerts', () => {
  // Prepare: two alert addresses, and the processor's role registered as the publisher
  const synth = synthConstruct((stack) => {
    const alerts = new Alerts(stack, 'alerts', alertsProps());
    alerts.allowPublishingBy({ arn: PROCESSOR_ROLE_ARN });
  });
  const statements = topicStatements(synth);
  const statement = (sid: string) => statements.find((s) => s.sid === sid);

  it('encrypts the topic with a rotating customer-managed key', () => {
    expect(onlyBlockOfType(synth, SnsTopic.tfResourceType)).toMatchObject({
      name: 'order-pipeline-test-alerts',
      kms_master_key_id: expect.stringMatching(/aws_kms_key\.alerts_key_\w+\.arn/),
    });
    expect(Testing.toHaveResourceWithProperties(synth, KmsKey.tfResourceType, { enable_key_rotation: true })).toBe(true);
  });

  it('lets CloudWatch alarms use the key (they cannot with alias/aws/sns)', () => {
    expect(Testing.toHaveDataSourceWithProperties(synth, DataAwsIamPolicyDocument.tfResourceType, {
      statement: [
        { principals: [{ type: 'AWS', identifiers: ['arn:aws:iam::111122223333:root'] }] },
        {
          principals: [{ type: 'Service', identifiers: ['cloudwatch.amazonaws.com'] }],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          condition: [{ test: 'StringEquals', variable: 'aws:SourceAccount', values: ['111122223333'] }],
        },
      ],
    })).toBe(true);
  });

  it('gives each address an e-mail subscription', () => {
    // Act
    const subscriptions = blocksOfType(synth, SnsTopicSubscription.tfResourceType);

    // Assess
    expect(subscriptions.map((s) => [s.protocol, s.endpoint])).toEqual([
      ['email', 'ops@example.com'],
      ['email', 'data@example.com'],
    ]);
  });

  it('creates no subscription when there is no address', () => {
    // Act
    const none = synthConstruct((stack) => new Alerts(stack, 'a', alertsProps({ namePrefix: 'p', alertEmails: [] })));
    const defaulted = synthConstruct((stack) => new Alerts(stack, 'a', { namePrefix: 'p', environment: ENVIRONMENT }));

    // Assess
    expect(blocksOfType(none, SnsTopicSubscription.tfResourceType)).toHaveLength(0);
    expect(blocksOfType(defaulted, SnsTopicSubscription.tfResourceType)).toHaveLength(0);
  });

  it('attaches the topic policy to the topic', () => {
    expect(onlyBlockOfType(synth, SnsTopicPolicy.tfResourceType)).toMatchObject({
      arn: expect.stringMatching(/^\$\{aws_sns_topic\.alerts_topic_\w+\.arn\}$/),
      policy: expect.stringMatching(/^\$\{data\.aws_iam_policy_document\.alerts_topic-policy-document_\w+\.json\}$/),
    });
  });

  it('denies every topic request made without TLS', () => {
    expect(statement('DenyInsecureTransport')).toEqual({
      sid: 'DenyInsecureTransport',
      effect: 'Deny',
      principals: [{ type: '*', identifiers: ['*'] }],
      actions: expect.arrayContaining(['sns:Publish', 'sns:Subscribe', 'sns:GetTopicAttributes', 'sns:SetTopicAttributes']),
      resources: [expect.stringMatching(/aws_sns_topic\.alerts_topic_\w+\.arn/)],
      condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
    });
  });

  it('allows publishing only to the registered role and to this stack alarms of this account and region', () => {
    // Act
    const publishAllows = statements.filter((s) => s.effect === 'Allow' && s.actions.includes('sns:Publish'));

    // Assess
    expect(publishAllows).toEqual([
      {
        sid: 'CloudWatchAlarmsPublish',
        effect: 'Allow',
        principals: [{ type: 'Service', identifiers: ['cloudwatch.amazonaws.com'] }],
        actions: ['sns:Publish'],
        resources: [expect.stringMatching(/aws_sns_topic\.alerts_topic_\w+\.arn/)],
        condition: [
          { test: 'StringEquals', variable: 'aws:SourceAccount', values: ['111122223333'] },
          { test: 'ArnLike', variable: 'aws:SourceArn', values: ['arn:aws:cloudwatch:eu-west-1:111122223333:alarm:order-pipeline-test-*'] },
        ],
      },
      {
        sid: 'RolesPublishAlerts',
        effect: 'Allow',
        principals: [{ type: 'AWS', identifiers: [PROCESSOR_ROLE_ARN] }],
        actions: ['sns:Publish'],
        resources: [expect.stringMatching(/aws_sns_topic\.alerts_topic_\w+\.arn/)],
      },
    ]);
  });

  it('denies publishing to every other principal of the account, AWS services excepted', () => {
    expect(statement('DenyPublishByOthers')).toMatchObject({
      effect: 'Deny',
      principals: [{ type: '*', identifiers: ['*'] }],
      actions: ['sns:Publish'],
      condition: [
        { test: 'Bool', variable: 'aws:PrincipalIsAWSService', values: ['false'] },
        { test: 'ArnNotEquals', variable: 'aws:PrincipalArn', values: [PROCESSOR_ROLE_ARN] },
      ],
    });
  });

  it('keeps the account administration of the topic, without publishing', () => {
    expect(statement('AccountAdministersTopic')).toMatchObject({
      effect: 'Allow',
      principals: [{ type: 'AWS', identifiers: ['arn:aws:iam::111122223333:root'] }],
      actions: expect.arrayContaining(['sns:Subscribe', 'sns:ListSubscriptionsByTopic', 'sns:GetTopicAttributes']),
    });
    expect(statement('AccountAdministersTopic')?.actions).not.toContain('sns:Publish');
  });

  it('denies publishing to every IAM principal when no role is registered', () => {
    // Act
    const unregistered = topicStatements(synthConstruct((stack) => new Alerts(stack, 'alerts', alertsProps())));

    // Assess
    expect(unregistered.map((s) => s.sid)).not.toContain('RolesPublishAlerts');
    expect(unregistered.find((s) => s.sid === 'DenyPublishByOthers')?.condition).toEqual([
      { test: 'Bool', variable: 'aws:PrincipalIsAWSService', values: ['false'] },
    ]);
  });
});
