/** Dropping files into raw-data/ and following them through the ledger to their outcome. */
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Upload } from '@aws-sdk/lib-storage';
import { fileLedgerKey, PREFIX } from '../functions/order-processor/index.ts';
import { getLedgerItems, isFinal, latestForKey, type LedgerItem } from './ledger-view.ts';

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
  const uploaded = await uploadStream(s3, bucket, key, createReadStream(file), {
    contentType: contentTypeFor(file),
    size,
    onProgress: (loaded, total) => onProgress?.(loaded, total ?? size),
  });
  return { ...uploaded, file };
}

/**
 * Uploads a stream of unknown or known length (the console relays a browser's upload this way):
 * one PUT when small, multipart of PART_SIZE parts otherwise. `size` only feeds the progress total.
 */
export async function uploadStream(
  s3: S3Client,
  bucket: string,
  key: string,
  body: Readable,
  options: { contentType: string; size?: number; onProgress?: (loaded: number, total: number | undefined) => void; signal?: AbortSignal },
): Promise<Uploaded> {
  const upload = new Upload({
    client: s3,
    params: { Bucket: bucket, Key: key, Body: body, ContentType: options.contentType },
    partSize: PART_SIZE,
    queueSize: QUEUE_SIZE,
    leavePartsOnError: false,
  });
  let loaded = 0;
  upload.on('httpUploadProgress', (p) => {
    loaded = Math.max(loaded, p.loaded ?? 0);
    options.onProgress?.(p.loaded ?? 0, p.total ?? options.size);
  });
  options.signal?.addEventListener('abort', () => void upload.abort().catch(() => undefined), { once: true });
  const out = await upload.done();
  return {
    file: key,
    key,
    size: options.size ?? loaded,
    versionId: out.VersionId ?? null,
    etag: (out.ETag ?? '').replace(/"/g, ''),
  };
}

/** The ledger key of an upload's file item (bucket/key#version, or #etag on an unversioned bucket). */
export function uploadLedgerKey(bucket: string, uploaded: Pick<Uploaded, 'key' | 'versionId' | 'etag'>): string {
  return fileLedgerKey({ bucket, key: uploaded.key, versionId: uploaded.versionId, etag: uploaded.etag });
}

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** After each poll: how many have a final status, of how many. */
  onTick?: (done: number, total: number, items: readonly (LedgerItem | null)[]) => void;
  signal?: AbortSignal;
  stop?: () => boolean;
}

/**
 * Polls the ledger until every upload's file item has a final status, or the deadline passes.
 * Returns the items in the order of `uploads`; null for a file with no final status by then.
 */
export async function waitForOutcomes(
  doc: DynamoDBDocumentClient,
  table: string,
  bucket: string,
  uploads: readonly Pick<Uploaded, 'key' | 'versionId' | 'etag'>[],
  options: WaitOptions,
): Promise<(LedgerItem | null)[]> {
  const deadline = Date.now() + options.timeoutMs;
  const pks = uploads.map((u) => uploadLedgerKey(bucket, u));
  const items: (LedgerItem | null)[] = uploads.map(() => null);
  for (let polls = 0; ; polls++) {
    const pending = pks.flatMap((pk, i) => (isFinal(items[i]) ? [] : [{ pk, i }]));
    const found = await getLedgerItems(doc, table, pending.map((p) => p.pk));
    for (const { pk, i } of pending) {
      items[i] = found.get(pk) ?? null;
      // Rarely useful fallback (a ledger keyed differently than expected): look the key up by day.
      const u = uploads[i]!;
      if (!items[i] && u.versionId === null && polls % 10 === 9) items[i] = await latestForKey(doc, table, bucket, u.key);
    }
    const done = items.filter(isFinal).length;
    options.onTick?.(done, items.length, items);
    if (done === items.length || Date.now() >= deadline || options.signal?.aborted || options.stop?.()) {
      return items.map((item) => (isFinal(item) ? item : null));
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 500));
  }
}
