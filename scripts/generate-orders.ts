/**
 * `npm run gen -- --rows N --out FILE [--gzip] [--seed S] [--invalid-ratio R]`
 *
 * Writes a large, realistic order CSV that follows the contract (docs/csv-format.md). Rows are
 * produced lazily and written through a pipeline, so memory stays flat for any N; progress goes
 * to stderr. The same seed gives the same bytes. With --invalid-ratio, that fraction of rows
 * breaks one rule each (cycling through several kinds) so partial processing can be exercised.
 *
 * The one generator of order files: the benchmark, the load test and the tests use it, including
 * `largeFile`, a file made to be split into parts with every hard case on the cuts (below).
 */
import { createWriteStream, writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { createGzip } from 'node:zlib';

export const HEADER =
  'order_id,customer_id,customer_name,customer_email,product_sku,product_name,quantity,unit_price,currency,order_date';

const FIRST = ['Alice', 'Bruno', 'Chloé', 'Daniel', 'Emi', 'Farah', 'Gustavo', 'Hana', 'Ingrid', 'Jonas', 'Kofi', 'Lucía'];
const LAST = ['Martin', 'Bauer', 'Dubois', "O'Neill", 'Tanaka', 'Khan', 'Silva', 'Novak', 'Larsen', 'Weber', 'Mensah', 'García'];
const PRODUCTS: [string, string, number][] = [
  ['SKU-KB-01', 'Mechanical keyboard', 8990],
  ['SKU-MS-02', 'Wireless mouse', 1999],
  ['SKU-HD-03', 'USB-C hub, 7 ports', 3450],
  ['SKU-MN-04', '27" monitor', 24900],
  ['SKU-CB-05', 'USB-C cable 2 m', 799],
  ['SKU-DK-06', 'Standing desk', 49999],
  ['SKU-WC-07', 'Webcam 1080p', 5900],
  ['SKU-LS-08', 'Laptop stand', 2900],
];
const CURRENCIES = ['USD', 'USD', 'USD', 'EUR', 'EUR', 'GBP', 'CAD', 'JPY', 'SEK'];
/** One way to break a row per kind; each is a rule of the CSV contract (docs/csv-format.md). */
const INVALID_KINDS = ['quantity', 'unit_price', 'currency', 'customer_email', 'order_date'] as const;

/** mulberry32: tiny, fast, seedable; good enough for test data. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export interface GenerateOptions {
  rows: number;
  seed: number;
  invalidRatio: number;
}

/** Yields the file as text chunks of up to 1,000 rows, header first. */
export function* generateOrders(options: GenerateOptions, onProgress?: (rows: number) => void): Generator<string> {
  const next = random(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const baseDay = Date.UTC(2025, 0, 1);
  let chunk = HEADER + '\n';
  let invalidCount = 0;
  for (let i = 1; i <= options.rows; i++) {
    const first = pick(FIRST);
    const last = pick(LAST);
    const [sku, product, cents] = pick(PRODUCTS);
    const customerNo = 1 + Math.floor(next() * 50_000);
    const cells = {
      order_id: `GEN-${options.seed}-${String(i).padStart(9, '0')}`,
      customer_id: `C-${String(customerNo).padStart(6, '0')}`,
      customer_name: `${first} ${last}`,
      customer_email: `${first}.${last}${customerNo}@example.com`.toLowerCase().replace(/[^a-z0-9.@]/g, ''),
      product_sku: sku,
      product_name: product,
      quantity: String(1 + Math.floor(next() * 10)),
      unit_price: (cents / 100).toFixed(2),
      currency: pick(CURRENCIES),
      order_date: new Date(baseDay + Math.floor(next() * 300 * 86_400_000)).toISOString(),
    };
    if (options.invalidRatio > 0 && next() < options.invalidRatio) {
      const kind = INVALID_KINDS[invalidCount++ % INVALID_KINDS.length];
      if (kind === 'quantity') cells.quantity = 'abc';
      else if (kind === 'unit_price') cells.unit_price = '-1.00';
      else if (kind === 'currency') cells.currency = 'XYZ';
      else if (kind === 'customer_email') cells.customer_email = 'not-an-email';
      else cells.order_date = '2025-13-45';
    }
    chunk += Object.values(cells).map(csvCell).join(',') + '\n';
    if (i % 1000 === 0) {
      yield chunk;
      chunk = '';
      onProgress?.(i);
    }
  }
  if (chunk) yield chunk;
  if (options.rows % 1000 !== 0) onProgress?.(options.rows);
}

// ---------------------------------------------------------------------------------------------
// Large files in parts (docs/architecture.md): a large order CSV made to be split, with every
// hard case where the parts meet. At each nominal cut (every `chunkBytes` from byte 0): a quoted
// line break right on the cut (LF, or a CRLF split by it), a record's own CRLF split by it, or a
// stray quote spanning it; the first record after a cut repeating an order_id of the part before;
// order_ids repeated parts apart (also the id of a rejected row); invalid rows, blank lines, CRLF
// line ends and a BOM. Rows are fat — long quoted names with line breaks — so the file is large
// with few rows (the emulator writes few rows per second). Deterministic for a seed.
//
// Used by the parts tests against moto and the e2e test. The file's outcome is judged by
// `validateFile`, not here: `records` says what each record was meant to be, so a test can check
// the file really holds the cases.
// ---------------------------------------------------------------------------------------------

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
  /** The file's bytes. */
  bytes: Buffer;
  /** Nominal cuts (k × chunkBytes) and the case placed on each. */
  cuts: { offset: number; case: CutCase }[];
  /** Every record (blank lines excepted), in file order. */
  records: PlannedRecord[];
  blankLines: number;
}

export interface LargeFileOptions {
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

/** The large file in memory (see "Large files in parts" above). */
export function largeFile(options: LargeFileOptions): LargeFile {
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
  return { bytes: Buffer.from(chunks.join(''), 'utf8'), cuts, records, blankLines };
}

/** The large file written to `path`. */
export function writeLargeFile(path: string, options: LargeFileOptions): LargeFile {
  const file = largeFile(options);
  writeFileSync(path, file.bytes);
  return file;
}

const USAGE = 'usage: npm run gen -- --rows N --out FILE [--gzip] [--seed S] [--invalid-ratio R]';

function fail(message: string): never {
  process.stderr.write(`generate-orders: ${message}\n${USAGE}\n`);
  process.exit(64);
}

function parseNumber(name: string, raw: string | undefined, fallback: number, check: (n: number) => boolean, expected: string): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || !check(value)) fail(`--${name} ${JSON.stringify(raw)}: expected ${expected}`);
  return value;
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        rows: { type: 'string' },
        out: { type: 'string' },
        gzip: { type: 'boolean', default: false },
        seed: { type: 'string' },
        'invalid-ratio': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
  const { values } = parsed;
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  if (values.rows === undefined) fail('--rows is required');
  if (!values.out) fail('--out is required');
  const rows = parseNumber('rows', values.rows, 0, (n) => Number.isInteger(n) && n >= 1, 'a whole number ≥ 1');
  const seed = parseNumber('seed', values.seed, 1, Number.isInteger, 'a whole number');
  const invalidRatio = parseNumber('invalid-ratio', values['invalid-ratio'], 0, (n) => n >= 0 && n <= 1, 'a number from 0 to 1');
  const gzip = values.gzip || values.out.endsWith('.gz');

  const started = Date.now();
  const showProgress = rows >= 100_000;
  const step = Math.max(100_000, Math.ceil(rows / 20 / 1000) * 1000);
  const progress = (done: number): void => {
    if (showProgress && (done % step === 0 || done === rows)) {
      const pct = ((done / rows) * 100).toFixed(0).padStart(3);
      process.stderr.write(`generate-orders: ${pct}% ${done.toLocaleString('en-US')} / ${rows.toLocaleString('en-US')} rows\n`);
    }
  };
  const source = Readable.from(generateOrders({ rows, seed, invalidRatio }, progress));
  const sink = createWriteStream(values.out);
  if (gzip) await pipeline(source, createGzip(), sink);
  else await pipeline(source, sink);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stderr.write(`generate-orders: wrote ${rows.toLocaleString('en-US')} rows to ${values.out}${gzip ? ' (gzip)' : ''} in ${seconds} s\n`);
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('generate-orders.ts')) {
  main().catch((err: unknown) => {
    process.stderr.write(`generate-orders: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
