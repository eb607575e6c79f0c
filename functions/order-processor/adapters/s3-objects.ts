/**
 * The small S3 adapters that read the dropped file and move bytes to where naming.ts says.
 * Encryption is by bucket default (SSE configured by the storage module), so no SSE headers here.
 */
import { PassThrough, Readable } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { ObjectRef } from '../event.ts';
import { encodeCopySource, MAX_SINGLE_COPY_BYTES, s3Uri } from '../naming.ts';
import type { ByteRange, ObjectStore, StoredObject, TextSink } from '../pipeline/ports.ts';
import { copyInParts, joinObjects } from './s3-multipart.ts';

/** The processor's object store over an S3 client. */
export function s3ObjectStore(s3: S3Client): ObjectStore {
  return {
    resolveKey: (ref) => resolveEventKey(s3, ref),
    async open(ref, range) {
      try {
        return await openObject(s3, ref, range);
      } catch (error) {
        if (isGoneError(error)) return null;
        throw error;
      }
    },
    async copy(ref, key) {
      try {
        await copyOriginal(s3, ref, key);
        return true;
      } catch (error) {
        if (isGoneError(error)) return false;
        throw error;
      }
    },
    removeFromLanding: (ref) => removeFromLanding(s3, ref),
    upload: (bucket, key) => startUpload(s3, bucket, key),
    uploadBytes: (bucket, key, body) => uploadBytes(s3, bucket, key, body),
    putText: async (bucket, key, text) => {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: text, ContentType: 'application/json; charset=utf-8' }));
    },
    getText: (bucket, key, range) => getText(s3, bucket, key, range),
    join: (bucket, key, head, sources) => joinObjects(s3, bucket, key, head, sources),
    removeAll: (bucket, prefix) => removeAll(s3, bucket, prefix),
  };
}

/** Pins reads to the version (or, unversioned, the etag) from the event, so both passes see the same bytes. */
const pin = (ref: ObjectRef) => (ref.versionId ? { VersionId: ref.versionId } : { IfMatch: `"${ref.etag}"` });

/** The object's bytes, or those of [start, end) (an empty range reads nothing). */
export async function openObject(s3: S3Client, ref: ObjectRef, range?: ByteRange): Promise<Readable> {
  if (range && range.end <= range.start) return Readable.from([]);
  const out = await s3.send(
    new GetObjectCommand({
      Bucket: ref.bucket,
      Key: ref.key,
      ...pin(ref),
      ...(range ? { Range: `bytes=${range.start}-${range.end - 1}` } : {}),
    }),
  );
  if (!out.Body) throw new Error(`GetObject returned no body for ${s3Uri(ref.bucket, ref.key)}`);
  return out.Body as Readable;
}

async function getText(s3: S3Client, bucket: string, key: string, range?: ByteRange): Promise<string | null> {
  if (range && range.end <= range.start) return '';
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...(range ? { Range: `bytes=${range.start}-${range.end - 1}` } : {}) }));
    return (await out.Body?.transformToString('utf8')) ?? '';
  } catch (error) {
    if (isGoneError(error)) return null;
    throw error;
  }
}

/** A streamed multipart upload of bytes (5 MiB parts, two in flight); how to read exactly it back. */
export async function uploadBytes(s3: S3Client, bucket: string, key: string, body: AsyncIterable<Uint8Array>): Promise<StoredObject> {
  let size = 0;
  async function* counted(): AsyncGenerator<Uint8Array> {
    for await (const chunk of body) {
      size += chunk.byteLength;
      yield chunk;
    }
  }
  const upload = new Upload({
    client: s3,
    params: { Bucket: bucket, Key: key, Body: Readable.from(counted()), ContentType: 'text/csv; charset=utf-8' },
    partSize: 5 * 1024 * 1024,
    queueSize: 2,
    leavePartsOnError: false,
  });
  const out = await upload.done();
  const etag = (out.ETag ?? '').replace(/"/g, '');
  if (!etag) throw new Error(`the upload of ${s3Uri(bucket, key)} returned no ETag`);
  return { key, etag, size };
}

/** Deletes every object under the prefix (delete markers in a versioned bucket; lifecycle expires the rest). */
export async function removeAll(s3: S3Client, bucket: string, prefix: string): Promise<number> {
  let removed = 0;
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    const keys = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
    if (keys.length > 0) {
      const out = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
      const failed = out.Errors ?? [];
      if (failed.length > 0) throw new Error(`could not delete ${failed.length} object(s) under ${s3Uri(bucket, prefix)}: ${failed[0]?.Code} ${failed[0]?.Message}`);
      removed += keys.length;
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return removed;
}

/**
 * The key as it exists in the bucket. EventBridge keys are believed not to be URL-encoded (AWS
 * documents no encoding for them), but if one arrives encoded like a classic notification (`+`
 * for space, `%xx`), the verbatim key is not found while its decoded form is. Only keys with `+` or `%` cost a HeadObject; both
 * lookups are pinned to the event's version/etag, so a different object can never be picked up.
 */
export async function resolveEventKey(s3: S3Client, ref: ObjectRef): Promise<ObjectRef> {
  if (!/[+%]/.test(ref.key)) return ref;
  let decoded: string;
  try {
    decoded = decodeURIComponent(ref.key.replace(/\+/g, ' '));
  } catch {
    return ref;
  }
  if (decoded === ref.key || (await exists(s3, ref))) return ref;
  const candidate = { ...ref, key: decoded };
  return (await exists(s3, candidate)) ? candidate : ref;
}

async function exists(s3: S3Client, ref: ObjectRef): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key, ...pin(ref) }));
    return true;
  } catch (error) {
    if (isGoneError(error)) return false;
    throw error;
  }
}

/** The object (version) no longer exists or changed: not an infrastructure fault. */
export function isGoneError(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  const status = e?.$metadata?.httpStatusCode;
  return (
    e?.name === 'NoSuchKey' ||
    e?.name === 'NotFound' ||
    e?.name === 'NoSuchVersion' ||
    e?.name === 'PreconditionFailed' ||
    status === 404 ||
    status === 412
  );
}

/** Copies the original byte for byte: one CopyObject up to 5 GiB, a multipart copy above. */
export async function copyOriginal(s3: S3Client, ref: ObjectRef, destinationKey: string, singleCopyMax = MAX_SINGLE_COPY_BYTES): Promise<void> {
  if (ref.size > singleCopyMax) {
    await copyInParts(s3, { bucket: ref.bucket, key: ref.key, versionId: ref.versionId, etag: ref.etag, size: ref.size }, ref.bucket, destinationKey);
    return;
  }
  await s3.send(
    new CopyObjectCommand({
      Bucket: ref.bucket,
      Key: destinationKey,
      CopySource: encodeCopySource(ref.bucket, ref.key, ref.versionId),
      ...(ref.versionId ? {} : { CopySourceIfMatch: `"${ref.etag}"` }),
      MetadataDirective: 'COPY',
    }),
  );
}

/**
 * Removes the handled object from raw-data/, but only while the key's current object is still the
 * one we handled: a newer upload under the same key (which has its own event) is left alone.
 * Versioned buckets get a delete marker (the old version expires by lifecycle; nothing is
 * destroyed, and no s3:DeleteObjectVersion permission is needed). Returns false when there was
 * nothing of ours to remove.
 */
export async function removeFromLanding(s3: S3Client, ref: ObjectRef): Promise<boolean> {
  let current;
  try {
    current = await s3.send(new HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
  } catch (error) {
    if (isGoneError(error)) return false;
    throw error;
  }
  const sameVersion = ref.versionId
    ? current.VersionId === ref.versionId
    : (current.ETag ?? '').replace(/"/g, '') === ref.etag;
  if (!sameVersion) return false;
  await s3.send(new DeleteObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
  return true;
}

/** A streamed upload: write text, back-pressure honoured, fails fast if the upload fails. */
export interface StreamingUpload extends TextSink {
  readonly key: string;
}

export function startUpload(
  s3: S3Client,
  bucket: string,
  key: string,
  contentType = 'text/csv; charset=utf-8',
): StreamingUpload {
  const body = new PassThrough();
  const upload = new Upload({
    client: s3,
    params: { Bucket: bucket, Key: key, Body: body, ContentType: contentType },
    // 5 MiB parts, two in flight: bounded memory whatever the file size.
    partSize: 5 * 1024 * 1024,
    queueSize: 2,
    leavePartsOnError: false,
  });
  let failure: unknown = null;
  const done = upload.done().catch((error: unknown) => {
    failure = error;
    body.destroy();
  });
  const failed = done.then(() => {
    if (failure) throw failure;
  });
  // Avoid an unhandled rejection if nobody awaits `failed` before the failure.
  failed.catch(() => undefined);

  return {
    key,
    async write(text) {
      if (failure) throw failure;
      if (!body.write(text)) {
        await Promise.race([new Promise<void>((resolve) => body.once('drain', resolve)), failed]);
        if (failure) throw failure;
      }
    },
    async finish() {
      body.end();
      await done;
      if (failure) throw failure;
    },
    async abort() {
      try {
        await upload.abort();
      } catch {
        // best effort: lifecycle rules abort incomplete multipart uploads as well
      }
      body.destroy();
    },
  };
}
