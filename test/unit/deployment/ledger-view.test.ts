import { describe, expect, it } from 'vitest';
import { prefixesOf } from '../../../deployment/ledger-view.ts';

describe('prefixesOf', () => {
  it('names the prefixes a file went to', () => {
    // Assess
    expect(prefixesOf({ processed_key: 'processed-data/2026/a.csv', archive_key: 'archive/2026/a.csv' } as never)).toBe('processed-data/ + archive/');
    expect(prefixesOf({ processed_key: 'processed-data/a.csv', archive_key: 'archive/a.csv', errors_key: 'failed-data/a.errors.csv' } as never)).toBe(
      'processed-data/ + archive/ + failed-data/ (errors report)',
    );
    expect(prefixesOf({ failed_key: 'failed-data/a.csv', errors_key: 'failed-data/a.errors.csv' } as never)).toBe('failed-data/ (original, errors report)');
  });
});
