/**
 * The processor role's permissions: each statement names the actions the handler performs and the
 * exact prefixes/tables/topic/queues/log group it performs them on. No wildcard actions, and no
 * wildcard resources beyond "the objects under one prefix of our bucket" or "the streams of our
 * log group" (test/infra/iam-least-privilege.test.ts walks them).
 */
import type { DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document/index.js';
import { PREFIX } from '../functions/order-processor/resource-names.ts';
import type { ProcessorProps } from './processor.ts';

export function processorStatements(props: ProcessorProps, logGroupArn: string): DataAwsIamPolicyDocumentStatement[] {
  const bucketArn = props.storage.bucket.arn;
  const objects = (prefix: string) => `${bucketArn}/${prefix}*`;
  return [
    {
      // Read the dropped file (any version; CopyObject also reads its tags), and remove it from the
      // landing zone once handled. The same reads let UploadPartCopy use it as the source of the
      // multipart copy to archive/ (a copy source needs s3:GetObject, s3:GetObjectVersion for a version).
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
      // It also lists a file's staging/ objects to delete them.
      sid: 'DistinguishMissingObjects',
      effect: 'Allow',
      actions: ['s3:ListBucket'],
      resources: [bucketArn],
    },
    {
      // Write cleaned output, the archived original (with its tags) and error reports. Multipart
      // uploads need nothing more: CreateMultipartUpload, UploadPart, UploadPartCopy (its destination
      // side) and CompleteMultipartUpload are all authorized as s3:PutObject on the destination key;
      // AbortMultipartUpload cleans up after a failed one.
      sid: 'WriteRoutedFiles',
      effect: 'Allow',
      actions: ['s3:PutObject', 's3:PutObjectTagging', 's3:AbortMultipartUpload'],
      resources: [objects(PREFIX.processed), objects(PREFIX.archive), objects(PREFIX.failed)],
    },
    {
      // A large file's intermediate data: the decompressed copy of a gzip file, scan results, seeds
      // and the cleaned/errors slices of each part. Written (single or multipart), read by ranges,
      // used as the UploadPartCopy source when slices are joined into processed-data/ and
      // failed-data/ (s3:GetObject here, s3:PutObject there), and deleted when the file concludes.
      sid: 'UseStagingArea',
      effect: 'Allow',
      actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
      resources: [objects(PREFIX.staging)],
    },
    {
      // Upsert validated orders (BatchWriteItem puts only; with order lines, one conditional PutItem
      // per line), then, with order lines, read each written order's keys (Query) and delete the
      // lines an older file left (conditional DeleteItem): docs/csv-format.md "Re-import is exact".
      sid: 'WriteOrders',
      effect: 'Allow',
      actions: ['dynamodb:BatchWriteItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:DeleteItem'],
      resources: [props.tables.orders.arn],
    },
    {
      // The ingestion ledger: conditional claims, status updates, part counters and duplicate
      // lookups (by key: the processor never queries the by-day index, only the CLI does).
      sid: 'MaintainLedger',
      effect: 'Allow',
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      resources: [props.tables.ingestions.arn],
    },
    {
      // File outcomes are announced on the alerts topic (the topic policy also names this role).
      sid: 'PublishAlerts',
      effect: 'Allow',
      actions: ['sns:Publish'],
      resources: [props.alerts.topic.arn],
    },
    {
      // Publishing to an encrypted topic encrypts the message with the topic's key.
      sid: 'UseAlertsTopicKey',
      effect: 'Allow',
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: [props.alerts.key.arn],
    },
    {
      // A large file's planner and its last scanner send one message per part (SendMessageBatch is
      // authorized as sqs:SendMessage; the queue policy also names this role).
      sid: 'SendParts',
      effect: 'Allow',
      actions: ['sqs:SendMessage'],
      resources: [props.parts.queue.arn],
    },
    {
      // What the two event-source mappings (ingest queue, parts queue) do on the function's behalf.
      sid: 'ConsumeQueues',
      effect: 'Allow',
      actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ChangeMessageVisibility'],
      resources: [props.ingestion.queue.arn, props.parts.queue.arn],
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
