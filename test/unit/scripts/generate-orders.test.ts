import { describe, expect, it } from 'vitest';
import { validateFile } from '../../../functions/order-processor/index.ts';
import { HEADER, generateOrders } from '../../../scripts/generate-orders.ts';

async function* asBytes(chunks: Iterable<string>): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) yield Buffer.from(chunk, 'utf8');
}

/** What `order-pipeline validate` says of the generated file. */
function judge(rows: number, seed: number, invalidRatio: number) {
  return validateFile(asBytes(generateOrders({ rows, seed, invalidRatio })), { file: 'generated.csv', now: new Date('2026-01-15T00:00:00Z') });
}

describe('generateOrders', () => {
  it('writes the full contract header and exactly N rows that all pass the contract', async () => {
    // Act
    const report = await judge(2_500, 42, 0);

    // Assess
    expect(report).toMatchObject({ status: 'VALID', rows: 2_500, valid: 2_500, rejected: 0, blank: 0 });
  });

  it('starts with the header and is deterministic for a seed', () => {
    // Act
    const first = [...generateOrders({ rows: 50, seed: 7, invalidRatio: 0 })].join('');
    const again = [...generateOrders({ rows: 50, seed: 7, invalidRatio: 0 })].join('');
    const other = [...generateOrders({ rows: 50, seed: 8, invalidRatio: 0 })].join('');

    // Assess
    expect(first.split('\n')[0]).toBe(HEADER);
    expect(first).toBe(again);
    expect(first).not.toBe(other);
  });

  it('breaks about the requested share of rows, each rejected by a rule', async () => {
    // Act
    const report = await judge(4_000, 3, 0.1);

    // Assess
    expect(report.status).toBe('PARTIAL');
    expect(report.rows).toBe(4_000);
    expect(report.rejected).toBeGreaterThan(300);
    expect(report.rejected).toBeLessThan(500);
    expect(new Set(report.errors.map((e) => e.column))).toEqual(
      new Set(['quantity', 'unit_price', 'currency', 'customer_email', 'order_date']),
    );
  });
});
