/**
 * Objects assembled server-side from other objects with a multipart upload: the original copied
 * to archive/ or failed-data/ when it is over CopyObject's 5 GiB limit, and the slices of a file
 * processed in parts joined into one cleaned CSV and one errors report. S3 copies the bytes of
 * every part of 5 MiB or more itself (UploadPartCopy); only smaller pieces pass through here, a
 * few MiB at a time, so the time and memory of a join do not grow with the size of the output.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type CompletedPart,
  type CreateMultipartUploadCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { encodeCopySource, MAX_SINGLE_COPY_BYTES } from '../naming.ts';
import type { JoinSource } from '../pipeline/ports.ts';

const MiB = 1024 * 1024;

/** S3: every part of a multipart upload but the last is at least 5 MiB, and at most 5 GiB. */
export const MIN_PART_BYTES = 5 * MiB;
export const MAX_PART_BYTES = MAX_SINGLE_COPY_BYTES;
/** S3: at most 10,000 parts per upload. */
export const MAX_PARTS = 10_000;

/** Copy parts in flight at once (each is a server-side copy of up to a few hundred MiB). */
const COPY_CONCURRENCY = 8;

/** One object version to copy bytes from; pinned by version, or by etag when unversioned. */
export interface CopySource {
  bucket: string;
  key: string;
  versionId: string | null;
  etag?: string;
}

const copySourceParams = (source: CopySource) => ({
  CopySource: encodeCopySource(source.bucket, source.key, source.versionId),
  ...(source.versionId || !source.etag ? {} : { CopySourceIfMatch: `"${source.etag}"` }),
});

/** Parts added in order, uploaded a few at a time; the upload is created with the first part. */
class MultipartWriter {
  private uploadId: string | undefined;
  private readonly parts: CompletedPart[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private failure: unknown = null;

  constructor(
    private readonly s3: S3Client,
    private readonly params: CreateMultipartUploadCommandInput & { Bucket: string; Key: string },
    private readonly concurrency = COPY_CONCURRENCY,
  ) {}

  get started(): boolean {
    return this.parts.length > 0;
  }

  async addBytes(body: Buffer): Promise<void> {
    await this.add((UploadId, PartNumber) =>
      this.s3
        .send(new UploadPartCommand({ Bucket: this.params.Bucket, Key: this.params.Key, UploadId, PartNumber, Body: body }))
        .then((out) => out.ETag),
    );
  }

  async addCopy(source: CopySource, start: number, end: number): Promise<void> {
    await this.add((UploadId, PartNumber) =>
      this.s3
        .send(
          new UploadPartCopyCommand({
            Bucket: this.params.Bucket,
            Key: this.params.Key,
            UploadId,
            PartNumber,
            ...copySourceParams(source),
            CopySourceRange: `bytes=${start}-${end - 1}`,
          }),
        )
        .then((out) => out.CopyPartResult?.ETag),
    );
  }

  private async add(send: (uploadId: string, partNumber: number) => Promise<string | undefined>): Promise<void> {
    if (this.parts.length >= MAX_PARTS) throw new Error(`${this.params.Key} would need more than ${MAX_PARTS} parts`);
    this.uploadId ??= (await this.s3.send(new CreateMultipartUploadCommand(this.params))).UploadId;
    const uploadId = this.uploadId;
    if (!uploadId) throw new Error(`CreateMultipartUpload returned no upload id for ${this.params.Key}`);
    while (this.inFlight.size >= this.concurrency) await Promise.race(this.inFlight);
    this.throwIfFailed();
    const completed: CompletedPart = { PartNumber: this.parts.length + 1 };
    this.parts.push(completed);
    const request: Promise<void> = send(uploadId, completed.PartNumber ?? 0)
      .then((etag) => {
        if (!etag) throw new Error(`part ${completed.PartNumber} of ${this.params.Key} returned no ETag`);
        completed.ETag = etag;
      })
      .catch((error: unknown) => {
        this.failure ??= error;
      })
      .finally(() => this.inFlight.delete(request));
    this.inFlight.add(request);
  }

  private throwIfFailed(): void {
    if (this.failure !== null) throw this.failure;
  }

  async complete(): Promise<void> {
    await Promise.all([...this.inFlight]);
    this.throwIfFailed();
    await this.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: this.params.Bucket,
        Key: this.params.Key,
        UploadId: this.uploadId,
        MultipartUpload: { Parts: this.parts },
      }),
    );
  }

  /** Best effort: lifecycle rules abort incomplete multipart uploads as well. */
  async abort(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
    if (!this.uploadId) return;
    await this.s3
      .send(new AbortMultipartUploadCommand({ Bucket: this.params.Bucket, Key: this.params.Key, UploadId: this.uploadId }))
      .catch(() => undefined);
  }
}

/**
 * [start, end) cut into pieces of at most `max` bytes, all of about the same size: when there are
 * several, each is over half of `max` (so pieces of a 5 GiB maximum are far above the 5 MiB minimum).
 */
export function evenPieces(start: number, end: number, max: number): [number, number][] {
  const count = Math.max(1, Math.ceil((end - start) / max));
  const size = Math.ceil((end - start) / count);
  const pieces: [number, number][] = [];
  for (let at = start; at < end; at += size) pieces.push([at, Math.min(end, at + size)]);
  return pieces;
}

/** The part size of a multipart copy of `size` bytes: at least 512 MiB, and few enough parts. */
export function copyPartBytes(size: number): number {
  return Math.min(MAX_PART_BYTES, Math.max(512 * MiB, Math.ceil(size / MAX_PARTS)));
}

async function readRange(s3: S3Client, bucket: string, key: string, start: number, end: number): Promise<Buffer> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${start}-${end - 1}` }));
  const bytes = Buffer.from((await out.Body?.transformToByteArray()) ?? []);
  if (bytes.length !== end - start) throw new Error(`read ${bytes.length} bytes of ${key} [${start}, ${end}), expected ${end - start}`);
  return bytes;
}

/**
 * Writes `head` then every source, in order, as one object. A source piece of 5 MiB or more is
 * copied by S3 (UploadPartCopy); smaller ones are gathered here into parts of 5 MiB (a part
 * being filled takes just the bytes it lacks from the next source, which is then copied from
 * there on), so at most ~5 MiB is held at once. A small result is one PutObject.
 */
export async function joinObjects(
  s3: S3Client,
  bucket: string,
  key: string,
  head: string,
  sources: readonly JoinSource[],
  contentType = 'text/csv; charset=utf-8',
): Promise<void> {
  const writer = new MultipartWriter(s3, { Bucket: bucket, Key: key, ContentType: contentType });
  let buffer: Buffer[] = head ? [Buffer.from(head, 'utf8')] : [];
  let buffered = buffer[0]?.length ?? 0;
  const flush = async () => {
    await writer.addBytes(Buffer.concat(buffer, buffered));
    buffer = [];
    buffered = 0;
  };
  try {
    for (const source of sources) {
      let at = 0;
      if (buffered > 0) {
        at = Math.min(MIN_PART_BYTES - buffered, source.size);
        if (at > 0) buffer.push(await readRange(s3, bucket, source.key, 0, at));
        buffered += at;
        if (buffered >= MIN_PART_BYTES) await flush();
      }
      const rest = source.size - at;
      if (rest >= MIN_PART_BYTES) {
        for (const [start, end] of evenPieces(at, source.size, MAX_PART_BYTES)) {
          await writer.addCopy({ bucket, key: source.key, versionId: null }, start, end);
        }
      } else if (rest > 0) {
        buffer.push(await readRange(s3, bucket, source.key, at, source.size));
        buffered += rest;
      }
    }
    if (!writer.started) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.concat(buffer, buffered), ContentType: contentType }));
      return;
    }
    if (buffered > 0) await flush();
    await writer.complete();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

/**
 * Copies one object version of any size (up to S3's object limit) to `key` with UploadPartCopy,
 * keeping its content headers and user metadata as CopyObject's MetadataDirective COPY would.
 */
export async function copyInParts(
  s3: S3Client,
  source: CopySource & { size: number },
  bucket: string,
  key: string,
  partBytes = copyPartBytes(source.size),
): Promise<void> {
  const head = await s3.send(
    new HeadObjectCommand({
      Bucket: source.bucket,
      Key: source.key,
      ...(source.versionId ? { VersionId: source.versionId } : source.etag ? { IfMatch: `"${source.etag}"` } : {}),
    }),
  );
  const writer = new MultipartWriter(s3, {
    Bucket: bucket,
    Key: key,
    ContentType: head.ContentType,
    ContentEncoding: head.ContentEncoding,
    ContentDisposition: head.ContentDisposition,
    ContentLanguage: head.ContentLanguage,
    CacheControl: head.CacheControl,
    Metadata: head.Metadata,
  });
  try {
    const size = head.ContentLength ?? source.size;
    for (const [start, end] of evenPieces(0, size, partBytes)) await writer.addCopy(source, start, end);
    await writer.complete();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}
