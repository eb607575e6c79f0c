import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readOrders } from '../../../../../functions/order-processor/contract/reader.ts';
import { BUILT_IN_SCHEMA } from '../../../../../functions/order-processor/contract/schema/built-in.ts';
import { compileSchemaJson, compileSchemaText } from '../../../../../functions/order-processor/contract/schema/load.ts';
import { FileRejectedError, type ContractEvent } from '../../../../../functions/order-processor/contract/types.ts';

const ROOT = new URL('../../../../../', import.meta.url);
const TEXT = readFileSync(new URL('order-schema.json', ROOT), 'utf8');
const NOW = new Date('2026-01-15T12:00:00.000Z');

/** The built-in schema with changes, compiled. */
function schemaWith(change: (s: { name: string; version: number; unknownColumns?: string; columns: Record<string, unknown>[] }) => void) {
  const raw = JSON.parse(TEXT) as { name: string; version: number; columns: Record<string, unknown>[] };
  change(raw);
  return compileSchemaJson(raw, 'test.json');
}

async function read(csv: string, schema = BUILT_IN_SCHEMA): Promise<ContractEvent[]> {
  const events: ContractEvent[] = [];
  const ctx = { sourceKey: 'k.csv', ingestionId: 'ing', processedAt: NOW.toISOString(), now: NOW, schema };
  for await (const event of readOrders(Readable.from([Buffer.from(csv)]), ctx)) events.push(event);
  return events;
}

describe('the schema identity', () => {
  it('names the built-in schema', () => {
    expect(BUILT_IN_SCHEMA.identity).toEqual({ name: 'orders', version: 1, fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/) as unknown });
  });

  it('keeps the fingerprint whatever the layout or key order of the file, and through the copy synth bundles', () => {
    // Prepare
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(TEXT) as object).reverse()));
    // Act
    const fromReordered = compileSchemaText(reordered, 'r.json');
    const fromBundledCopy = compileSchemaText(JSON.stringify(BUILT_IN_SCHEMA.spec), 'bundle/order-schema.json');
    // Assess
    expect(fromReordered.identity).toEqual(BUILT_IN_SCHEMA.identity);
    expect(fromBundledCopy.identity).toEqual(BUILT_IN_SCHEMA.identity);
  });

  it('changes the fingerprint with any rule, and records the version on every order', async () => {
    // Prepare
    const schema = schemaWith((s) => {
      s.version = 7;
      s.columns[6] = { ...s.columns[6], max: 999 };
    });
    // Act
    const [, row] = await read('order_id,customer_name,product_name,quantity,unit_price\nA-1,Ann,Pen,2,1.50\n', schema);
    // Assess
    expect(schema.identity.fingerprint).not.toBe(BUILT_IN_SCHEMA.identity.fingerprint);
    expect(row).toMatchObject({ kind: 'valid', order: { order_id: 'A-1', quantity: 2, total_amount: 3, schema_version: 7 } });
  });
});

describe('the compiled schema', () => {
  it('lists the stored columns in cleaned-CSV order: columns (the key followed by line), derived values, the record\'s own', () => {
    expect(BUILT_IN_SCHEMA.storedColumns).toEqual([
      'order_id', 'line', 'customer_id', 'customer_name', 'customer_email', 'product_sku', 'product_name', 'quantity', 'unit_price', 'currency', 'order_date',
      'total_amount', 'source_key', 'source_line', 'ingestion_id', 'processed_at',
    ]);
    expect(BUILT_IN_SCHEMA.storedTypes.get('quantity')).toBe('N');
    expect(BUILT_IN_SCHEMA.storedTypes.get('line')).toBe('N');
    expect(BUILT_IN_SCHEMA.storedTypes.get('currency')).toBe('S');
  });

  it('requires the required columns and the "at least one of" groups, in schema order', () => {
    expect(BUILT_IN_SCHEMA.requirements).toEqual(['order_id', ['customer_id', 'customer_name'], ['product_sku', 'product_name'], 'quantity', 'unit_price']);
  });

  it('stores a new typed column by its canonical name, and nothing for an empty optional cell', async () => {
    // Prepare
    const schema = schemaWith((s) => s.columns.push({ name: 'gift', type: 'boolean', aliases: ['Gift Wrap'] }));
    // Act
    const events = await read('order_id,customer_name,product_name,quantity,unit_price,GIFT-WRAP\nA-1,Ann,Pen,1,1,Yes\nA-2,Bob,Ink,1,1,\n', schema);
    // Assess
    const orders = events.flatMap((e) => (e.kind === 'valid' ? [e.order] : []));
    expect(orders.map((o) => o.gift)).toEqual([true, undefined]);
  });
});

describe('unknownColumns', () => {
  const csv = 'order_id,customer_name,product_name,quantity,unit_price,Sales Channel,Notes!,,source_key\nA-1,Ann,Pen,1,1,web,x,y,z\n';

  it('ignore (the default): named in the header event, not stored', async () => {
    const [header, row] = await read(csv);
    expect(header).toMatchObject({ kind: 'header', header: { unknownColumns: ['Sales Channel', 'Notes!', 'source_key'] } });
    expect(row).toMatchObject({ kind: 'valid' });
    expect(row?.kind === 'valid' ? row.order['sales_channel'] : 'no row').toBeUndefined();
  });

  it('keep: stored as strings under snake_case names; a column named like a pipeline attribute (source_key) is not kept', async () => {
    // Prepare
    const schema = schemaWith((s) => (s.unknownColumns = 'keep'));
    // Act
    const [header, row] = await read(csv, schema);
    // Assess
    const order = row?.kind === 'valid' ? row.order : {};
    expect(order).toMatchObject({ sales_channel: 'web', notes: 'x', source_key: 'k.csv' });
    expect(Object.keys(order).filter((k) => k.startsWith('column_'))).toEqual([]);
    expect(header?.kind === 'header' ? schema.cleanedColumns(header.header) : header).toEqual([
      ...schema.columnNames.flatMap((c) => (c === 'order_id' ? [c, 'line'] : [c])),
      'sales_channel', 'notes',
      'total_amount', 'source_key', 'source_line', 'ingestion_id', 'processed_at',
    ]);
  });

  it('keep: a name that is empty once made safe, or an earlier kept column\'s, becomes column_<n> (then column_<n>_2 …)', async () => {
    // Prepare: "Notes" and "notes" fold to one name; "!!" folds to nothing; a literal "column_8" comes before column 8
    const schema = schemaWith((s) => (s.unknownColumns = 'keep'));
    const header = 'order_id,customer_name,product_name,quantity,unit_price,Notes,column_8,!!,notes,Line,Total Amount,schema-version';
    // Act
    const [event, row] = await read(`${header}\nA-1,Ann,Pen,1,1,a,b,c,d,e,f,g\n`, schema);
    // Assess
    const order = row?.kind === 'valid' ? row.order : {};
    expect(order).toMatchObject({ notes: 'a', column_8: 'b', column_8_2: 'c', column_9: 'd', line: 1, total_amount: 1, schema_version: 1 });
    expect(event?.kind === 'header' ? schema.cleanedColumns(event.header).slice(11, 15) : event).toEqual(['notes', 'column_8', 'column_8_2', 'column_9']);
  });

  it('ignore and reject keep nothing: the cleaned CSV has the schema\'s columns', async () => {
    const [header] = await read(csv);
    expect(header?.kind === 'header' ? BUILT_IN_SCHEMA.cleanedColumns(header.header) : header).toBe(BUILT_IN_SCHEMA.storedColumns);
  });

  it('reject: the file is rejected naming the first unknown column', async () => {
    // Prepare
    const schema = schemaWith((s) => (s.unknownColumns = 'reject'));
    // Act
    const act = read(csv, schema);
    // Assess
    await expect(act).rejects.toThrow(FileRejectedError);
    await expect(read(csv, schema)).rejects.toThrow(
      'header column "Sales Channel" (column 6) is not a column of the schema "orders" version 1, which rejects unknown columns; expected only its columns and their aliases (docs/csv-format.md "Unknown columns")',
    );
  });
});
