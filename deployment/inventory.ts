/** What a deployment holds: items in a table, objects under each prefix of the bucket. */
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PREFIX } from '../functions/order-processor/index.ts';

/** Items in a table, by a COUNT scan (exact, unlike DescribeTable's ItemCount, refreshed every ~6 hours on AWS). */
export async function countItems(doc: DynamoDBDocumentClient, table: string): Promise<number> {
  let count = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const res = await doc.send(new ScanCommand({ TableName: table, Select: 'COUNT', ExclusiveStartKey: startKey }));
    count += res.Count ?? 0;
    startKey = res.LastEvaluatedKey;
  } while (startKey);
  return count;
}

export async function countObjects(s3: S3Client, bucket: string, prefix: string): Promise<number> {
  let count = 0;
  let token: string | undefined;
  do {
    const res = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    count += res.KeyCount ?? 0;
    token = res.NextContinuationToken;
  } while (token);
  return count;
}

/** Objects under each of the bucket's prefixes (raw-data/, processed-data/, archive/, failed-data/). */
export async function countByPrefix(s3: S3Client, bucket: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const prefix of Object.values(PREFIX)) counts[prefix] = await countObjects(s3, bucket, prefix);
  return counts;
}
