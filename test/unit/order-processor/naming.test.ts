import { describe, expect, it } from 'vitest';
import {
  dayPath,
  destinationKeys,
  encodeCopySource,
  relativeName,
  splitExtension,
} from '../../../functions/order-processor/naming.ts';

const DAY = new Date('2026-03-07T23:59:59.000Z');
const ID = '20260307T235959Z-1a2b3c4d';

describe('relativeName', () => {
  it('strips raw-data/ and keeps sub-folders', () => {
    expect(relativeName('raw-data/eu/2026/orders.csv')).toBe('eu/2026/orders.csv');
  });
});

describe('splitExtension', () => {
  it.each([
    ['orders.csv', 'orders', '.csv'],
    ['orders.CSV.GZ', 'orders', '.CSV.GZ'],
    ['a/b.c/orders.v2.csv', 'a/b.c/orders.v2', '.csv'],
    ['noext', 'noext', ''],
    ['dir.d/noext', 'dir.d/noext', ''],
  ])('%s → %s + %s', (name, stem, ext) => {
    expect(splitExtension(name)).toEqual({ stem, ext });
  });
});

describe('dayPath', () => {
  it('uses the UTC date', () => {
    expect(dayPath(DAY)).toBe('2026/03/07/');
  });
});

describe('destinationKeys', () => {
  it('keeps name and sub-folders, adds the day and the ingestion id', () => {
    // Act
    const keys = destinationKeys('raw-data/eu/orders.csv.gz', ID, DAY);
    // Assess
    expect(keys).toEqual({
      processed: `processed-data/2026/03/07/eu/orders.${ID}.csv`,
      archive: `archive/2026/03/07/eu/orders.${ID}.csv.gz`,
      failed: `failed-data/2026/03/07/eu/orders.${ID}.csv.gz`,
      errors: `failed-data/2026/03/07/eu/orders.${ID}.errors.csv`,
    });
  });

  it('gives two uploads of the same name different keys', () => {
    const a = destinationKeys('raw-data/orders.csv', ID, DAY);
    const b = destinationKeys('raw-data/orders.csv', '20260307T235959Z-ffffffff', DAY);
    expect(a.archive).not.toBe(b.archive);
    expect(a.processed).not.toBe(b.processed);
  });
});

describe('encodeCopySource', () => {
  it.each([
    ['raw-data/my orders.csv', null, 'bkt/raw-data/my%20orders.csv'],
    ['raw-data/a+b.csv', null, 'bkt/raw-data/a%2Bb.csv'],
    ['raw-data/100%.csv', null, 'bkt/raw-data/100%25.csv'],
    ['raw-data/été.csv', 'v 1', 'bkt/raw-data/%C3%A9t%C3%A9.csv?versionId=v%201'],
  ])('encodes %s', (key, version, expected) => {
    expect(encodeCopySource('bkt', key, version)).toBe(expected);
  });
});
