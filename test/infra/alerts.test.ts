import { KmsKey } from '@cdktf/provider-aws/lib/kms-key/index.js';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic/index.js';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription/index.js';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document/index.js';
import { Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { Alerts } from '../../modules/alerts.ts';
import { blocksOfType, onlyBlockOfType, synthConstruct } from './synth.ts';

describe('Alerts', () => {
  // GIVEN two alert addresses
  const synth = synthConstruct(
    (stack) =>
      new Alerts(stack, 'alerts', {
        namePrefix: 'order-pipeline-test',
        accountId: '111122223333',
        partition: 'aws',
        alertEmails: ['ops@example.com', 'data@example.com'],
      }),
  );

  it('WHEN synthesized THEN the topic is encrypted with a rotating customer-managed key', () => {
    expect(onlyBlockOfType(synth, SnsTopic.tfResourceType)).toMatchObject({
      name: 'order-pipeline-test-alerts',
      kms_master_key_id: expect.stringMatching(/aws_kms_key\.alerts_key_\w+\.arn/),
    });
    expect(Testing.toHaveResourceWithProperties(synth, KmsKey.tfResourceType, { enable_key_rotation: true })).toBe(true);
  });

  it('WHEN synthesized THEN CloudWatch alarms may use the key (they cannot with alias/aws/sns)', () => {
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

  it('WHEN synthesized THEN each address gets an e-mail subscription', () => {
    // Act
    const subscriptions = blocksOfType(synth, SnsTopicSubscription.tfResourceType);

    // Assess
    expect(subscriptions.map((s) => [s.protocol, s.endpoint])).toEqual([
      ['email', 'ops@example.com'],
      ['email', 'data@example.com'],
    ]);
  });

  it('GIVEN no addresses WHEN synthesized THEN there is no subscription', () => {
    // Act
    const none = synthConstruct((stack) => new Alerts(stack, 'a', { namePrefix: 'p', accountId: '1', partition: 'aws', alertEmails: [] }));

    // Assess
    expect(blocksOfType(none, SnsTopicSubscription.tfResourceType)).toHaveLength(0);
  });
});
