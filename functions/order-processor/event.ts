/**
 * Decoding the SQS messages the processor consumes: on the ingest queue, the message that tells us
 * an object landed (normally an EventBridge "Object Created" event; a classic S3 notification,
 * `Records[]`, possibly inside an SNS envelope, is accepted as well so a bucket wired the old way
 * still works); on the parts queue, our own part messages (built here too, by partMessageBody).
 *
 * The field names are Powertools' parser types (type-only: nothing of the parser or zod is
 * bundled). Its runtime schemas are not used: they would add ~450 KB and ~36 ms to every cold
 * start, and reject what real senders send (moto's `eTag`, epoch-seconds `time` and null
 * `version-id`; an IPv6 source address in a classic notification). A unit test checks that every
 * event Powertools' schemas accept decodes to the same fields here. See docs/architecture.md.
 */
import type { S3Event, S3EventNotificationEventBridge, SnsSqsNotification } from '@aws-lambda-powertools/parser/types';
import { PREFIX } from './resource-names.ts';

type BridgeObjectField = keyof S3EventNotificationEventBridge['detail']['object'];
type NotificationObjectField = keyof S3Event['Records'][number]['s3']['object'];

/** One S3 object version to handle. */
export interface ObjectRef {
  bucket: string;
  /** The real object key (never URL-encoded). */
  key: string;
  size: number;
  /** Without surrounding quotes. */
  etag: string;
  /** null when the bucket is not versioned. */
  versionId: string | null;
  /** ISO 8601. */
  eventTime: string;
}

export type DecodedMessage =
  | { kind: 'objects'; objects: ObjectRef[] }
  /** A unit of work on one part of a large file (the parts queue). */
  | { kind: 'part'; part: PartMessage }
  /** A well-formed message that needs no work (test event, deletion, …). */
  | { kind: 'ignored'; reason: string };

/**
 * The message can never be handled (not JSON, not an S3 event, fields missing). The record fails,
 * so SQS redelivers it and, after maxReceiveCount, moves it to the DLQ where an operator sees it.
 */
export class MalformedEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedEventError';
  }
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reads a property whatever its case (moto sends `eTag`, AWS EventBridge sends `etag`). */
function field(obj: Json, name: BridgeObjectField | NotificationObjectField | 'name' | 'versionId'): unknown {
  if (name in obj) return obj[name];
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(obj)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

function requireString(obj: Json, name: Parameters<typeof field>[1], where: string): string {
  const value = field(obj, name);
  if (typeof value !== 'string' || value === '') {
    throw new MalformedEventError(`${where}.${name} is missing or not a string`);
  }
  return value;
}

function optionalSize(obj: Json): number {
  const size = field(obj, 'size');
  if (typeof size === 'number' && Number.isFinite(size) && size >= 0) return size;
  if (typeof size === 'string' && /^\d+$/.test(size)) return Number(size);
  return 0;
}

function optionalVersion(obj: Json, ...names: Parameters<typeof field>[1][]): string | null {
  for (const name of names) {
    const v = field(obj, name);
    // S3 reports the literal "null" version for objects written before versioning was enabled.
    if (typeof v === 'string' && v !== '' && v !== 'null') return v;
  }
  return null;
}

const stripQuotes = (etag: string): string => etag.replace(/^"+|"+$/g, '');

/** EventBridge `time` is ISO 8601 on AWS; moto sends epoch seconds. */
function toIsoTime(value: unknown, fallback: Date): string {
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return new Date(value).toISOString();
  if (typeof value === 'number' && Number.isFinite(value)) {
    // Heuristic: seconds vs milliseconds since the epoch.
    return new Date(value < 1e12 ? value * 1000 : value).toISOString();
  }
  return fallback.toISOString();
}

/**
 * Classic S3 notifications URL-encode the key with `+` for space (form encoding).
 * A key that is not valid percent-encoding is malformed: better to fail loudly than guess.
 */
export function decodeS3NotificationKey(encoded: string): string {
  try {
    return decodeURIComponent(encoded.replace(/\+/g, ' '));
  } catch {
    throw new MalformedEventError(`object key "${encoded}" is not valid URL encoding`);
  }
}

function fromEventBridge(event: Json, now: Date): DecodedMessage {
  const detailType = event['detail-type'];
  if (detailType !== 'Object Created') {
    return { kind: 'ignored', reason: `EventBridge detail-type "${String(detailType)}" is not "Object Created"` };
  }
  const detail = event.detail;
  if (!isObject(detail)) throw new MalformedEventError('EventBridge event has no detail object');
  const bucket = detail.bucket;
  const object = detail.object;
  if (!isObject(bucket) || !isObject(object)) {
    throw new MalformedEventError('EventBridge event detail lacks bucket or object');
  }
  return {
    kind: 'objects',
    objects: [
      {
        bucket: requireString(bucket, 'name', 'detail.bucket'),
        // EventBridge keys are not URL-encoded: use the key verbatim (a literal `+` or `%` stays).
        key: requireString(object, 'key', 'detail.object'),
        size: optionalSize(object),
        etag: stripQuotes(requireString(object, 'etag', 'detail.object')),
        versionId: optionalVersion(object, 'version-id', 'versionId'),
        eventTime: toIsoTime(event.time, now),
      },
    ],
  };
}

function fromS3Notification(records: unknown[], now: Date): DecodedMessage {
  const objects: ObjectRef[] = [];
  for (const [i, record] of records.entries()) {
    if (!isObject(record)) throw new MalformedEventError(`Records[${i}] is not an object`);
    const name = record.eventName;
    if (typeof name !== 'string' || !name.startsWith('ObjectCreated:')) continue;
    const s3 = record.s3;
    if (!isObject(s3) || !isObject(s3.bucket) || !isObject(s3.object)) {
      throw new MalformedEventError(`Records[${i}].s3 lacks bucket or object`);
    }
    objects.push({
      bucket: requireString(s3.bucket, 'name', `Records[${i}].s3.bucket`),
      key: decodeS3NotificationKey(requireString(s3.object, 'key', `Records[${i}].s3.object`)),
      size: optionalSize(s3.object),
      etag: stripQuotes(requireString(s3.object, 'etag', `Records[${i}].s3.object`)),
      versionId: optionalVersion(s3.object, 'versionId', 'version-id'),
      eventTime: toIsoTime(record.eventTime, now),
    });
  }
  if (objects.length === 0) return { kind: 'ignored', reason: 'S3 notification has no ObjectCreated record' };
  return { kind: 'objects', objects };
}

/** The `type` of a part message: what tells it apart from an S3 event on a queue. */
export const PART_MESSAGE_TYPE = 'order-pipeline.part';
export const PART_MESSAGE_VERSION = 1;

export type PartPhase = 'scan' | 'write';

/**
 * One part of a file processed in parts (docs/architecture.md, "Large files in parts"): which
 * file version, which planning attempt (`planId`: a message of a superseded plan is dropped), and
 * which of the `parts` parts (0-based) to scan or to write.
 */
export interface PartMessage {
  phase: PartPhase;
  bucket: string;
  key: string;
  versionId: string | null;
  etag: string;
  size: number;
  ingestionId: string;
  planId: string;
  part: number;
  parts: number;
}

/** The message body of one part (JSON), as the parts queue carries it. */
export function partMessageBody(message: PartMessage): string {
  const { phase, bucket, key, versionId, etag, size, ingestionId, planId, part, parts } = message;
  return JSON.stringify({ type: PART_MESSAGE_TYPE, version: PART_MESSAGE_VERSION, phase, bucket, key, versionId, etag, size, ingestionId, planId, part, parts });
}

const isCount = (value: unknown, min: number): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= min;

function fromPartMessage(body: Json): DecodedMessage {
  if (body.version !== PART_MESSAGE_VERSION) {
    throw new MalformedEventError(`part message version ${JSON.stringify(body.version)} is not ${PART_MESSAGE_VERSION}`);
  }
  const { phase, versionId, size, part, parts } = body;
  if (phase !== 'scan' && phase !== 'write') throw new MalformedEventError(`part message phase ${JSON.stringify(phase)} is neither "scan" nor "write"`);
  if (versionId !== null && (typeof versionId !== 'string' || versionId === '')) {
    throw new MalformedEventError('part message versionId is neither null nor a string');
  }
  if (!isCount(size, 0)) throw new MalformedEventError('part message size is not a whole number');
  if (!isCount(parts, 1) || !isCount(part, 0) || part >= parts) {
    throw new MalformedEventError(`part message part ${JSON.stringify(part)} of ${JSON.stringify(parts)} is not a part index below the number of parts`);
  }
  const text = (name: 'bucket' | 'key' | 'etag' | 'ingestionId' | 'planId'): string => {
    const value = body[name];
    if (typeof value !== 'string' || value === '') throw new MalformedEventError(`part message ${name} is missing or not a string`);
    return value;
  };
  return {
    kind: 'part',
    part: { phase, bucket: text('bucket'), key: text('key'), versionId, etag: text('etag'), size, ingestionId: text('ingestionId'), planId: text('planId'), part, parts },
  };
}

const isSnsEnvelope = (value: Json): value is Json & Pick<SnsSqsNotification, 'Type' | 'TopicArn' | 'Message'> =>
  value.Type === 'Notification' && typeof value.Message === 'string' && typeof value.TopicArn === 'string';

/** Decodes one SQS message body. Throws MalformedEventError for anything that is neither an S3 event nor a part message. */
export function decodeMessageBody(body: string, now: Date = new Date()): DecodedMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new MalformedEventError(`message body is not JSON (starts with ${JSON.stringify(body.slice(0, 40))})`);
  }
  if (!isObject(parsed)) throw new MalformedEventError('message body is not a JSON object');
  // Delivered through an SNS topic without raw message delivery: unwrap the envelope once.
  if (isSnsEnvelope(parsed)) {
    return decodeMessageBody(parsed.Message, now);
  }
  if (parsed.type === PART_MESSAGE_TYPE) return fromPartMessage(parsed);
  // S3 sends this once when a notification configuration is saved.
  if (parsed.Event === 's3:TestEvent') return { kind: 'ignored', reason: 'S3 test event' };
  if (Array.isArray(parsed.Records)) return fromS3Notification(parsed.Records, now);
  if (parsed.source === 'aws.s3' && 'detail-type' in parsed) return fromEventBridge(parsed, now);
  throw new MalformedEventError(
    `message body is neither an EventBridge S3 event (source "aws.s3"), an S3 notification (Records[]) nor a part message (type "${PART_MESSAGE_TYPE}")`,
  );
}

/**
 * Only the landing zone is processed; anything else reaching the queue is a wiring mistake. Every
 * object under it gets an outcome, whatever its name (a name that is not `*.csv` or `*.csv.gz`
 * ends FAILED with a reason), except a folder placeholder (isFolderPlaceholder).
 */
export function isLandingKey(key: string): boolean {
  return key.startsWith(PREFIX.raw);
}

/**
 * What the S3 console's "Create folder" writes: an empty object whose key ends in `/`. It is not a
 * file, so it gets no outcome. A non-empty object named like a folder is a file with a bad name:
 * it is handled (and ends FAILED) like any other, so nothing in raw-data/ is silently left there.
 */
export function isFolderPlaceholder(ref: Pick<ObjectRef, 'key' | 'size'>): boolean {
  return ref.key.endsWith('/') && ref.size === 0;
}
