import { describe, expect, it } from 'vitest';
import { compareRanks } from '../../../../functions/order-processor/adapters/order-lines.ts';

describe('compareRanks', () => {
  it('ranks a file by when it started, to the millisecond, then by its ingestion id', () => {
    // Prepare
    const early = { processed_at: '2026-12-06T09:00:00.100Z', ingestion_id: '20261206T090000Z-ffffffff' };
    const later = { processed_at: '2026-12-06T09:00:00.101Z', ingestion_id: '20261206T090000Z-00000000' };
    const sameTime = { processed_at: early.processed_at, ingestion_id: '20261206T090000Z-0000000a' };
    // Assess
    expect(compareRanks(early, later)).toBe(-1);
    expect(compareRanks(later, early)).toBe(1);
    expect(compareRanks(sameTime, early)).toBe(-1);
    expect(compareRanks(early, { ...early })).toBe(0);
  });

  it('ranks a line without processed_at below every file that has one', () => {
    // Assess
    expect(compareRanks({ processed_at: '', ingestion_id: 'z' }, { processed_at: '2000-01-01T00:00:00.000Z', ingestion_id: 'a' })).toBe(-1);
  });
});
