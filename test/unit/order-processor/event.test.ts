import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { S3EventNotificationEventBridgeSchema, S3Schema } from '@aws-lambda-powertools/parser/schemas/s3';
import { SnsSqsNotificationSchema } from '@aws-lambda-powertools/parser/schemas/sns';
import {
  decodeMessageBody,
  decodeS3NotificationKey,
  isFolderPlaceholder,
  isLandingKey,
  MalformedEventError,
  partMessageBody,
  type PartMessage,
} from '../../../functions/order-processor/event.ts';
import { objectCreatedBody } from '../../../tooling/lambda-events.ts';

const NOW = new Date('2026-11-22T04:00:00.000Z');

/** EventBridge "Object Created" event as AWS sends it (etag lower-case, ISO time). */
function eventBridgeBody(key: string, object: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): string {
  const obj = { bucket: 'orders-bucket', key, size: 120, etag: 'b1946ac92492d2347c6235b4d2611184', versionId: 'v1' };
  return objectCreatedBody(obj, { shape: 'aws', time: '2026-11-22T03:59:58Z', object, extra });
}

function s3NotificationBody(encodedKey: string, eventName = 'ObjectCreated:Put'): string {
  return JSON.stringify({
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        eventTime: '2026-11-22T03:59:58.000Z',
        eventName,
        s3: { bucket: { name: 'orders-bucket' }, object: { key: encodedKey, size: 7, eTag: '"abc"', versionId: 'v9' } },
      },
    ],
  });
}

describe('decodeMessageBody', () => {
  it('decodes an AWS EventBridge Object Created event', () => {
    // Act
    const decoded = decodeMessageBody(eventBridgeBody('raw-data/orders.csv'), NOW);
    // Assess
    expect(decoded).toEqual({
      kind: 'objects',
      objects: [
        {
          bucket: 'orders-bucket',
          key: 'raw-data/orders.csv',
          size: 120,
          etag: 'b1946ac92492d2347c6235b4d2611184',
          versionId: 'v1',
          eventTime: '2026-11-22T03:59:58.000Z',
        },
      ],
    });
  });

  it('reads the etag case-insensitively and epoch-second times (moto shape)', () => {
    // Prepare
    const body = eventBridgeBody('raw-data/a.csv', { etag: undefined, eTag: 'MOTOETAG', 'version-id': null }, { time: 1795320000 });
    // Act
    const decoded = decodeMessageBody(body, NOW);
    // Assess
    expect(decoded.kind).toBe('objects');
    if (decoded.kind !== 'objects') return;
    expect(decoded.objects[0]).toMatchObject({ etag: 'MOTOETAG', versionId: null, eventTime: new Date(1795320000 * 1000).toISOString() });
  });

  it.each([
    ['raw-data/my orders.csv'],
    ['raw-data/a+b.csv'],
    ['raw-data/100%/x.csv'],
    ['raw-data/commandes/été 2026 ü.csv'],
    ['raw-data/日本/注文.csv'],
  ])('keeps EventBridge key %s verbatim (not URL-decoded)', (key) => {
    // Act
    const decoded = decodeMessageBody(eventBridgeBody(key), NOW);
    // Assess
    expect(decoded.kind === 'objects' && decoded.objects[0]?.key).toBe(key);
  });

  it.each([
    ['raw-data/my+orders.csv', 'raw-data/my orders.csv'],
    ['raw-data/a%2Bb.csv', 'raw-data/a+b.csv'],
    ['raw-data/100%25.csv', 'raw-data/100%.csv'],
    ['raw-data/%C3%A9t%C3%A9+2026.csv', 'raw-data/été 2026.csv'],
  ])('URL-decodes classic S3 notification key %s', (encoded, expected) => {
    // Act
    const decoded = decodeMessageBody(s3NotificationBody(encoded), NOW);
    // Assess
    expect(decoded.kind === 'objects' && decoded.objects[0]).toMatchObject({ key: expected, etag: 'abc', versionId: 'v9' });
  });

  it('unwraps an SNS envelope around an S3 notification', () => {
    // Prepare
    const body = JSON.stringify({ Type: 'Notification', TopicArn: 'arn:aws:sns:us-east-1:1:t', Message: s3NotificationBody('raw-data/a+b.csv') });
    // Act
    const decoded = decodeMessageBody(body, NOW);
    // Assess
    expect(decoded.kind === 'objects' && decoded.objects[0]?.key).toBe('raw-data/a b.csv');
  });

  it('ignores Object Deleted events, S3 test events and non-create notifications', () => {
    // Act / Assess
    expect(decodeMessageBody(eventBridgeBody('raw-data/x.csv', {}, { 'detail-type': 'Object Deleted' })).kind).toBe('ignored');
    expect(decodeMessageBody(JSON.stringify({ Event: 's3:TestEvent', Bucket: 'b' })).kind).toBe('ignored');
    expect(decodeMessageBody(s3NotificationBody('raw-data/x.csv', 'ObjectRemoved:Delete')).kind).toBe('ignored');
  });

  it.each([
    ['not json', /not JSON/],
    ['[1,2]', /not a JSON object/],
    ['{"hello":"world"}', /neither an EventBridge S3 event/],
    [JSON.stringify({ source: 'aws.s3', 'detail-type': 'Object Created', detail: { bucket: { name: 'b' }, object: { size: 1 } } }), /detail.object.key is missing/],
    [JSON.stringify({ source: 'aws.s3', 'detail-type': 'Object Created' }), /no detail object/],
  ])('rejects malformed body %s with a clear error', (body, message) => {
    // Act / Assess
    expect(() => decodeMessageBody(body)).toThrow(MalformedEventError);
    expect(() => decodeMessageBody(body)).toThrow(message);
  });
});

describe('decodeS3NotificationKey', () => {
  it('fails clearly on invalid percent-encoding', () => {
    // Act / Assess
    expect(() => decodeS3NotificationKey('raw-data/%E0%A4%A.csv')).toThrow(/not valid URL encoding/);
  });
});

describe('isLandingKey', () => {
  it('accepts only objects under raw-data/', () => {
    // Act / Assess
    expect(isLandingKey('raw-data/a.csv')).toBe(true);
    expect(isLandingKey('raw-data/sub/a.csv')).toBe(true);
    expect(isLandingKey('archive/a.csv')).toBe(false);
    expect(isLandingKey('raw-data-2/a.csv')).toBe(false);
    expect(isLandingKey('processed-data/raw-data/a.csv')).toBe(false);
  });

  it('accepts every name under raw-data/, a trailing slash included (the name is judged later)', () => {
    // Act / Assess
    expect(isLandingKey('raw-data/folder/')).toBe(true);
    expect(isLandingKey('raw-data/')).toBe(true);
  });
});

describe('isFolderPlaceholder', () => {
  it.each([
    ['raw-data/folder/', 0, true],
    ['raw-data/', 0, true],
    ['raw-data/folder/', 1, false],
    ['raw-data/a.csv', 0, false],
  ])('%j of %i bytes → %s', (key, size, expected) => {
    // Act / Assess
    expect(isFolderPlaceholder({ key, size })).toBe(expected);
  });
});

/** A classic S3 notification record exactly as AWS documents it (every field Powertools' schema requires). */
function awsNotificationRecord(encodedKey: string, object: Record<string, unknown> = {}, sourceIPAddress = '205.255.255.255') {
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: 'us-east-1',
    eventTime: '2026-11-22T03:59:58.000Z',
    eventName: 'ObjectCreated:Put',
    userIdentity: { principalId: 'AWS:AIDAINPONIXQXHT3IKHL2' },
    requestParameters: { sourceIPAddress },
    responseElements: { 'x-amz-request-id': 'D82B88E5F771F645', 'x-amz-id-2': 'vlR7PnpV2Ce81l0PRw6jlUpck7Jo5ZsQjryTjKlc5aLWGVHPZLj5NeC6qMa0emYBDXOo6QBU0Wo=' },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'raw-data',
      bucket: { name: 'orders-bucket', ownerIdentity: { principalId: 'A3I5XTEXAMAI3E' }, arn: 'arn:aws:s3:::orders-bucket' },
      object: { key: encodedKey, size: 1305107, eTag: 'b21b84d653bb07b05b1e6b33684dc11b', sequencer: '0C0F6F405D6ED209E1', ...object },
    },
  };
}

/** Form-encodes a key as S3 does in classic notifications (space → `+`). */
const formEncode = (key: string) => encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/');

describe('decodeMessageBody against Powertools parser schemas', () => {
  const keys = fc
    .string({ unit: fc.constantFrom('a', 'Z', '0', '/', '.', '-', ' ', '+', '%', '=', '&', 'é', '注', '😀'), minLength: 1, maxLength: 60 })
    .map((k) => `raw-data/${k}`);

  it('decodes every EventBridge Object Created event Powertools accepts to the same fields', () => {
    fc.assert(
      fc.property(keys, fc.nat(), fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 32, maxLength: 32 }), fc.option(fc.string({ minLength: 1, maxLength: 32 })), (key, size, etag, versionId) => {
        // Prepare
        const body = objectCreatedBody({ bucket: 'orders-bucket', key, size, etag, versionId }, { shape: 'aws', time: '2026-11-22T03:59:58Z', object: { 'version-id': versionId ?? undefined } });
        const reference = S3EventNotificationEventBridgeSchema.parse(JSON.parse(body));
        // Act
        const decoded = decodeMessageBody(body, NOW);
        // Assess
        expect(decoded).toEqual({
          kind: 'objects',
          objects: [
            {
              bucket: reference.detail.bucket.name,
              key: reference.detail.object.key,
              size: reference.detail.object.size,
              etag: reference.detail.object.etag,
              versionId: reference.detail.object['version-id'] === 'null' ? null : (reference.detail.object['version-id'] ?? null),
              eventTime: new Date(reference.time).toISOString(),
            },
          ],
        });
      }),
      { numRuns: 200 },
    );
  });

  it('decodes every classic S3 notification Powertools accepts to the same fields, the key URL-decoded', () => {
    fc.assert(
      fc.property(keys, (key) => {
        // Prepare
        const body = JSON.stringify({ Records: [awsNotificationRecord(formEncode(key), { versionId: 'v9' })] });
        const reference = S3Schema.parse(JSON.parse(body)).Records[0];
        // Act
        const decoded = decodeMessageBody(body, NOW);
        // Assess
        expect(decoded.kind === 'objects' && decoded.objects[0]).toEqual({
          bucket: reference?.s3.bucket.name,
          key,
          size: reference?.s3.object.size,
          etag: reference?.s3.object.eTag,
          versionId: reference?.s3.object.versionId,
          eventTime: reference?.eventTime,
        });
      }),
      { numRuns: 200 },
    );
  });

  it('unwraps every SNS envelope Powertools accepts', () => {
    // Prepare
    const envelope = {
      Type: 'Notification',
      MessageId: '95df01b4-ee98-5cb9-9903-4c221d41eb5e',
      TopicArn: 'arn:aws:sns:us-east-1:123456789012:s3-events',
      Message: JSON.stringify({ Records: [awsNotificationRecord('raw-data/my+orders.csv')] }),
      Timestamp: '2026-11-22T03:59:58.000Z',
      UnsubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
    };
    expect(SnsSqsNotificationSchema.safeParse(envelope).success).toBe(true);
    // Act
    const decoded = decodeMessageBody(JSON.stringify(envelope), NOW);
    // Assess
    expect(decoded.kind === 'objects' && decoded.objects[0]?.key).toBe('raw-data/my orders.csv');
  });

  it.each([
    ['moto: eTag, epoch-seconds time, null version-id', objectCreatedBody({ bucket: 'b', key: 'raw-data/a.csv', size: 3, etag: 'e', versionId: null }, { time: 1795320000.25 }), S3EventNotificationEventBridgeSchema],
    ['AWS over IPv6: a classic notification from an IPv6 address', JSON.stringify({ Records: [awsNotificationRecord('raw-data/a.csv', {}, '2001:db8::1')] }), S3Schema],
  ])('accepts what Powertools would refuse (%s)', (_what, body, schema) => {
    // Act
    const decoded = decodeMessageBody(body, NOW);
    // Assess
    expect(schema.safeParse(JSON.parse(body)).success).toBe(false);
    expect(decoded.kind === 'objects' && decoded.objects[0]?.key).toBe('raw-data/a.csv');
  });
});

describe('part messages', () => {
  const message = (overrides: Partial<PartMessage> = {}): PartMessage => ({
    phase: 'scan',
    bucket: 'orders-bucket',
    key: 'raw-data/big orders+1.csv',
    versionId: 'v1',
    etag: 'e1',
    size: 5_000_000,
    ingestionId: '20261122T040512Z-1a2b3c4d',
    planId: 'a1b2c3d4',
    part: 3,
    parts: 8,
    ...overrides,
  });

  it('builds the documented body and decodes it back', () => {
    // Prepare
    const sent = message({ phase: 'write', versionId: null });
    // Act
    const body = partMessageBody(sent);
    // Assess
    expect(JSON.parse(body)).toEqual({ type: 'order-pipeline.part', version: 1, ...sent });
    expect(decodeMessageBody(body)).toEqual({ kind: 'part', part: sent });
  });

  it.each([
    ['another version', { version: 2 }, /version 2 is not 1/],
    ['an unknown phase', { phase: 'merge' }, /phase "merge"/],
    ['a part beyond the parts', { part: 8 }, /part 8 of 8/],
    ['no plan id', { planId: '' }, /planId is missing/],
    ['a size that is no count', { size: -1 }, /size is not a whole number/],
  ])('rejects a part message with %s as malformed', (_what, change, reason) => {
    // Prepare
    const body = JSON.stringify({ ...JSON.parse(partMessageBody(message())), ...change });
    // Act / Assess
    expect(() => decodeMessageBody(body)).toThrow(MalformedEventError);
    expect(() => decodeMessageBody(body)).toThrow(reason);
  });
});
