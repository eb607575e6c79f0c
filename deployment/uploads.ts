/** Dropping files into raw-data/ and following them through the ledger to their outcome. */
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Upload } from '@aws-sdk/lib-storage';
import { PREFIX } from '../functions/order-processor/index.ts';
import { getLedgerItem, isFinal, latestForKey, type LedgerItem } from './ledger-view.ts';
import { fileLedgerKey } from '../functions/order-processor/index.ts';

/** Multipart above this size (lib-storage uploads parts of PART_SIZE, QUEUE_SIZE at a time). */
export const PART_SIZE = 8 * 1024 * 1024;
const QUEUE_SIZE = 4;

/** `raw-data/<prefix><file name>`; the prefix is a relative folder ("sub/" or "sub"). */
export function rawKeyFor(file: string, prefix = ''): string {
  let p = prefix.trim();
  if (p.startsWith('/') || p.split('/').includes('..')) throw new Error(`--prefix must be a relative folder, not "${prefix}"`);
  if (p.startsWith(PREFIX.raw)) p = p.slice(PREFIX.raw.length);
  if (p && !p.endsWith('/')) p += '/';
  return `${PREFIX.raw}${p}${basename(file)}`;
}

export function contentTypeFor(file: string): string {
  return file.endsWith('.gz') ? 'application/gzip' : 'text/csv';
}

export interface Uploaded {
  file: string;
  key: string;
  size: number;
  versionId: string | null;
  etag: string;
}

export async function uploadFile(
  s3: S3Client,
  bucket: string,
  file: string,
  key: string,
  onProgress?: (loaded: number, total: number) => void,
): Promise<Uploaded> {
  const size = statSync(file).size;
  const upload = new Upload({
    client: s3,
    params: { Bucket: bucket, Key: key, Body: createReadStream(file), ContentType: contentTypeFor(file) },
    partSize: PART_SIZE,
    queueSize: QUEUE_SIZE,
    leavePartsOnError: false,
  });
  upload.on('httpUploadProgress', (p) => onProgress?.(p.loaded ?? 0, p.total ?? size));
  const out = await upload.done();
  return {
    file,
    key,
    size,
    versionId: out.VersionId ?? null,
    etag: (out.ETag ?? '').replace(/"/g, ''),
  };
}

/**
 * Polls the ledger until the file item of this upload (bucket/key#version, or #etag on an
 * unversioned bucket) has a final status; null when the deadline passes first.
 */
export async function waitForOutcome(
  doc: DynamoDBDocumentClient,
  table: string,
  bucket: string,
  uploaded: Pick<Uploaded, 'key' | 'versionId' | 'etag'>,
  options: { timeoutMs: number; intervalMs?: number; onTick?: (item: LedgerItem | null) => void; signal?: AbortSignal },
): Promise<LedgerItem | null> {
  const deadline = Date.now() + options.timeoutMs;
  const pk = fileLedgerKey({ bucket, key: uploaded.key, versionId: uploaded.versionId, etag: uploaded.etag });
  let polls = 0;
  let item: LedgerItem | null = null;
  while (Date.now() < deadline && !options.signal?.aborted) {
    item = await getLedgerItem(doc, table, pk);
    // Rarely useful fallback (a ledger keyed differently than expected): look the key up by day.
    if (!item && uploaded.versionId === null && polls % 10 === 9) item = await latestForKey(doc, table, bucket, uploaded.key);
    options.onTick?.(item);
    if (isFinal(item)) return item;
    polls += 1;
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 500));
  }
  return isFinal(item) ? item : null;
}
