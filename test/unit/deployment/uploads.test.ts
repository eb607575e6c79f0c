import { describe, expect, it } from 'vitest';
import { rawKeyFor } from '../../../deployment/uploads.ts';

describe('rawKeyFor', () => {
  it.each([
    ['sample-data/orders.csv', '', 'raw-data/orders.csv'],
    ['/tmp/x/orders.csv.gz', 'sub', 'raw-data/sub/orders.csv.gz'],
    ['orders.csv', 'raw-data/a/b/', 'raw-data/a/b/orders.csv'],
  ])('%s with prefix "%s" → %s', (file, prefix, key) => {
    // Assess
    expect(rawKeyFor(file, prefix)).toBe(key);
  });

  it('refuses prefixes that leave raw-data/', () => {
    // Assess
    expect(() => rawKeyFor('a.csv', '../x')).toThrow('--prefix must be a relative folder');
    expect(() => rawKeyFor('a.csv', '/abs')).toThrow('--prefix must be a relative folder');
  });
});
