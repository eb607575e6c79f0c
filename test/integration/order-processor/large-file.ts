/**
 * A generated order file for the parts tests: several MiB of fat rows (long product names, so
 * moto writes few items per MiB) with what makes splitting hard — a BOM, CRLF line ends, quoted
 * line breaks right at every nominal part boundary (a continuation line starting exactly at it,
 * or a CRLF split across it), more quoted line breaks elsewhere, order_ids repeated in later parts
 * (also after a first occurrence that was rejected), repeats within a part, invalid rows, rows
 * with the wrong number of fields, and blank lines.
 */
import { random as seeded } from '../../../scripts/generate-orders.ts';

const MiB = 1024 * 1024;

/** `notes` is no contract column: ignored, it holds the quoted line breaks without a length rule. */
export const LARGE_HEADER = 'order_id,customer_name,customer_email,product_name,quantity,unit_price,currency,notes';

const WORDS = ['steel', 'oak', 'linen', 'copper', 'amber', 'slate', 'cedar', 'wool', 'glass', 'brass', 'maple', 'felt', 'ivory', 'cobalt', 'birch', 'jute'];

export interface LargeFile {
  bytes: Buffer;
  /** Every order_id that appears, once each. */
  ids: string[];
  /** The order_ids that appear more than once. */
  repeated: Set<string>;
}

/** About `targetBytes` of CSV, cut into parts of `chunkBytes` by the processor. */
export function largeFile(targetBytes: number, chunkBytes = MiB, seed = 7): LargeFile {
  const random = seeded(seed);
  const pick = () => WORDS[Math.floor(random() * WORDS.length)] ?? 'oak';
  const productName = (words: number) =>
    Array.from({ length: words }, () => `${pick()}-${Math.floor(random() * 0xffffff).toString(16)}`).join(' ');
  const lines: string[] = [];
  let at = 3; // the BOM
  const emit = (text: string) => {
    lines.push(text);
    at += Buffer.byteLength(text);
  };
  emit(`${LARGE_HEADER}\r\n`);
  const ids: string[] = [];
  const rejectedFirst: string[] = [];
  let nextCut = chunkBytes;
  for (let i = 1; at < targetBytes; i++) {
    let id = `ORD-${String(i).padStart(6, '0')}`;
    if (i % 500 === 0 && ids.length > 2600) id = ids[ids.length - 2500] ?? id; // a repeat from an earlier part
    else if (i % 701 === 0 && rejectedFirst.length > 0) id = rejectedFirst[rejectedFirst.length - 1] ?? id; // after a rejected first row
    else if (i % 211 === 0 && ids.length > 5) id = ids[ids.length - 5] ?? id; // a repeat within the part
    ids.push(id);
    const quantity = i % 37 === 0 ? 'abc' : String((i % 9) + 1);
    if (i % 37 === 0) rejectedFirst.push(id);
    const price = `${(i % 500) + 1}.${String(i % 100).padStart(2, '0')}`;
    const head = `${id},Customer ${i} ${productName(2)},c${i}@example.com,"${productName(16)}",${quantity},${price},USD,`;
    const notes = productName(8);
    if (i % 53 === 0) emit('\r\n');
    if (i % 97 === 0) {
      emit(`${id},Customer ${i},c${i}@example.com,${productName(10)},${quantity}\r\n`); // too few fields
      continue;
    }
    const row = `${head}"${notes}"\r\n`;
    if (at + 2 * Buffer.byteLength(row) < nextCut) {
      // A quoted line break now and then, away from the boundaries.
      emit(i % 41 === 0 ? `${head}"${notes.slice(0, 30)}\r\n${notes.slice(30)}"\r\n` : row);
      continue;
    }
    // A quoted line break at the nominal boundary: the continuation starts exactly at it, or its CRLF straddles it.
    const k = Math.round(nextCut / chunkBytes);
    const fill = nextCut - at - Buffer.byteLength(head) - 1 - (k % 2 === 0 ? 2 : 1);
    emit(fill < 1 ? row : `${head}"${'x'.repeat(fill)}\r\n${notes}"\r\n`);
    nextCut += chunkBytes;
  }
  const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lines.join(''), 'utf8')]);
  const seen = new Set<string>();
  const repeated = new Set(ids.filter((id) => seen.has(id) || !seen.add(id)));
  return { bytes, ids: [...seen], repeated };
}
