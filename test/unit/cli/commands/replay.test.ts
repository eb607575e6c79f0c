import { describe, expect, it } from 'vitest';
import { replayKeyFor } from '../../../../cli/commands/replay.ts';
import { destinationKeys } from '../../../../functions/order-processor/index.ts';

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

  it.each([
    ['a CR', 'raw-data/in\rvoice.csv'],
    ['an LF', 'raw-data/in\nvoice.csv.gz'],
    ['escape sequences, bidi and zero-width characters', 'raw-data/\u001b[2J\u202eorders\u200b.csv'],
    ['%, + and spaces', 'raw-data/100% a+b c.csv'],
    ['unicode', 'raw-data/été/注文 😀.csv'],
    ['a long name', `raw-data/${'注'.repeat(300)}.csv`],
  ])('maps a routed name with %s back to its raw-data/ key', (_what, raw) => {
    // Prepare
    const keys = destinationKeys(raw, '20261122T041105Z-57ca9e2e', new Date('2026-11-22T04:11:05Z'));
    // Act / Assess
    expect(replayKeyFor(keys.archive)).toBe(raw);
    expect(replayKeyFor(keys.failed)).toBe(raw);
  });

  it('quotes a refused key with the one escaper, so its message cannot forge a line', () => {
    // Act / Assess
    expect(() => replayKeyFor('processed-data/\u001b[2J\nx.csv')).toThrow('"processed-data/\\u001b[2J\\nx.csv" is neither under archive/');
  });
});
