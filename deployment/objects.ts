/** Reading one object of the bucket as a stream (the console's downloads and errors reports). */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { clientConfig } from '../tooling/aws-clients.ts';
import type { Target } from './target.ts';

/**
 * An S3 client for reading objects back, without the SDK's response checksum check: moto gives an
 * object copied from a multipart upload the source's multipart checksum, which the SDK then takes
 * for the copy's own and rejects, though the bytes are right (docs/local.md). On AWS it changes nothing.
 */
export function objectReader(target: Pick<Target, 'region' | 'endpoint'>): S3Client {
  return new S3Client({
    ...clientConfig({ region: target.region, ...(target.endpoint ? { endpoint: target.endpoint } : {}) }),
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export interface ObjectStream {
  body: Readable;
  size: number | null;
}

/** The object's bytes as a stream (read it, or destroy it, to release the connection). */
export async function readObject(s3: S3Client, bucket: string, key: string): Promise<ObjectStream> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return { body: out.Body as Readable, size: out.ContentLength ?? null };
}
