/**
 * Replaying a file: its archived or failed original copied back into raw-data/ under its original
 * name (the inverse of the processor's destination naming), never over an existing object.
 */
import { CopyObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { encodeCopySource, PREFIX, quoted, routedOriginal } from '../functions/order-processor/index.ts';

/** A key that cannot be replayed, with the reason (the CLI turns it into a usage error). */
export class NotReplayableError extends Error {
  override name = 'NotReplayableError';
}

/**
 * raw-data/<original name> for an archived/failed original: the inverse of the processor's own
 * destination naming (routedOriginal), so the two can never drift apart. `as` names it instead.
 */
export function replayKeyFor(key: string, as?: string): string {
  if (as) return as.startsWith(PREFIX.raw) ? as : PREFIX.raw + as.replace(/^\/+/, '');
  if (!key.startsWith(PREFIX.archive) && !key.startsWith(PREFIX.failed)) {
    throw new NotReplayableError(`${quoted(key)} is neither under ${PREFIX.archive} nor under ${PREFIX.failed}`);
  }
  if (key.endsWith('.errors.csv')) throw new NotReplayableError(`${quoted(key)} is an error report, not an original file`);
  const original = routedOriginal(key);
  if (!original) {
    throw new NotReplayableError(`${quoted(key)} is not named like a routed original (<day>/<name>.<ingestion id><ext>); pass --as NAME`);
  }
  return original.rawKey;
}

export async function objectExists(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (e) {
    const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404 || (e as { name?: string }).name === 'NotFound') return false;
    throw e;
  }
}

export type ReplayResult =
  | { outcome: 'replayed'; source: string; destination: string; versionId: string | null }
  | { outcome: 'no-source' | 'destination-exists'; source: string; destination: string };

/** Copies `source` to `destination` (a new upload: the processor handles it again); never overwrites. */
export async function replayObject(s3: S3Client, bucket: string, source: string, destination: string): Promise<ReplayResult> {
  if (!(await objectExists(s3, bucket, source))) return { outcome: 'no-source', source, destination };
  if (await objectExists(s3, bucket, destination)) return { outcome: 'destination-exists', source, destination };
  const copied = await s3.send(
    new CopyObjectCommand({ Bucket: bucket, Key: destination, CopySource: encodeCopySource(bucket, source, null), MetadataDirective: 'COPY' }),
  );
  return { outcome: 'replayed', source, destination, versionId: copied.VersionId ?? null };
}
