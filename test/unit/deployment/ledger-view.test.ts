import { describe, expect, it } from 'vitest';
import { partsProgress, prefixesOf, type LedgerItem } from '../../../deployment/ledger-view.ts';

/** A ledger item with the given attributes (the rest do not matter here). */
const anItem = (fields: Record<string, unknown>): LedgerItem => ({ pk: 'file#b/k#v', status: 'PROCESSING', ...fields }) as unknown as LedgerItem;

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

describe('partsProgress', () => {
  it('reads the parts, the parts written and scanned, and the phase of a file in parts', () => {
    // Act
    const progress = partsProgress(anItem({ parts: 8, parts_done: 3, phase: 'WRITE', parts_scanned: new Set([0, 1, 2, 3, 4, 5, 6, 7]) }));

    // Assess
    expect(progress).toEqual({ parts: 8, written: 3, scanned: 8, phase: 'WRITE' });
  });

  it('counts the parts scanned from a number set or a list', () => {
    // Assess
    expect(partsProgress(anItem({ parts: 4, phase: 'SCAN', parts_scanned: new Set([2, 0]) }))?.scanned).toBe(2);
    expect(partsProgress(anItem({ parts: 4, phase: 'SCAN', parts_scanned: [1] }))?.scanned).toBe(1);
    expect(partsProgress(anItem({ parts: 4, phase: 'SCAN' }))?.scanned).toBeNull();
  });

  it('gives null for a file processed in one piece, and for items written before parts existed', () => {
    // Assess
    expect(partsProgress(anItem({ parts: 1, parts_done: 1 }))).toBeNull();
    expect(partsProgress(anItem({}))).toBeNull();
    expect(partsProgress(anItem({ parts: 'many' }))).toBeNull();
  });

  it('drops the phase once the file is final, and an unknown phase', () => {
    // Assess
    expect(partsProgress(anItem({ status: 'PROCESSED', parts: 8, parts_done: 8, phase: 'CONCLUDE' }))?.phase).toBeNull();
    expect(partsProgress(anItem({ parts: 8, phase: 'SHUFFLE' }))?.phase).toBeNull();
  });
});
