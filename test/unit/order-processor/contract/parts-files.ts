/**
 * Random order files for the tests of reading in parts: valid and invalid rows, quoted commas,
 * quotes and line breaks, stray quotes, blank lines, LF/CRLF/CR mixed, a BOM, order_ids repeated
 * anywhere, and now and then a NUL, a byte that is not UTF-8, a file cut inside a character or a
 * tight line cap. Any bytes will do: the oracle is a sequential read of the same bytes.
 */
import fc from 'fast-check';
import type { ContractLimits } from '../../../../functions/order-processor/contract/limits.ts';
import { BUILT_IN_SCHEMA } from '../../../../functions/order-processor/contract/schema/built-in.ts';
import type { CompiledSchema } from '../../../../functions/order-processor/contract/schema/compile.ts';
import { compileSchemaJson } from '../../../../functions/order-processor/contract/schema/load.ts';

/** One generated file. */
export interface PartsFile {
  bytes: Buffer;
  fields: number;
  limits: ContractLimits | undefined;
}

export const HEADERS = [
  { text: 'order_id,customer_name,product_name,quantity,unit_price', fields: 5 },
  { text: '"order_id", customer_name ,product_name,quantity,unit_price,notes', fields: 6 },
] as const;

export const EOL = fc.constantFrom('\n', '\r\n', '\r');
export const ID = fc.integer({ min: 1, max: 12 }).map((n) => `O-${n}`);
const NAME = fc.constantFrom('Ann', 'Müller 😀', '"Pen, blue"', '"say ""hi"""', ' padded ', '27" monitor', '""', '\u3000"x"');

/** The lines of one record (or of a broken one), without terminators. */
export function recordArb(fields: number): fc.Arbitrary<string[]> {
  const extra = fields === 6 ? ',n' : '';
  const valid = fc.tuple(ID, NAME, NAME, fc.integer({ min: 1, max: 9 })).map(([id, c, p, q]) => [`${id},${c},${p},${q},1.50${extra}`]);
  // A quoted value with line breaks inside (the pieces have no comma: continuation lines never read as an order).
  const multiLine = fc
    .tuple(ID, fc.array(fc.constantFrom('', 'more', 'ü ß', ' "" '), { minLength: 1, maxLength: 3 }))
    .map(([id, pieces]) => [`${id},Ann,"Widget`, ...pieces.slice(0, -1), `${pieces[pieces.length - 1] ?? ''}",2,3${extra}`]);
  const invalid = fc.tuple(ID, fc.constantFrom('Pen,abc,1', 'Pen,1', 'Pen,1,1,x,y', '"P"x,1,1', 'Pen,1,-0')).map(([id, rest]) => [`${id},Ann,${rest}${extra}`]);
  const blank = fc.constantFrom('', '  ', ',,,,', '"",,', '\t').map((line) => [line]);
  // Quotes that never close, or close into the wrong field count.
  const stray = fc.tuple(ID, fc.constantFrom('"Bob,Mug,1,1', 'Bob,"Mug,1,1', 'Bob,"a', 'x","y')).map(([id, rest]) => [`${id},${rest}${extra}`]);
  const looksLikeOrder = fc.constantFrom('a,b', 'a,b,c,d,e', 'a,b,c,d,e,f').map((line) => [line]);
  return fc.oneof({ arbitrary: valid, weight: 5 }, { arbitrary: multiLine, weight: 2 }, invalid, blank, stray, looksLikeOrder);
}

/** A damage now and then: bytes a sequential read rejects the whole file for. */
const DAMAGE = fc.oneof(
  { arbitrary: fc.constant(null), weight: 24 },
  fc.constant(Buffer.from([0])),
  fc.constant(Buffer.from([0xe9])),
  fc.constant(Buffer.from([0xf0, 0x9f])),
);

export const fileArb: fc.Arbitrary<PartsFile> = fc
  .record({
    header: fc.constantFrom(...HEADERS),
    bom: fc.boolean(),
    blanksBefore: fc.array(fc.constantFrom('', ' ', ',,'), { maxLength: 3 }),
    finalBreak: fc.boolean(),
    damage: DAMAGE,
    damageAt: fc.nat(),
    lineCap: fc.oneof({ arbitrary: fc.constant(null), weight: 9 }, fc.integer({ min: 2, max: 40 })),
  })
  .chain((shape) =>
    fc.tuple(fc.constant(shape), fc.array(recordArb(shape.header.fields), { maxLength: 40, size: 'max' }), fc.array(EOL, { minLength: 64, maxLength: 64 })),
  )
  .map(([shape, records, eols]) => {
    const lines = [...shape.blanksBefore, shape.header.text, ...records.flat()];
    const text = lines.map((line, i) => line + (i < lines.length - 1 || shape.finalBreak ? (eols[i % eols.length] ?? '\n') : '')).join('');
    let bytes = Buffer.concat([Buffer.from(shape.bom ? '\uFEFF' : ''), Buffer.from(text)]);
    if (shape.damage) {
      const at = shape.damageAt % (bytes.length + 1);
      bytes = Buffer.concat([bytes.subarray(0, at), shape.damage, bytes.subarray(at)]);
    }
    const limits = shape.lineCap === null ? undefined : { maxFileMb: 1, maxFileLines: shape.lineCap };
    return { bytes, fields: shape.header.fields, limits };
  });

/** Part sizes: often tiny (a cut on nearly every line), sometimes larger than the file. */
export const CHUNK_BYTES = fc.oneof(
  { arbitrary: fc.integer({ min: 1, max: 16 }), weight: 2 },
  { arbitrary: fc.integer({ min: 1, max: 200 }), weight: 2 },
  fc.integer({ min: 1, max: 3000 }),
);

/** The three ways a schema has order lines, each with a header and a schema. */
export const ORDER_LINE_SCHEMAS = {
  'by-position': {
    header: 'order_id,customer_name,currency,product_name,quantity,unit_price',
    schema: compileSchemaJson(
      {
        ...BUILT_IN_SCHEMA.spec,
        name: 'by-position',
        lines: 'by-position',
        columns: BUILT_IN_SCHEMA.spec.columns.map((c) => (c.name === 'customer_name' || c.name === 'currency' ? { ...c, level: 'order' as const } : c)),
      },
      'by-position.json',
    ),
  },
  'line column': {
    header: 'order_id,line_number,customer_name,product_name,quantity,unit_price',
    schema: compileSchemaJson(
      {
        ...BUILT_IN_SCHEMA.spec,
        name: 'line-column',
        key: ['order_id', 'line_number'],
        columns: [...BUILT_IN_SCHEMA.spec.columns, { name: 'line_number', type: 'integer', required: true, min: 1, max: 100_000, aliases: [] }],
      },
      'line-column.json',
    ),
  },
  'id line column': {
    header: 'order_id,line_ref,customer_name,product_name,quantity,unit_price',
    schema: compileSchemaJson(
      {
        ...BUILT_IN_SCHEMA.spec,
        name: 'id-lines',
        key: ['order_id', 'line_ref'],
        columns: [...BUILT_IN_SCHEMA.spec.columns, { name: 'line_ref', type: 'id', required: true, maxLength: 16, aliases: [] }],
      },
      'id-lines.json',
    ),
  },
} as const;

export type OrderLineKind = keyof typeof ORDER_LINE_SCHEMAS;

/** A generated file of order lines (its text is what a failing case shows). */
export class OrderLinesFile {
  constructor(
    readonly kind: OrderLineKind,
    readonly text: string,
  ) {}
  get bytes(): Buffer {
    return Buffer.from(this.text);
  }
  get schema(): CompiledSchema {
    return ORDER_LINE_SCHEMAS[this.kind].schema;
  }
}

type LineRow = 'valid' | 'later' | 'conflict' | 'invalid' | 'fields' | 'blank' | 'multiline' | 'stray' | 'badKey';
const LINE_ROW = fc.constantFrom<LineRow>('valid', 'valid', 'valid', 'later', 'later', 'later', 'conflict', 'invalid', 'fields', 'blank', 'multiline', 'stray', 'badKey');

/** One row of order `id` (its `n`-th generated row), as the kind of schema writes it. */
function orderLineRow(kind: OrderLineKind, id: string, n: number, row: LineRow, line: number, eol: string): string {
  const second = kind === 'by-position' ? (row === 'later' ? ',' : row === 'conflict' ? 'Bob,USD' : 'Ann,EUR') : `${kind === 'line column' ? line : `X${line}`},${row === 'conflict' ? 'Bob' : 'Ann'}`;
  const product = row === 'multiline' ? `"Widget${eol}more"` : `Pen ${n}`;
  switch (row) {
    case 'blank':
      return '';
    case 'fields':
      return `${id},${second},${product},1`;
    case 'invalid':
      return `${id},${second},${product},x,1.50`;
    case 'stray':
      return `${id},${second},"${product},1,1.50`;
    case 'badKey':
      return `${id}#,${second},${product},1,1.50`;
    default:
      return `${id},${second},${product},${(n % 3) + 1},1.50`;
  }
}

/**
 * Files of order lines: runs of rows of one order (an order's id may come back later), rows that
 * inherit or conflict with the order's first row, bad rows, rows without a readable order, blank
 * lines, quoted line breaks and stray quotes; with a line column, lines that repeat.
 */
export const orderLinesFileArb: fc.Arbitrary<OrderLinesFile> = fc
  .record({
    kind: fc.constantFrom<OrderLineKind>('by-position', 'line column', 'id line column'),
    eol: fc.constantFrom('\n', '\r\n'),
    runs: fc.array(
      fc.record({ id: fc.integer({ min: 1, max: 8 }), rows: fc.array(fc.tuple(LINE_ROW, fc.integer({ min: 1, max: 4 })), { minLength: 1, maxLength: 5 }) }),
      { maxLength: 14 },
    ),
  })
  .map(({ kind, eol, runs }) => {
    const rows = runs.flatMap(({ id, rows: lines }) => lines.map(([row, line], n) => orderLineRow(kind, `O-${id}`, n, n === 0 && row === 'later' ? 'valid' : row, line, eol)));
    const text = [ORDER_LINE_SCHEMAS[kind].header, ...rows].join(eol) + eol;
    return new OrderLinesFile(kind, text);
  });
