/**
 * `npm run gen -- --rows N --out FILE [--gzip] [--seed S] [--invalid-ratio R]`
 *
 * Writes a large, realistic order CSV that follows the contract (docs/csv-format.md). Rows are
 * produced lazily and written through a pipeline, so memory stays flat for any N; progress goes
 * to stderr. The same seed gives the same bytes. With --invalid-ratio, that fraction of rows
 * breaks one rule each (cycling through several kinds) so partial processing can be exercised.
 */
import { createWriteStream } from 'node:fs';
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
