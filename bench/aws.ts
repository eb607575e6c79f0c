/**
 * Small AWS helpers shared by the processor run and the peers' baseline: upload the input file,
 * count the HTTP requests the SDK sends (by operation), read a table's item count.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { readFile } from 'node:fs/promises';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { benchClientConfig } from './setup.ts';
import type { UploadedObject } from './events.ts';

/** Puts a local file into the bucket (outside any measured time: the upload is the user's). */
export async function uploadFile(s3: S3Client, bucket: string, key: string, path: string): Promise<UploadedObject> {
  const body = await readFile(path);
  const out = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  return { bucket, key, etag: (out.ETag ?? '').replace(/"/g, ''), versionId: out.VersionId ?? null, size: body.byteLength };
}

/**
 * Counts outgoing HTTP requests per operation through node's `http.client.request.start`
 * diagnostics channel: it sees every request the real SDK clients send, without touching the
 * code under measurement. DynamoDB operations are named by their X-Amz-Target header; S3 requests
 * by method (`S3 GET`, `S3 PUT`, …; a CopyObject is a PUT); SNS's by method (`query POST`).
 */
export class RequestCounter {
  readonly counts = new Map<string, number>();
  /** performance.now() of the first request of each operation. */
  readonly firstAt = new Map<string, number>();
  private readonly listener = (message: unknown) => {
    const request = (message as { request?: ClientRequest }).request;
    if (!request) return;
    const target = request.getHeader('x-amz-target');
    // SNS (and other query-protocol services) POST to "/"; S3 paths name a bucket.
    const op = typeof target === 'string' ? (target.split('.').pop() ?? target) : request.path === '/' ? `query ${request.method}` : `S3 ${request.method}`;
    this.counts.set(op, (this.counts.get(op) ?? 0) + 1);
    if (!this.firstAt.has(op)) this.firstAt.set(op, performance.now());
  };

  start(): this {
    subscribe('http.client.request.start', this.listener);
    return this;
  }

  stop(): void {
    unsubscribe('http.client.request.start', this.listener);
  }

  count(op: string): number {
    return this.counts.get(op) ?? 0;
  }

  toJSON(): Record<string, number> {
    return Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }
}

/**
 * Items in a table. moto computes DescribeTable's ItemCount live (len of the table); AWS refreshes
 * it only every ~6 hours, so this is for the emulator only. A COUNT scan would agree but costs
 * moto ~1 s per 1,000 items.
 */
export async function itemCount(endpoint: string, table: string): Promise<number> {
  const ddb = new DynamoDBClient(benchClientConfig(endpoint));
  try {
    const out = await ddb.send(new DescribeTableCommand({ TableName: table }));
    return out.Table?.ItemCount ?? 0;
  } finally {
    ddb.destroy();
  }
}
