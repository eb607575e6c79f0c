/**
 * A large order CSV made to be split into parts (docs/architecture.md, "Large files in parts"),
 * with every hard case where the parts meet: at each nominal cut (every `chunkBytes` from byte 0)
 * a quoted line break right on the cut (LF, or a CRLF split by it), a record's own CRLF split by
 * it, or a stray quote spanning it; the first record after a cut repeating an order_id of the part
 * before; order_ids repeated parts apart (also the id of a rejected row); invalid rows, blank
 * lines, CRLF line ends and a BOM. Rows are fat — long quoted names with line breaks — so the file
 * is large with few rows (the emulator writes about 2,000 rows/s). Deterministic for a seed.
 *
 * Used by the e2e test of large files (test/e2e/local-pipeline.test.ts). The file's outcome is
 * judged by `validateFile`, not by this module: `records` says what each record was meant to be,
 * so a test can check the file really holds the cases.
 */
import { writeFileSync } from 'node:fs';
import { random } from '../../scripts/generate-orders.ts';

export const LARGE_FILE_HEADER = 'order_id,product_name,customer_name,customer_email,quantity,unit_price,currency,order_date';

/** What a record was made to be (the contract decides; see the module comment). */
export type RecordKind = 'valid' | 'invalid' | 'malformed' | 'duplicate' | 'stray-quote';

/** The hard case placed on a nominal cut. */
export type CutCase = 'quoted-lf-on-cut' | 'quoted-crlf-split' | 'record-crlf-split' | 'stray-quote-across';

export interface PlannedRecord {
  kind: RecordKind;
  /** The file's physical line the record starts on (1 = header). */
  line: number;
  /** Byte offset of its first byte. */
  offset: number;
  orderId: string;
}

export interface LargeFile {
  path: string;
  bytes: number;
  /** Nominal cuts (k × chunkBytes) and the case placed on each. */
  cuts: { offset: number; case: CutCase }[];
  /** Every record (blank lines excepted), in file order. */
  records: PlannedRecord[];
  blankLines: number;
}

export interface LargeFileOptions {
  path: string;
  /** The file is at least this large. */
  minBytes: number;
  /** The processor's nominal part size (FANOUT_CHUNK_MB in bytes). */
  chunkBytes: number;
  seed: number;
  /** Prefix of every order_id, so the test finds its rows among others. */
  idPrefix: string;
}

const CUT_CASES: CutCase[] = ['quoted-lf-on-cut', 'quoted-crlf-split', 'record-crlf-split', 'stray-quote-across'];
const WORDS = ['ergonomic', 'keyboard', 'walnut', 'desk', 'lamp', 'cable', 'adapter', 'Crème', 'brûlée', 'mug', 'premium', 'edition', 'matte', 'black'];
const BLANKS = ['', '   ', ',,,,,,,', '"",,,,,,,'];
/** One rule broken per kind (docs/csv-format.md): a value rule (`invalid`) or the field count (`malformed`). */
const BREAKS: { kind: 'invalid' | 'malformed'; apply: (cells: string[]) => string[] }[] = [
  { kind: 'invalid', apply: (cells) => cells.map((c, i) => (i === 4 ? '0' : c)) }, // quantity below 1
  { kind: 'invalid', apply: (cells) => cells.map((c, i) => (i === 5 ? 'abc' : c)) }, // unit_price not a number
  { kind: 'invalid', apply: (cells) => cells.map((c, i) => (i === 3 ? 'bob@' : c)) }, // customer_email not an address
  { kind: 'malformed', apply: (cells) => cells.filter((_, i) => i !== 6) }, // a field missing
];
const CRLF = '\r\n';
const bytesOf = (s: string) => Buffer.byteLength(s, 'utf8');

export function writeLargeFile(options: LargeFileOptions): LargeFile {
  const next = random(options.seed);
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  /** Words of exactly `length` bytes (some with a comma when `commas`), padded with x. */
  const text = (length: number, commas: boolean) => {
    let s = '';
    for (;;) {
      const word = `${WORDS[int(0, WORDS.length - 1)]}${commas && next() < 0.2 ? ', ' : ' '}`;
      if (bytesOf(s) + bytesOf(word) > length) break;
      s += word;
    }
    return s + 'x'.repeat(length - bytesOf(s));
  };

  const chunks: string[] = ['\uFEFF' + LARGE_FILE_HEADER + CRLF];
  let offset = bytesOf(chunks[0]!);
  let line = 2;
  let serial = 0;
  const records: PlannedRecord[] = [];
  const cuts: LargeFile['cuts'] = [];
  let blankLines = 0;
  const newId = () => `${options.idPrefix}${String(++serial).padStart(7, '0')}`;

  /** A record's cells but product_name and customer_name, which carry the size. */
  const tail = () => {
    const day = String(int(1, 28)).padStart(2, '0');
    return [`buyer${int(1, 99_999)}@example.com`, String(int(1, 20)), `${int(1, 999)}.${String(int(0, 99)).padStart(2, '0')}`, ['USD', 'EUR', 'GBP'][int(0, 2)]!, `2024-0${int(1, 9)}-${day}`];
  };

  /**
   * One record: `id,"<A><break><B>","<customer>",…`. The continuation line after a quoted break
   * has one field fewer than the header (B holds no comma), so it never reads as an order of its
   * own and the break stays inside the value.
   */
  const record = (id: string, a: string, brk: string, b: string, customer: string, cells = tail()) =>
    [id, `"${a}${brk}${b}"`, `"${customer}"`, ...cells].join(',') + CRLF;

  const emit = (kind: RecordKind | 'blank', body: string, orderId = '') => {
    if (kind === 'blank') blankLines += 1;
    else records.push({ kind, line, offset, orderId });
    chunks.push(body);
    offset += bytesOf(body);
    // Physical lines: CRLF, LF and a lone CR each end one.
    line += (body.match(/\r\n|\n|\r/g) ?? []).length;
  };

  /**
   * A valid record of `size` bytes (from 100), the names taking up the slack: exactly that size
   * when the names can hold it (`exact` insists), else smaller.
   */
  const sizedValid = (size: number, id = newId(), exact = false) => {
    const brk = next() < 0.5 ? '\n' : CRLF;
    const b = text(size < 200 ? 3 : int(5, 30), false);
    const cells = tail();
    const room = size - bytesOf(record(id, '', brk, b, '', cells));
    const a = text(Math.max(1, Math.min(200, room - 3)), true);
    const body = record(id, a, brk, b, text(Math.max(3, Math.min(250, room - bytesOf(a))), true), cells);
    if (bytesOf(body) > size || (exact && bytesOf(body) !== size)) throw new Error(`a record of ${size} bytes came out as ${bytesOf(body)}`);
    emit('valid', body, id);
  };

  /** The case on cut `k`, starting `rem` bytes before it. */
  const onCut = (k: number, cut: number) => {
    const rem = cut - offset;
    const kind = CUT_CASES[(k - 1) % CUT_CASES.length]!;
    cuts.push({ offset: cut, case: kind });
    const id = newId();
    const head = bytesOf(`${id},"`);
    if (kind === 'quoted-lf-on-cut' || kind === 'quoted-crlf-split') {
      // The break's LF on the cut, or its CR just before it.
      const brk = kind === 'quoted-lf-on-cut' ? '\n' : CRLF;
      const a = text(rem - head - (brk.length - 1), true);
      emit('valid', record(id, a, brk, text(int(5, 30), false), text(int(40, 200), true)), id);
    } else if (kind === 'record-crlf-split') {
      // Its own CR just before the cut, its LF on it.
      sizedValid(rem + 1, id, true);
    } else {
      // A quote opened in product_name and never closed on its line; the next line is an order of
      // its own, so the quote is stray and this line alone is rejected.
      const filler = text(rem - head + int(10, 40), true);
      emit('stray-quote', [id, `"Lucky 7 ${filler}`, 'Quinn Blake', ...tail()].join(',') + CRLF, id);
    }
    // The first record of the new part repeats the last valid order_id of the part before.
    const before = [...records].reverse().find((r) => r.kind === 'valid' && r.offset < cut);
    if (before) emit('duplicate', record(before.orderId, text(40, true), '', '', text(60, true)), before.orderId);
  };

  for (let k = 1; offset < options.minBytes; ) {
    const cut = k * options.chunkBytes;
    const rem = cut - offset;
    if (rem <= 220) {
      onCut(k, cut);
      k += 1;
      continue;
    }
    if (rem < 1_000) {
      // Land 100 bytes before the cut (or further, then again), where the cut's case fits.
      sizedValid(Math.min(550, rem - 100));
      continue;
    }
    const roll = next();
    if (roll < 0.01) {
      emit('blank', BLANKS[int(0, BLANKS.length - 1)]! + CRLF);
    } else if (roll < 0.03) {
      const id = newId();
      const broken = BREAKS[int(0, BREAKS.length - 1)]!;
      emit(broken.kind, broken.apply([id, `"${text(60, true)}"`, `"${text(120, true)}"`, ...tail()]).join(',') + CRLF, id);
    } else if (roll < 0.035 && records.length > 2_500) {
      // An order_id of a record over a megabyte before, so in an earlier part: a valid one's, or a
      // rejected one's (remembered all the same, unless its row had no readable fields).
      let i = int(0, records.length - 2_500);
      while (i > 0 && !['valid', 'invalid'].includes(records[i]!.kind)) i -= 1;
      const earlier = records[i]!;
      emit('duplicate', record(earlier.orderId, text(50, true), '\n', text(10, false), text(150, true)), earlier.orderId);
    } else {
      sizedValid(int(350, 550));
    }
  }
  writeFileSync(options.path, chunks.join(''));
  return { path: options.path, bytes: offset, cuts, records, blankLines };
}
