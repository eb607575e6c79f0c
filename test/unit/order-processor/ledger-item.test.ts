import { describe, expect, it } from 'vitest';
import { contentLedgerKey, fileLedgerKey, newIngestionId } from '../../../functions/order-processor/ledger-item.ts';

describe('fileLedgerKey', () => {
  it('keys on bucket, key and version id', () => {
    // Act / Assess
    expect(fileLedgerKey({ bucket: 'b', key: 'raw-data/a b+c.csv', versionId: 'v1', etag: 'e1' })).toBe('file#b/raw-data/a b+c.csv#v1');
  });

  it('falls back to the etag for unversioned buckets', () => {
    // Act / Assess
    expect(fileLedgerKey({ bucket: 'b', key: 'raw-data/a.csv', versionId: null, etag: 'e1' })).toBe('file#b/raw-data/a.csv#e1');
  });

  it('differs for two versions of the same key', () => {
    const a = fileLedgerKey({ bucket: 'b', key: 'k', versionId: '1', etag: 'x' });
    const b = fileLedgerKey({ bucket: 'b', key: 'k', versionId: '2', etag: 'x' });
    expect(a).not.toBe(b);
  });
});

describe('contentLedgerKey', () => {
  it('prefixes the fingerprint', () => {
    // Act / Assess
    expect(contentLedgerKey('ab'.repeat(32))).toBe(`content#${'ab'.repeat(32)}`);
  });
});

describe('newIngestionId', () => {
  it('is a sortable UTC timestamp plus random hex', () => {
    // Act
    const id = newIngestionId(new Date('2026-11-22T04:05:12.345Z'), () => Buffer.from([0xde, 0xad, 0xbe, 0xef]));
    // Assess
    expect(id).toBe('20261122T040512Z-deadbeef');
  });

  it('differs between two calls in the same second', () => {
    const now = new Date();
    expect(newIngestionId(now)).not.toBe(newIngestionId(now));
  });
});
