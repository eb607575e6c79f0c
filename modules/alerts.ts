import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document/index.js';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias/index.js';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key/index.js';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic/index.js';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription/index.js';
import { Construct } from 'constructs';

export interface AlertsProps {
  namePrefix: string;
  accountId: string;
  partition: string;
  alertEmails: string[];
}

/**
 * Key administration actions granted to the account (and through it to IAM policies). Listed
 * rather than `kms:*` so that the least-privilege check has no wildcard to make an exception for.
 */
const KEY_ADMIN_ACTIONS = [
  'kms:CancelKeyDeletion',
  'kms:CreateAlias',
  'kms:CreateGrant',
  'kms:Decrypt',
  'kms:DeleteAlias',
  'kms:DescribeKey',
  'kms:DisableKey',
  'kms:DisableKeyRotation',
  'kms:EnableKey',
  'kms:EnableKeyRotation',
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListGrants',
  'kms:ListResourceTags',
  'kms:PutKeyPolicy',
  'kms:RevokeGrant',
  'kms:ScheduleKeyDeletion',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateAlias',
  'kms:UpdateKeyDescription',
];

/** The alerts topic (DESIGN §6): processor alerts and CloudWatch alarm/OK notifications. */
export class Alerts extends Construct {
  readonly topic: SnsTopic;
  readonly key: KmsKey;

  constructor(scope: Construct, id: string, props: AlertsProps) {
    super(scope, id);
    const root = `arn:${props.partition}:iam::${props.accountId}:root`;

    // A customer-managed key rather than alias/aws/sns: CloudWatch alarms cannot publish to a topic
    // encrypted with the AWS-managed key, because its key policy cannot grant cloudwatch.amazonaws.com.
    // In a key policy the resource "*" means "this key" (the only value KMS allows there).
    const keyPolicy = new DataAwsIamPolicyDocument(this, 'key-policy', {
      statement: [
        {
          sid: 'AccountAdministersKeyAndDelegatesToIam',
          effect: 'Allow',
          principals: [{ type: 'AWS', identifiers: [root] }],
          actions: KEY_ADMIN_ACTIONS,
          resources: ['*'],
        },
        {
          sid: 'CloudWatchAlarmsPublish',
          effect: 'Allow',
          principals: [{ type: 'Service', identifiers: ['cloudwatch.amazonaws.com'] }],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: ['*'],
          condition: [{ test: 'StringEquals', variable: 'aws:SourceAccount', values: [props.accountId] }],
        },
      ],
    });
    this.key = new KmsKey(this, 'key', {
      description: `${props.namePrefix} alerts topic encryption`,
      enableKeyRotation: true,
      deletionWindowInDays: 7,
      policy: keyPolicy.json,
    });
    new KmsAlias(this, 'key-alias', { name: `alias/${props.namePrefix}-alerts`, targetKeyId: this.key.keyId });

    // Encrypted at rest: alert bodies name files and first errors.
    this.topic = new SnsTopic(this, 'topic', {
      name: `${props.namePrefix}-alerts`,
      kmsMasterKeyId: this.key.arn,
    });

    // One subscription per configured address; each recipient must confirm the AWS e-mail.
    props.alertEmails.forEach((email, index) => {
      new SnsTopicSubscription(this, `email-${index}`, {
        topicArn: this.topic.arn,
        protocol: 'email',
        endpoint: email,
      });
    });
  }
}
