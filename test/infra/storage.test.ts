import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket/index.js';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration/index.js';
import { S3BucketNotification } from '@cdktf/provider-aws/lib/s3-bucket-notification/index.js';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls/index.js';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block/index.js';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration/index.js';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning/index.js';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document/index.js';
import { Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../modules/config.ts';
import { Storage, type StorageProps } from '../../modules/storage.ts';
import { synthConstruct } from './synth.ts';

function storageProps(overrides: Partial<StorageProps> = {}): StorageProps {
  return {
    namePrefix: 'order-pipeline-test',
    environment: { accountId: '111122223333', region: 'eu-west-1' },
    lifecycle: loadConfig({}).lifecycle,
    deletionProtection: false,
    ...overrides,
  };
}

describe('Storage', () => {
  // Prepare: the storage construct with the default lifecycle days
  const synth = synthConstruct((stack) => new Storage(stack, 'storage', storageProps()));

  it('names the bucket after stage, account and region', () => {
    expect(Testing.toHaveResourceWithProperties(synth, S3Bucket.tfResourceType, {
      bucket: 'order-pipeline-test-data-111122223333-eu-west-1',
      force_destroy: true,
    })).toBe(true);
  });

  it('turns on versioning and SSE-S3 encryption', () => {
    expect(Testing.toHaveResourceWithProperties(synth, S3BucketVersioningA.tfResourceType, {
      versioning_configuration: { status: 'Enabled' },
    })).toBe(true);
    expect(Testing.toHaveResourceWithProperties(synth, S3BucketServerSideEncryptionConfigurationA.tfResourceType, {
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }],
    })).toBe(true);
  });

  it('sets all four public-access flags and disables ACLs', () => {
    expect(Testing.toHaveResourceWithProperties(synth, S3BucketPublicAccessBlock.tfResourceType, {
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    })).toBe(true);
    expect(Testing.toHaveResourceWithProperties(synth, S3BucketOwnershipControls.tfResourceType, {
      rule: { object_ownership: 'BucketOwnerEnforced' },
    })).toBe(true);
  });

  it('denies bucket requests made without TLS', () => {
    expect(Testing.toHaveDataSourceWithProperties(synth, DataAwsIamPolicyDocument.tfResourceType, {
      statement: [
        {
          effect: 'Deny',
          actions: ['s3:*'],
          condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
        },
      ],
    })).toBe(true);
  });

  it('sends object events to EventBridge', () => {
    expect(Testing.toHaveResourceWithProperties(synth, S3BucketNotification.tfResourceType, { eventbridge: true })).toBe(true);
  });

  it('applies the lifecycle rule of each prefix with the configured days', () => {
    expect(Testing.toHaveResourceWithProperties(synth, S3BucketLifecycleConfiguration.tfResourceType, {
      rule: [
        {
          id: 'archive-to-glacier-then-expire',
          status: 'Enabled',
          filter: [{ prefix: 'archive/' }],
          transition: [
            { days: 30, storage_class: 'GLACIER_IR' },
            { days: 180, storage_class: 'DEEP_ARCHIVE' },
          ],
          expiration: [{ days: 2555 }],
        },
        {
          id: 'processed-to-infrequent-access',
          filter: [{ prefix: 'processed-data/' }],
          transition: [{ days: 30, storage_class: 'STANDARD_IA' }],
        },
        { id: 'failed-expire', filter: [{ prefix: 'failed-data/' }], expiration: [{ days: 90 }] },
        {
          id: 'staging-expire',
          status: 'Enabled',
          filter: [{ prefix: 'staging/' }],
          expiration: [{ days: 7 }],
          noncurrent_version_expiration: [{ noncurrent_days: 1 }],
          abort_incomplete_multipart_upload: [{ days_after_initiation: 1 }],
        },
        {
          id: 'old-versions-and-incomplete-uploads',
          filter: [{ prefix: '' }],
          noncurrent_version_expiration: [{ noncurrent_days: 30 }],
          abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }],
        },
      ],
    })).toBe(true);
  });

  it('uses custom lifecycle days and keeps the bucket on destroy when deletion protection is on', () => {
    // Prepare
    const lifecycle = loadConfig({ ARCHIVE_GLACIER_IR_DAYS: '10', FAILED_EXPIRATION_DAYS: '14', NONCURRENT_VERSION_EXPIRATION_DAYS: '3', STAGING_EXPIRATION_DAYS: '5' }).lifecycle;

    // Act
    const custom = synthConstruct((stack) => new Storage(stack, 'storage', storageProps({ lifecycle, deletionProtection: true })));

    // Assess
    expect(Testing.toHaveResourceWithProperties(custom, S3Bucket.tfResourceType, { force_destroy: false })).toBe(true);
    expect(Testing.toHaveResourceWithProperties(custom, S3BucketLifecycleConfiguration.tfResourceType, {
      rule: [
        { transition: [{ days: 10, storage_class: 'GLACIER_IR' }, { days: 180, storage_class: 'DEEP_ARCHIVE' }] },
        {},
        { expiration: [{ days: 14 }] },
        { expiration: [{ days: 5 }] },
        { noncurrent_version_expiration: [{ noncurrent_days: 3 }] },
      ],
    })).toBe(true);
  });
});
