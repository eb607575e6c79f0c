import type { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document/index.js';
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role/index.js';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias/index.js';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key/index.js';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic/index.js';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy/index.js';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription/index.js';
import { Construct } from 'constructs';
import type { DeploymentEnvironment } from './environment.ts';
import { denyInsecureTransport, policyDocument } from './policy.ts';

export interface AlertsProps {
  /** Prefix of every name (`order-pipeline-<stage>`): topic `<prefix>-alerts`, key alias `alias/<prefix>-alerts`. Required. */
  readonly namePrefix: string;
  /**
   * Account, partition and region: the account administers the topic and its key, and only this
   * account's alarms in this region may publish. Required.
   */
  readonly environment: DeploymentEnvironment;
  /** Addresses subscribed by e-mail (each must confirm). Default: `[]`, no subscription. */
  readonly alertEmails?: readonly string[];
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

/** What SNS's default topic policy lets the owning account do, minus publishing (granted apart). */
const TOPIC_ADMIN_ACTIONS = [
  'sns:GetTopicAttributes',
  'sns:SetTopicAttributes',
  'sns:AddPermission',
  'sns:RemovePermission',
  'sns:DeleteTopic',
  'sns:Subscribe',
  'sns:ListSubscriptionsByTopic',
];

/** Alerts topic: the processor's alerts and the CloudWatch alarms' ALARM/OK notifications. */
export class Alerts extends Construct {
  readonly topic: SnsTopic;
  readonly key: KmsKey;
  /** The topic's resource policy document; its statements grow with `allowPublishingBy`. */
  readonly topicPolicyDocument: DataAwsIamPolicyDocument;
  private readonly publisherRoleArns: string[] = [];

  constructor(scope: Construct, id: string, private readonly props: AlertsProps) {
    super(scope, id);
    const { accountId, partition } = props.environment;
    const root = `arn:${partition}:iam::${accountId}:root`;

    // A customer-managed key rather than alias/aws/sns: CloudWatch alarms cannot publish to a topic
    // encrypted with the AWS-managed key, because its key policy cannot grant cloudwatch.amazonaws.com.
    // In a key policy the resource "*" means "this key" (the only value KMS allows there).
    const keyPolicy = policyDocument(this, 'key-policy', [
      {
        sid: 'AccountAdministersKeyAndDelegatesToIam',
        effect: 'Allow',
        principals: [{ type: 'AWS', identifiers: [root] }],
        actions: KEY_ADMIN_ACTIONS,
        resources: ['*'],
      },
      {
        // Alarm notifications are encrypted with this key on the way into the topic.
        sid: 'CloudWatchAlarmsPublish',
        effect: 'Allow',
        principals: [{ type: 'Service', identifiers: ['cloudwatch.amazonaws.com'] }],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        condition: [{ test: 'StringEquals', variable: 'aws:SourceAccount', values: [accountId] }],
      },
    ]);
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

    // Who may publish is decided here, not by whoever holds sns:Publish in the account: an alert
    // that looks like ours must come from the processor or from one of our alarms.
    this.topicPolicyDocument = policyDocument(this, 'topic-policy-document', this.topicStatements());
    new SnsTopicPolicy(this, 'topic-policy', { arn: this.topic.arn, policy: this.topicPolicyDocument.json });

    // One subscription per configured address; each recipient must confirm the AWS e-mail.
    (props.alertEmails ?? []).forEach((email, index) => {
      new SnsTopicSubscription(this, `email-${index}`, {
        topicArn: this.topic.arn,
        protocol: 'email',
        endpoint: email,
      });
    });
  }

  /**
   * Lets `role` publish to the topic (the role still needs sns:Publish and the key in its own
   * policy). Every other principal of the account is denied publishing, so call this for each role
   * that sends alerts.
   */
  allowPublishingBy(role: Pick<IamRole, 'arn'>): void {
    this.publisherRoleArns.push(role.arn);
    this.topicPolicyDocument.putStatement(this.topicStatements());
  }

  private topicStatements(): DataAwsIamPolicyDocumentStatement[] {
    const { accountId, partition, region } = this.props.environment;
    const topic = [this.topic.arn];
    const publishers = this.publisherRoleArns;
    return [
      {
        // The owner keeps administering the topic (and IAM policies keep working for it), as with
        // SNS's default policy — except publishing, which is granted below to named publishers only.
        sid: 'AccountAdministersTopic',
        effect: 'Allow',
        principals: [{ type: 'AWS', identifiers: [`arn:${partition}:iam::${accountId}:root`] }],
        actions: TOPIC_ADMIN_ACTIONS,
        resources: topic,
      },
      {
        // Our alarms' ALARM/OK notifications: CloudWatch acting for an alarm of this stack, in this
        // account and region (aws:SourceAccount/aws:SourceArn guard against a confused deputy).
        sid: 'CloudWatchAlarmsPublish',
        effect: 'Allow',
        principals: [{ type: 'Service', identifiers: ['cloudwatch.amazonaws.com'] }],
        actions: ['sns:Publish'],
        resources: topic,
        condition: [
          { test: 'StringEquals', variable: 'aws:SourceAccount', values: [accountId] },
          { test: 'ArnLike', variable: 'aws:SourceArn', values: [`arn:${partition}:cloudwatch:${region}:${accountId}:alarm:${this.props.namePrefix}-*`] },
        ],
      },
      ...(publishers.length > 0
        ? [
            {
              // The processor's alerts (file outcomes).
              sid: 'RolesPublishAlerts',
              effect: 'Allow',
              principals: [{ type: 'AWS', identifiers: [...publishers] }],
              actions: ['sns:Publish'],
              resources: topic,
            },
          ]
        : []),
      {
        // Within the account an identity policy alone would allow publishing; this Deny makes the
        // grants above the only way in. AWS service principals (CloudWatch) are not IAM principals
        // of the account and are governed by the Allow above.
        sid: 'DenyPublishByOthers',
        effect: 'Deny',
        principals: [{ type: '*', identifiers: ['*'] }],
        actions: ['sns:Publish'],
        resources: topic,
        condition: [
          { test: 'Bool', variable: 'aws:PrincipalIsAWSService', values: ['false'] },
          ...(publishers.length > 0 ? [{ test: 'ArnNotEquals', variable: 'aws:PrincipalArn', values: [...publishers] }] : []),
        ],
      },
      // TLS only: alert bodies and subscription endpoints never travel in clear text.
      denyInsecureTransport(['sns:Publish', ...TOPIC_ADMIN_ACTIONS], topic),
    ];
  }
}
