import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket/index.js';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration/index.js';
import { S3BucketNotification } from '@cdktf/provider-aws/lib/s3-bucket-notification/index.js';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls/index.js';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy/index.js';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block/index.js';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration/index.js';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning/index.js';
import { Construct } from 'constructs';
import { PREFIX } from '../functions/order-processor/resource-names.ts';
import type { LifecycleDays } from './config.ts';
import type { DeploymentEnvironment } from './environment.ts';
import { denyInsecureTransport, policyDocument } from './policy.ts';

export interface StorageProps {
  /** Prefix of every name (`order-pipeline-<stage>`): bucket `<prefix>-data-<account>-<region>`. Required. */
  readonly namePrefix: string;
  /** Account id and region, which make the bucket name globally unique. Required. */
  readonly environment: Pick<DeploymentEnvironment, 'accountId' | 'region'>;
  /**
   * Days after which objects change storage class or expire, per prefix. Required:
   * the stack passes the validated configuration (`ARCHIVE_GLACIER_IR_DAYS` … in docs/deploy.md).
   */
  readonly lifecycle: LifecycleDays;
  /**
   * When true the bucket is kept by `terraform destroy` unless empty; when false destroy empties it
   * (all versions) first. Required: the stack passes `DELETION_PROTECTION` (default
   * true for stage `prod`, else false).
   */
  readonly deletionProtection: boolean;
}

/** Days after which deleted versions and unfinished multipart uploads under staging/ are removed. */
export const STAGING_CLEANUP_DAYS = 1;

/**
 * The data bucket: landing zone (raw-data/), cleaned output (processed-data/), originals
 * (archive/), rejected files with their error reports (failed-data/) and large files'
 * intermediate data (staging/); docs/architecture.md.
 */
export class Storage extends Construct {
  readonly bucket: S3Bucket;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    const { lifecycle } = props;

    // Bucket names are global: account id and region make `order-pipeline-<stage>-data-…` unique.
    this.bucket = new S3Bucket(this, 'bucket', {
      bucket: `${props.namePrefix}-data-${props.environment.accountId}-${props.environment.region}`,
      forceDestroy: !props.deletionProtection,
    });
    const bucket = this.bucket.id;

    // Versioning: an overwritten or deleted file can be recovered; the ledger records version ids.
    const versioning = new S3BucketVersioningA(this, 'versioning', {
      bucket,
      versioningConfiguration: { status: 'Enabled' },
    });

    // Encryption at rest with S3-managed keys (SSE-S3): no key policy to keep in step with every
    // reader, and EventBridge/Lambda need no KMS permissions. Switch to aws:kms here if required.
    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      bucket,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
    });

    // Order data is never public: block every form of public ACL and policy.
    new S3BucketPublicAccessBlock(this, 'public-access-block', {
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });

    // ACLs disabled: the bucket owner owns every object, access is decided by IAM alone.
    new S3BucketOwnershipControls(this, 'ownership', {
      bucket,
      rule: { objectOwnership: 'BucketOwnerEnforced' },
    });

    // TLS only: refuse any request that arrives over plain HTTP.
    const tlsOnly = policyDocument(this, 'tls-only-policy', [
      denyInsecureTransport(['s3:*'], [this.bucket.arn, `${this.bucket.arn}/*`]),
    ]);
    new S3BucketPolicy(this, 'policy', { bucket, policy: tlsOnly.json });

    // Object events go to EventBridge, where a rule filters on the raw-data/ prefix (ingestion.ts).
    new S3BucketNotification(this, 'eventbridge', { bucket, eventbridge: true });

    // Lifecycle per prefix (days from configuration); the whole-bucket rule cleans up versions and uploads.
    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      bucket,
      rule: [
        {
          id: 'archive-to-glacier-then-expire',
          status: 'Enabled',
          filter: [{ prefix: PREFIX.archive }],
          transition: [
            { days: lifecycle.archiveToGlacierIr, storageClass: 'GLACIER_IR' },
            { days: lifecycle.archiveToDeepArchive, storageClass: 'DEEP_ARCHIVE' },
          ],
          expiration: [{ days: lifecycle.archiveExpiration }],
        },
        {
          id: 'processed-to-infrequent-access',
          status: 'Enabled',
          filter: [{ prefix: PREFIX.processed }],
          transition: [{ days: lifecycle.processedToInfrequentAccess, storageClass: 'STANDARD_IA' }],
        },
        {
          id: 'failed-expire',
          status: 'Enabled',
          filter: [{ prefix: PREFIX.failed }],
          expiration: [{ days: lifecycle.failedExpiration }],
        },
        {
          // A large file's intermediate data is deleted when the file concludes; what a file that
          // never concluded left behind expires here. Deleted versions and unfinished uploads go
          // after a day: staged data is never read again once deleted, and an upload into staging/
          // lives within one invocation (at most 15 minutes).
          id: 'staging-expire',
          status: 'Enabled',
          filter: [{ prefix: PREFIX.staging }],
          expiration: [{ days: lifecycle.stagingExpiration }],
          noncurrentVersionExpiration: [{ noncurrentDays: STAGING_CLEANUP_DAYS }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: STAGING_CLEANUP_DAYS }],
        },
        {
          id: 'old-versions-and-incomplete-uploads',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          noncurrentVersionExpiration: [{ noncurrentDays: lifecycle.noncurrentVersionExpiration }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: lifecycle.abortIncompleteMultipartUpload }],
        },
      ],
      // Noncurrent-version rules only make sense once versioning is on.
      dependsOn: [versioning],
    });
  }
}
