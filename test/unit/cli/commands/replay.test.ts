import { describe, expect, it } from 'vitest';
import { replayKeyFor } from '../../../../cli/commands/replay.ts';

describe('replayKeyFor', () => {
  it.each([
    ['failed-data/2026/11/22/orders-invalid-header.20261122T041105Z-57ca9e2e.csv', 'raw-data/orders-invalid-header.csv'],
    ['archive/2026/11/22/sub/orders.20261122T041105Z-58fb7b43.csv.gz', 'raw-data/sub/orders.csv.gz'],
  ])('%s → %s', (key, raw) => {
    // Assess
    expect(replayKeyFor(key)).toBe(raw);
  });

  it('uses --as when given, and refuses reports and other prefixes', () => {
    // Assess
    expect(replayKeyFor('archive/2026/11/22/a.x.csv', 'fixed.csv')).toBe('raw-data/fixed.csv');
    expect(() => replayKeyFor('failed-data/2026/11/22/a.20261122T041105Z-57ca9e2e.errors.csv')).toThrow('is an error report');
    expect(() => replayKeyFor('processed-data/2026/11/22/a.csv')).toThrow('is neither under archive/ nor under failed-data/');
  });
});
