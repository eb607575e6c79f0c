/**
 * The EventBridge "Object Created" event S3 emits for an upload, as the SQS message body the
 * processor receives. One builder for the unit tests, the integration tests and the benchmark.
 */

export interface CreatedObject {
  bucket: string;
  key: string;
  size: number;
  etag: string;
  versionId: string | null;
}

export interface ObjectCreatedOptions {
  /** `moto` (the default): `eTag` and epoch-seconds time, as moto emits; `aws`: `etag` and ISO time. */
  shape?: 'moto' | 'aws';
  time?: string | number;
  /** Merged into `detail.object` (an `undefined` value removes a field). */
  object?: Record<string, unknown>;
  /** Merged into the top level of the event. */
  extra?: Record<string, unknown>;
}

const ACCOUNT = '123456789012';

export function objectCreatedBody(obj: CreatedObject, options: ObjectCreatedOptions = {}): string {
  const shape = options.shape ?? 'moto';
  const object: Record<string, unknown> = {
    key: obj.key,
    size: obj.size,
    [shape === 'moto' ? 'eTag' : 'etag']: obj.etag,
    'version-id': obj.versionId,
    sequencer: '617f08299329d189',
    ...options.object,
  };
  return JSON.stringify({
    version: '0',
    // Constant, as moto's are: nothing may key idempotency on it (DESIGN §9).
    id: '17793124-05d4-b198-2fde-7ededc63b103',
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: ACCOUNT,
    time: options.time ?? (shape === 'moto' ? Math.floor(Date.now() / 1000) : new Date().toISOString()),
    region: 'us-east-1',
    resources: [`arn:aws:s3:::${obj.bucket}`],
    detail: { version: '0', bucket: { name: obj.bucket }, object, 'request-id': 'N4N7GDK58NMKJ12R', requester: ACCOUNT, reason: 'PutObject' },
    ...options.extra,
  });
}
