/**
 * Random order files for the tests of reading in parts: valid and invalid rows, quoted commas,
 * quotes and line breaks, stray quotes, blank lines, LF/CRLF/CR mixed, a BOM, order_ids repeated
 * anywhere, and now and then a NUL, a byte that is not UTF-8, a file cut inside a character or a
 * tight line cap. Any bytes will do: the oracle is a sequential read of the same bytes.
 */
import fc from 'fast-check';
import type { ContractLimits } from '../../../../functions/order-processor/contract/limits.ts';

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
