import { describe, expect, it } from 'vitest';
import {
  decodeMessageBody,
  decodeS3NotificationKey,
  isLandingKey,
  MalformedEventError,
} from '../../../functions/order-processor/event.ts';
import { objectCreatedBody } from '../../../tooling/object-created.ts';

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
    expect(() => decodeS3NotificationKey('raw-data/%E0%A4%A.csv')).toThrow(/not valid URL encoding/);
  });
});

describe('isLandingKey', () => {
  it('accepts only objects under raw-data/', () => {
    expect(isLandingKey('raw-data/a.csv')).toBe(true);
    expect(isLandingKey('raw-data/sub/a.csv')).toBe(true);
    expect(isLandingKey('archive/a.csv')).toBe(false);
    expect(isLandingKey('raw-data/')).toBe(false);
    expect(isLandingKey('raw-data/folder/')).toBe(false);
    expect(isLandingKey('raw-data-2/a.csv')).toBe(false);
  });
});
