/**
 * The small S3 adapters that read the dropped file and move bytes to where naming.ts says.
 * Encryption is by bucket default (SSE configured by the storage module), so no SSE headers here.
 */
import { PassThrough, type Readable } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { ObjectRef } from '../event.ts';
import { encodeCopySource, MAX_SINGLE_COPY_BYTES, s3Uri } from '../naming.ts';
import type { ObjectStore, TextSink } from '../pipeline/ports.ts';

/** The processor's object store over an S3 client. */
export function s3ObjectStore(s3: S3Client): ObjectStore {
  return {
    resolveKey: (ref) => resolveEventKey(s3, ref),
    async open(ref) {
      try {
        return await openObject(s3, ref);
      } catch (error) {
        if (isGoneError(error)) return null;
        throw error;
      }
    },
    copy: (ref, key) => copyOriginal(s3, ref, key),
    removeFromLanding: (ref) => removeFromLanding(s3, ref),
    upload: (bucket, key) => startUpload(s3, bucket, key),
  };
}

/** Pins reads to the version (or, unversioned, the etag) from the event, so both passes see the same bytes. */
const pin = (ref: ObjectRef) => (ref.versionId ? { VersionId: ref.versionId } : { IfMatch: `"${ref.etag}"` });

export async function openObject(s3: S3Client, ref: ObjectRef): Promise<Readable> {
  const out = await s3.send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key, ...pin(ref) }));
  if (!out.Body) throw new Error(`GetObject returned no body for ${s3Uri(ref.bucket, ref.key)}`);
  return out.Body as Readable;
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

export async function copyOriginal(s3: S3Client, ref: ObjectRef, destinationKey: string): Promise<void> {
  if (ref.size > MAX_SINGLE_COPY_BYTES) {
    // A CSV this large would not finish inside Lambda's 15 minutes anyway; fail loudly, never silently.
    throw new Error(
      `${s3Uri(ref.bucket, ref.key)} is ${ref.size} bytes; copies over 5 GiB need a multipart copy, which is not supported`,
    );
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
