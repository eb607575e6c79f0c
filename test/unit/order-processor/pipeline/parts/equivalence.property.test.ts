/**
 * The test of the design, in memory: for random files and random part sizes, a file processed in
 * parts (planned, its part messages delivered in random order) ends exactly as the same bytes
 * processed whole — the same ledger outcome, the same errors report and cleaned CSV byte for byte,
 * the same orders — under the built-in schema and under one that keeps unknown columns (carried
 * in the cleaned CSV: its header follows the file's).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readOrders } from '../../../../../functions/order-processor/contract/reader.ts';
import { BUILT_IN_SCHEMA } from '../../../../../functions/order-processor/contract/schema/built-in.ts';
import { compileSchema, type CompiledSchema } from '../../../../../functions/order-processor/contract/schema/compile.ts';
import type { LedgerItem } from '../../../../../functions/order-processor/ledger-item.ts';
import { processFile } from '../../../../../functions/order-processor/pipeline/process-file.ts';
import { memoryPorts, objectRef } from '../ports.ts';
import { orderLinesFileArb } from '../../contract/parts-files.ts';
import { deliverAll, partsPorts } from './fixtures.ts';

const HEADER = 'order_id,customer_name,product_name,quantity,unit_price';
/** Unknown columns: two kept, one named like a derived attribute (never kept). */
const UNKNOWN = ',Sales Channel,notes,total_amount';
const KEEP = compileSchema({ ...BUILT_IN_SCHEMA.spec, unknownColumns: 'keep' });

type Row = { kind: 'valid' | 'invalid' | 'multiline' | 'stray' | 'fields' | 'blank'; id: number };

const rowArb: fc.Arbitrary<Row> = fc.record({
  kind: fc.constantFrom<Row['kind']>('valid', 'valid', 'valid', 'invalid', 'multiline', 'stray', 'fields', 'blank'),
  id: fc.integer({ min: 1, max: 25 }),
});

function csv(rows: Row[], eol: string, bom: boolean, unknown: boolean): string {
  // The unknown cells: a quoted line break in a multi-line row, an empty one now and then.
  const more = (id: number, multiline = false): string => (unknown ? `,web ${id},${multiline ? `"wrap${eol}ped, ${id}"` : id % 4 === 0 ? '' : `n${id}`},${id}` : '');
  const lines = rows.map(({ kind, id }) => {
    switch (kind) {
      case 'valid':
        return `O-${id},Ann ${id},Pen,${(id % 3) + 1},2.50${more(id)}`;
      case 'invalid':
        return `O-${id},Ann,Pen,x,2.50${more(id)}`;
      case 'multiline':
        return `O-${id},"Ann${eol}Smith ${id}",Pen,1,3${more(id, true)}`;
      case 'stray':
        return `O-${id},"Ann,Pen,1,2${more(id)}`;
      case 'fields':
        return `O-${id},Ann,Pen,1`;
      case 'blank':
        return '';
    }
  });
  return `${bom ? '\ufeff' : ''}${HEADER}${unknown ? UNKNOWN : ''}${eol}${lines.join(eol)}${eol}`;
}

/** What a person sees of a file's outcome. */
const OUTCOME_FIELDS = ['status', 'rows', 'written', 'orders_written', 'rejected', 'blank', 'reason', 'first_errors', 'processed_key', 'archive_key', 'failed_key', 'errors_key'] as const;
const outcomeOf = (item: Partial<LedgerItem> | undefined) => Object.fromEntries(OUTCOME_FIELDS.map((f) => [f, item?.[f] ?? null]));

async function whole(text: string, schema?: CompiledSchema) {
  const ref = objectRef({ size: Buffer.byteLength(text) });
  const env = memoryPorts(ref, text);
  await processFile(ref, { ...env.ports, readOrders, ...(schema ? { contract: { schema } } : {}) });
  const outcome = env.ledger.finished[0]?.outcome;
  return { env, outcome };
}

async function split(text: string, chunkBytes: number, seed: number, schema: CompiledSchema | undefined) {
  const env = partsPorts(text, { chunkBytes });
  const ports = schema ? { ...env.ports, contract: { schema } } : env.ports;
  await processFile(env.ref, ports);
  let state = seed;
  const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  await deliverAll(env.queue, ports, random);
  return { env, outcome: env.ledger.item(env.ref) };
}

type Run = Awaited<ReturnType<typeof whole>> | Awaited<ReturnType<typeof split>>;

/** The same outcome, the same cleaned CSV and errors report byte for byte, the same items, the same orders re-imported. */
function expectSameEnd(one: Run, parts: Run): void {
  expect(outcomeOf(parts.outcome)).toEqual(outcomeOf(one.outcome));
  for (const key of ['processed_key', 'errors_key'] as const) {
    const at = one.outcome?.[key];
    if (at) expect(parts.env.objects.read(at)?.toString()).toBe(one.env.objects.read(at)?.toString());
  }
  const items = (env: Run['env']) => env.orders.flatMap((o) => o.items).sort((a, b) => Number(a.source_line) - Number(b.source_line));
  expect(items(parts.env)).toEqual(items(one.env));
  const pruned = (env: Run['env']) => [...new Set(env.orderLines.calls.flatMap((c) => c.orderIds))].sort();
  expect(pruned(parts.env)).toEqual(pruned(one.env));
}

describe('a file processed in parts', () => {
  it('ends exactly as the same bytes processed whole, for any file, part size and message order', async () => {
    const partCounts: number[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.array(rowArb, { minLength: 0, maxLength: 60 }),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        fc.integer({ min: 8, max: 120 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.boolean(),
        async (rows, eol, bom, chunkBytes, seed, keep) => {
          // Prepare
          const text = csv(rows, eol, bom, keep);
          const schema = keep ? KEEP : undefined;
          // Act
          const [one, parts] = [await whole(text, schema), await split(text, chunkBytes, seed, schema)];
          // Assess
          expectSameEnd(one, parts);
          const cleaned = one.outcome?.processed_key ? one.env.objects.read(one.outcome.processed_key)?.toString() : undefined;
          if (keep && cleaned) expect(cleaned.slice(0, cleaned.indexOf('\r\n'))).toContain(',order_date,sales_channel,notes,total_amount,');
          partCounts.push(parts.outcome?.parts ?? 1);
          if ((parts.outcome?.parts ?? 1) > 1) expect(parts.env.objects.keysUnder('staging/')).toEqual([]);
        },
      ),
      { numRuns: 80 },
    );
    // Many files are really split, some in many parts.
    expect(partCounts.filter((n) => n > 1).length).toBeGreaterThan(partCounts.length / 3);
    expect(Math.max(...partCounts)).toBeGreaterThan(5);
  }, 60_000);

  it('ends exactly as the same bytes processed whole for a file of order lines, its orders straddling cuts', async () => {
    const partCounts: number[] = [];
    await fc.assert(
      fc.asyncProperty(orderLinesFileArb, fc.integer({ min: 1, max: 120 }), fc.integer({ min: 1, max: 1000 }), async (file, chunkBytes, seed) => {
        // Act
        const [one, parts] = [await whole(file.text, file.schema), await split(file.text, chunkBytes, seed, file.schema)];
        // Assess
        expectSameEnd(one, parts);
        partCounts.push(parts.outcome?.parts ?? 1);
        if ((parts.outcome?.parts ?? 1) > 1) expect(parts.env.objects.keysUnder('staging/')).toEqual([]);
      }),
      { numRuns: 120 },
    );
    expect(partCounts.filter((n) => n > 1).length).toBeGreaterThan(partCounts.length / 3);
    expect(Math.max(...partCounts)).toBeGreaterThan(5);
  }, 120_000);
});
