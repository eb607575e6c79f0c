/**
 * The input of `npm run bench:parts`: bench/data.ts's generated orders, with a few deterministic
 * flaws spread over the file — rows that break a rule, order_ids repeated (in the same part and in
 * later parts, one of them first seen on a rejected row) and a blank line — so the file is PARTIAL
 * and "the same outcome in parts" covers the cross-part checks, not only the happy path.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { HEADER } from '../scripts/generate-orders.ts';
import { benchFile } from './data.ts';

const COLUMN = Object.fromEntries(HEADER.split(',').map((name, i) => [name, i])) as Record<string, number>;

/** [where in the file (fraction of its lines), column, value that breaks the contract]. */
const INVALID: readonly [number, string, string][] = [
  [0.03, 'quantity', 'abc'],
  [0.21, 'unit_price', '-1.00'],
  [0.42, 'currency', 'XYZ'],
  [0.63, 'customer_email', 'not-an-email'],
  [0.84, 'order_date', '2025-13-45'],
];

/** [row whose order_id is repeated, row that repeats it] as fractions of the file's lines. */
const DUPLICATES: readonly [number, number][] = [
  [0.01, 0.55], // a later part
  [0.03, 0.9], // first seen on a rejected row, repeated parts later
  [0.5, 0.5002], // the same part, a few lines on
  [0.98, 0.99],
];

/** generate-orders' ids (GEN-…) start every record; the second line of a multi-line cell never does. */
const startsRecord = (line: string): boolean => line.startsWith('GEN-');

/** Where a blank line is inserted (counted apart from the data rows). */
const BLANK_AT = 0.7;

export interface PartsInput {
  path: string;
  name: string;
  bytes: number;
  invalidRows: number;
  duplicateIds: number;
  blankLines: number;
}

/** Writes the flawed file next to bench/data.ts's cache (same rows → same bytes) and describes it. */
export async function partsInput(rows: number, progress: (text: string) => void): Promise<PartsInput> {
  const base = await benchFile({ rows, seed: 7, multilineEvery: 500, gzip: false }, progress);
  const lines = readFileSync(base.path, 'utf8').split('\n');
  const used = new Set<number>();
  /** The first single-line record (no quotes, so cells split on commas) at or after this fraction. */
  const recordAt = (fraction: number): number => {
    for (let i = Math.max(1, Math.floor(fraction * lines.length)); i < lines.length; i++) {
      const line = lines[i]!;
      if (startsRecord(line) && !line.includes('"') && !used.has(i)) {
        used.add(i);
        return i;
      }
    }
    throw new Error(`no plain record after ${fraction} of ${base.path}`);
  };
  const setCell = (i: number, column: string, value: string) => {
    const cells = lines[i]!.split(',');
    cells[COLUMN[column]!] = value;
    lines[i] = cells.join(',');
  };
  const invalidLine = new Map(INVALID.map(([at, column, value]) => [at, { i: recordAt(at), column, value }]));
  for (const { i, column, value } of invalidLine.values()) setCell(i, column, value);
  for (const [from, to] of DUPLICATES) {
    const source = invalidLine.get(from)?.i ?? recordAt(from);
    setCell(recordAt(to), 'order_id', lines[source]!.split(',')[COLUMN.order_id!]!);
  }
  // Before a record's first line: inside a quoted multi-line cell it would be data, not a blank line.
  lines.splice(recordAt(BLANK_AT), 0, '');

  const name = basename(base.path).replace(/^orders-/, 'orders-parts-');
  const path = join(dirname(base.path), name);
  writeFileSync(path, lines.join('\n'));
  return { path, name, bytes: statSync(path).size, invalidRows: INVALID.length, duplicateIds: DUPLICATES.length, blankLines: 1 };
}
