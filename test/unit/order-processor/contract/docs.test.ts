/**
 * docs/csv-format.md promises that its reasons are exactly what the code says. This test produces
 * each documented reason by running the real reader on a small input and checks the doc holds it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fileNameProblem } from '../../../../functions/order-processor/contract/file-name.ts';
import { DEFAULT_LIMITS, tooLargeReason, tooManyLinesReason } from '../../../../functions/order-processor/contract/limits.ts';
import { readOrders } from '../../../../functions/order-processor/contract/reader.ts';
import { validateFile } from '../../../../functions/order-processor/contract/summary.ts';
import { fileVerdict } from '../../../../functions/order-processor/contract/verdict.ts';
import { BUILT_IN_SCHEMA } from '../../../../functions/order-processor/contract/schema/built-in.ts';
import type { CompiledSchema } from '../../../../functions/order-processor/contract/schema/compile.ts';
import { aliasTable, columnsTable } from '../../../../functions/order-processor/contract/schema/doc-tables.ts';
import { compileSchemaJson, loadSchemaFile } from '../../../../functions/order-processor/contract/schema/load.ts';
import { FileRejectedError, type ContractEvent } from '../../../../functions/order-processor/contract/types.ts';

const DOC = readFileSync(new URL('../../../../docs/csv-format.md', import.meta.url), 'utf8');
const H = 'order_id,customer_name,product_name,quantity,unit_price';
const NOW = new Date('2026-01-15T12:00:00.000Z');

/** Every reason the reader gives for `data`: the file-level one, or those of the rejected rows. */
async function reasonsFor(data: string | Buffer, schema?: CompiledSchema): Promise<string[]> {
  const reasons: string[] = [];
  const ctx = { sourceKey: 'doc.csv', ingestionId: 'doc', processedAt: NOW.toISOString(), now: NOW, ...(schema ? { schema } : {}) };
  async function* source(): AsyncGenerator<Uint8Array> {
    yield typeof data === 'string' ? Buffer.from(data) : data;
  }
  try {
    for await (const event of readOrders(source(), ctx) as AsyncGenerator<ContractEvent>) {
      if (event.kind === 'rejected') reasons.push(event.error.reason);
    }
  } catch (err) {
    if (!(err instanceof FileRejectedError)) throw err;
    reasons.push(err.reason);
  }
  return reasons;
}

const cases: [string, string | Buffer][] = [
  ['empty', ''],
  ['one missing column', 'order_id,customer_name,product_name,qty\nA,B,C,1\n'],
  ['several missing', 'id,notes\nA,B\n'],
  ['repeated column', 'order_id,customer,product,qty,price,Quantity\nA,B,C,1,1,1\n'],
  ['malformed header', '"order_id"x,customer_name\nA,B\n'],
  ['cut UTF-8', Buffer.concat([Buffer.from(`${H}\nA-1,Ann,Pen,1,1\n`), Buffer.from([0xe2, 0x82])])],
  ['ZIP', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00])],
  ['UTF-16', Buffer.from(`\uFEFF${H}\n`, 'utf16le')],
  ['PDF', Buffer.from('%PDF-1.7\n', 'latin1')],
  ['semicolons', 'order_id;customer_name;product_name;quantity;unit_price\nA;B;C;1;1\n'],
  ['NUL', Buffer.concat([Buffer.from(`${H}\nA-1,Ann,Pen,1,1\n`), Buffer.from([0x50, 0x00])])],
  ['enormous line', `${H}\n` + 'x'.repeat(1_100_000)],
  ['enormous line before any header', `\n${'x'.repeat(1_048_577)}`],
  ['header name spanning lines', 'order_id,"customer\nname",product,qty,price\nA-1,B,C,1,1\n'],
  ['stray quote, an order follows', `${H}\nA-1,"Ann,Pen,1,1\nA-2,B,C,1,1\n`],
  ['stray quote, 100 lines', `${H}\nA-1,Ann,"Pen\n` + ' \n'.repeat(100) + 'A-2,B,C,1,1\n'],
  ['stray quote, 1 MiB', `${H}\nA-1,Ann,"Pen\n` + `${' '.repeat(100_000)}\n`.repeat(11) + 'A-2,B,C,1,1\n'],
  ['stray quote, field count', `${H}\nA-1,Ann,"Pen\nblue",1,1,1\nA-2,B,C,1,1\n`],
  ['stray quote, text after', `${H}\nA-1,Ann,"Pen\nblue"x,1,1,1\nA-2,B,C,1,1\n`],
  ['stray quote, reopened', `${H}\nA-1,Ann,"Pen\nblue",1,"x\nA-2,B,C,1,1\n`],
  ['too few fields', `${H}\nA-1,Ann,Pen,1\nA-2,B,C,1,1\n`],
  ['too many fields', `${H}\nA-1,Ann,Pen, blue,1,1\nA-2,B,C,1,1\n`],
  ['trailing comma', `${H}\nA-1,Ann,Pen,1,1,\nA-2,B,C,1,1\n`],
  ['text after quote', `${H}\nA-1,"Ann"x,Pen,1,1\nA-2,B,C,1,1\n`],
  ['a line of the cleaned width in a value', `${H}\nA-1,Ann,"Pen\n${'x,'.repeat(15)}x\nblue",1,1\nA-2,B,C,1,1\n`],
  ['quote never closed', `${H}\nA-2,B,C,1,1\nA-1,"Ann,Pen,1,1\n`],
  [
    'row rules',
    [
      'order_id,customer_id,customer_name,customer_email,product_sku,product_name,quantity,unit_price,currency,order_date',
      'ORD-1,C,C,,S,P,1,1,,',
      'ORD-1,C,C,,S,P,1,1,,',
      ',C,C,,S,P,1,1,,',
      `${'X'.repeat(65)},C,C,,S,P,1,1,,`,
      'ORD 1/#,C,C,,S,P,1,1,,',
      'A-1,,,,S,P,1,1,,',
      'A-2,C,C,,,,1,1,,',
      `A-3,C,C,,S,${'p'.repeat(257)},1,1,,`,
      'A-3b,C,C,,S,Pen\u001b[31m,1,1,,',
      'A-4,C,C,bob@,S,P,1,1,,',
      'A-5,C,C,,S,P,,1,,',
      'A-6,C,C,,S,P,1.5,1,,',
      'A-7,C,C,,S,P,0,1,,',
      'A-8,C,C,,S,P,1,,,',
      'A-9,C,C,,S,P,1,$5,,',
      'A-10,C,C,,S,P,1,-1,,',
      'A-11,C,C,,S,P,1,1.999,,',
      'A-12,C,C,,S,P,1,1000000.01,,',
      'A-13,C,C,,S,P,1,1,XYZ,',
      'A-14,C,C,,S,P,1,1,,05/03/2024',
      'A-15,C,C,,S,P,1,1,,2023-02-29',
      'A-16,C,C,,S,P,1,1,,2099-01-01',
      'A-17,C,C,,S,P,abc,$5,,',
      'A-18,C,C,,S,P,1,-0,,',
      'A-19,C,C,,S,P,1,1,uſd,',
      'A-20,C,C,,S,P,1,1,,0000-01-01',
      'A-21,\u200b,\u2060,,S,P,1,1,,',
    ].join('\n'),
  ],
  ['single columns of a pair', `${H}\nA-1,,Pen,1,1\nA-2,Ann,,1,1\n`],
  ['a clipped long value', `${H}\nA-1,Ann,Pen,${'9'.repeat(60_000)},1\n`],
];

describe('docs/csv-format.md', () => {
  it.each(cases)('documents the exact reason for: %s', async (_name, data) => {
    // Act
    const reasons = await reasonsFor(data);

    // Assess
    expect(reasons.length).toBeGreaterThan(0);
    for (const reason of reasons) expect(DOC, `missing from the doc: ${reason}`).toContain(reason);
  });

  it('documents the reasons of the file caps with their defaults', () => {
    expect(DOC).toContain(tooLargeReason(DEFAULT_LIMITS));
    expect(DOC).toContain(tooManyLinesReason(DEFAULT_LIMITS));
  });

  it('documents the file-name reason with its example', () => {
    // Act
    const reason = fileNameProblem('raw-data/orders.xlsx');
    // Assess
    expect(DOC).toContain(reason);
  });

  it('holds the column and alias tables of the built-in schema, exactly as written from it', () => {
    expect(DOC).toContain(`${columnsTable(BUILT_IN_SCHEMA.spec)}\n`);
    expect(DOC).toContain(`${aliasTable(BUILT_IN_SCHEMA.spec)}\n`);
  });

  it('documents the reasons of the extra column types with the sample schema', async () => {
    // Prepare
    const schema = loadSchemaFile(fileURLToPath(new URL('../../../../sample-data/extra-columns/order-schema.json', import.meta.url)));
    const header = 'order_id,customer_name,customer_email,product_name,quantity,unit_price,shipping_country,sales_channel,discount,gift,delivery_date';
    const rows = [
      'A-1,Ann,,Pen,1,1,UK,,,,',
      'A-2,Ann,,Pen,1,1,,fax,,,',
      'A-3,Ann,,Pen,1,1,,,,maybe,',
      'A-4,Ann,,Pen,1,1,,,,,2025-02-30',
      'A-5,Ann,,Pen,1,1,,,,,2019-12-31',
      'A-6,Ann,,Pen,1,1,,,,,2027-06-01',
      'A-7,Ann,,Pen,1,1,,,5.005,,',
      'A-8,Ann,\u212aate@example.com,Pen,1,1,,,,,',
    ];
    // Act
    const reasons = await reasonsFor([header, ...rows, ''].join('\n'), schema);
    const rejectAll = compileSchemaJson({ ...schema.spec, unknownColumns: 'reject' }, 'reject.json');
    const [unknown] = await reasonsFor(readFileSync(new URL('../../../../sample-data/extra-columns/orders.csv', import.meta.url)), rejectAll);
    // Assess
    expect(reasons).toHaveLength(rows.length);
    for (const reason of [...reasons, unknown ?? '']) expect(DOC, `missing from the doc: ${reason}`).toContain(reason);
  });

  it('documents the reasons of a line column with the order-lines sample', async () => {
    // Prepare
    const sample = new URL('../../../../sample-data/order-lines/', import.meta.url);
    const schema = loadSchemaFile(fileURLToPath(new URL('order-schema.json', sample)));
    // Act
    const reasons = await reasonsFor(readFileSync(new URL('orders.csv', sample)), schema);
    const report = await validateFile(fileURLToPath(new URL('orders.csv', sample)), { now: NOW, schema });
    // Assess
    expect(reasons).toHaveLength(2);
    expect(report.errors).toHaveLength(3);
    for (const reason of [...reasons, ...report.errors.map((e) => e.reason)]) expect(DOC, `missing from the doc: ${reason}`).toContain(reason);
  });

  it('documents the duplicate reason of an id line column', async () => {
    // Prepare
    const schema = compileSchemaJson({ ...BUILT_IN_SCHEMA.spec, name: 'id-lines', key: ['order_id', 'line_ref'], columns: [...BUILT_IN_SCHEMA.spec.columns, { name: 'line_ref', type: 'id', required: true }] }, 'id-lines.json');
    // Act
    const reasons = await reasonsFor(`order_id,line_ref,customer_name,product_name,quantity,unit_price\nA-1,X7,Ann,Pen,1,1\nA-1,X7,Ann,Ink,1,1\n`, schema);
    // Assess
    expect(reasons).toHaveLength(1);
    for (const reason of reasons) expect(DOC, `missing from the doc: ${reason}`).toContain(reason);
  });

  it('documents the reasons of lines by position with the shop-export schema', async () => {
    // Prepare
    const schema = loadSchemaFile(fileURLToPath(new URL('../../../../sample-data/shop-export/order-schema.json', import.meta.url)));
    const header = 'order_id,order_date,customer_name,customer_email,currency,product_name,quantity,unit_price';
    const conflicts = ['O-1,2025-05-01,Ann,,EUR,Pen,1,1', 'O-1,,,,USD,Ink,1,1', 'O-2,2025-05-01,Bob,,EUR,Cup,1,1', 'O-1,,,,,Pad,1,1'];
    const emptyFirst = ['O-1,2025-05-01,Ann,,EUR,Pen,1,1', 'O-1,,,ann@example.com,,Cup,1,1'];
    // Act
    const reasons = [...(await reasonsFor([header, ...conflicts, ''].join('\n'), schema)), ...(await reasonsFor([header, ...emptyFirst, ''].join('\n'), schema))];
    // Assess
    expect(reasons).toHaveLength(3);
    for (const reason of reasons) expect(DOC, `missing from the doc: ${reason}`).toContain(reason);
  });

  it('lists exactly the code\'s aliases in the alias table', () => {
    for (const { name: column, aliases } of BUILT_IN_SCHEMA.spec.columns) {
      // Prepare
      const row = DOC.split('\n').find((line) => line.startsWith(`| \`${column}\` | \``));
      // Act
      const documented = [...(row?.split('|')[2] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1]);
      // Assess
      expect(documented, column).toEqual(aliases);
    }
  });

  it('documents the Latin-1 sample reason and the derived file reasons', async () => {
    const [latin1] = await reasonsFor(readFileSync(new URL('../../../../sample-data/orders-latin1.csv', import.meta.url)));
    expect(DOC).toContain(latin1);
    const reasonOf = (valid: number, rejected: number) => fileVerdict({ counts: { rows: valid + rejected, valid, rejected, blank: 0 }, rejection: null, headerLine: 1 }).reason;
    for (const [valid, rejected] of [[0, 8], [0, 1], [7, 1], [0, 0]] as const) expect(DOC).toContain(reasonOf(valid, rejected));
  });
});
