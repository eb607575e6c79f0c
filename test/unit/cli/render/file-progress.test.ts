import { describe, expect, it } from 'vitest';
import { describeParts, ordersCell, outcomeDetail, partsCell } from '../../../../cli/render/file-progress.ts';
import type { LedgerItem } from '../../../../deployment/ledger-view.ts';

/** A ledger item with the given attributes (the rest do not matter here). */
const anItem = (fields: Partial<LedgerItem>): LedgerItem => ({ pk: 'file#b/k#v', status: 'PROCESSING', ...fields }) as LedgerItem;

describe('describeParts', () => {
  it('says how far a file in parts has come, phase by phase', () => {
    // Assess
    expect(describeParts(anItem({ parts: 8, phase: 'PLAN' }))).toBe('planning 8 parts');
    expect(describeParts(anItem({ parts: 8, phase: 'SCAN', parts_scanned: new Set([0, 3, 4, 6, 7]) }))).toBe('scanning 5/8');
    expect(describeParts(anItem({ parts: 8, phase: 'SCAN' }))).toBe('scanning 8 parts');
    expect(describeParts(anItem({ parts: 8, phase: 'DECIDE' }))).toBe('deciding (8/8 scanned)');
    expect(describeParts(anItem({ parts: 8, parts_done: 3, phase: 'WRITE' }))).toBe('parts 3/8 written');
    expect(describeParts(anItem({ parts: 8, parts_done: 8, phase: 'CONCLUDE' }))).toBe('concluding (8/8 written)');
  });

  it('gives the number of parts of a finished file, and nothing for a file processed in one piece', () => {
    // Assess
    expect(describeParts(anItem({ status: 'PARTIAL', parts: 8, parts_done: 8 }))).toBe('8 parts');
    expect(describeParts(anItem({ status: 'PROCESSED', parts: 1, parts_done: 1 }))).toBeNull();
    expect(describeParts(anItem({ status: 'PROCESSED' }))).toBeNull();
  });
});

describe('partsCell', () => {
  it('shows the number of parts, or a dash for a file processed in one piece', () => {
    // Assess
    expect(partsCell(anItem({ parts: 8 }))).toBe(8);
    expect(partsCell(anItem({ parts: 1 }))).toBe('-');
  });
});

describe('ordersCell', () => {
  it('shows the orders written, those rejected whole when any, and one per row for items without order counts', () => {
    // Assess
    expect(ordersCell(anItem({ status: 'PARTIAL', written: 7, orders_written: 3, rejected: 3, orders_rejected: 1 }))).toBe('3 (1 rejected)');
    expect(ordersCell(anItem({ status: 'PROCESSED', written: 10, orders_written: 4, rejected: 0, orders_rejected: 0 }))).toBe(4);
    expect(ordersCell(anItem({ status: 'PARTIAL', written: 5, rejected: 2 }))).toBe('5 (2 rejected)');
    expect(ordersCell(anItem({}))).toBe('-');
  });
});

describe('outcomeDetail', () => {
  it('shows the progress and the attempt of a file in parts, the attempt alone of a file in one piece', () => {
    // Assess
    expect(outcomeDetail(anItem({ parts: 8, parts_done: 3, phase: 'WRITE' }))).toBe('parts 3/8 written (attempt 1)');
    expect(outcomeDetail(anItem({ parts: 8, phase: 'SCAN', attempts: 2, last_error: 'S3 SlowDown' }))).toBe('scanning 8 parts (attempt 2: S3 SlowDown)');
    expect(outcomeDetail(anItem({ attempts: 2, last_error: 'timeout' }))).toBe('attempt 2: timeout');
  });

  it('gives the reason of a FAILED or DUPLICATE file and where a loaded one went', () => {
    // Assess
    expect(outcomeDetail(anItem({ status: 'FAILED', reason: 'part 3 of 8 failed 3 times: S3 SlowDown' }))).toBe('part 3 of 8 failed 3 times: S3 SlowDown');
    expect(outcomeDetail(anItem({ status: 'PROCESSED', parts: 8, processed_key: 'processed-data/big.csv' }))).toBe('processed-data/big.csv');
  });
});
