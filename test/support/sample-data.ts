/**
 * The documented outcome of every file in sample-data/ (the same table as sample-data/README.md).
 * Shared by the contract and CLI tests so the two cannot drift apart.
 */
import { PROJECT_PATHS } from '../../tooling/project.ts';

export const SAMPLE_DIR = PROJECT_PATHS.sampleData;

export interface SampleOutcome {
  status: 'VALID' | 'PARTIAL' | 'REJECTED';
  rows: number;
  valid: number;
  rejected: number;
  blank: number;
  reason: string | null;
  /** Lines of the rejected rows, in order. */
  errorLines: number[];
}

export const SAMPLE_OUTCOMES: Record<string, SampleOutcome> = {
  'orders-valid.csv': { status: 'VALID', rows: 10, valid: 10, rejected: 0, blank: 0, reason: null, errorLines: [] },
  'orders-valid.csv.gz': { status: 'VALID', rows: 6, valid: 6, rejected: 0, blank: 0, reason: null, errorLines: [] },
  'orders-minimal.csv': { status: 'VALID', rows: 5, valid: 5, rejected: 0, blank: 0, reason: null, errorLines: [] },
  'orders-aliases.csv': { status: 'VALID', rows: 4, valid: 4, rejected: 0, blank: 0, reason: null, errorLines: [] },
  'orders-mixed.csv': {
    status: 'PARTIAL',
    rows: 13,
    valid: 7,
    rejected: 6,
    blank: 1,
    reason: '6 of 13 data rows were rejected',
    errorLines: [3, 4, 8, 10, 12, 13],
  },
  'orders-duplicate-ids.csv': { status: 'PARTIAL', rows: 5, valid: 3, rejected: 2, blank: 0, reason: '2 of 5 data rows were rejected', errorLines: [4, 6] },
  'orders-all-rejected.csv': {
    status: 'REJECTED',
    rows: 8,
    valid: 0,
    rejected: 8,
    blank: 0,
    reason: 'all 8 data rows were rejected',
    errorLines: [2, 3, 4, 5, 6, 7, 8, 9],
  },
  'orders-invalid-header.csv': {
    status: 'REJECTED',
    rows: 0,
    valid: 0,
    rejected: 0,
    blank: 0,
    reason: 'missing required column: unit_price; found columns: "order_id", "customer_name", "product_name", "qty"',
    errorLines: [],
  },
  'orders-latin1.csv': {
    status: 'REJECTED',
    rows: 0,
    valid: 0,
    rejected: 0,
    blank: 0,
    reason:
      'line 3 contains bytes that are not valid UTF-8 (byte 0xfc at byte offset 118); expected UTF-8 text (save the file as "CSV UTF-8")',
    errorLines: [],
  },
  'orders-header-only.csv': {
    status: 'REJECTED',
    rows: 0,
    valid: 0,
    rejected: 0,
    blank: 0,
    reason: 'the file has a header row (line 1) but no data rows; expected at least one order',
    errorLines: [],
  },
  'orders-empty.csv': {
    status: 'REJECTED',
    rows: 0,
    valid: 0,
    rejected: 0,
    blank: 0,
    reason: 'the file is empty; expected a header row followed by at least one data row',
    errorLines: [],
  },
};
