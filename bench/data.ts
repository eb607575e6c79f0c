/**
 * The benchmark's input files: scripts/generate-orders.ts output (valid, realistic rows; one in
 * eight has a quoted comma, `USB-C hub, 7 ports`, and some a doubled quote, `27" monitor`), plus a
 * few records whose quoted product name spans two lines, as spreadsheet exports produce when a
 * cell holds a line break. Files are cached under bench/out/data/ (same options → same bytes).
 */
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import { generateOrders } from '../scripts/generate-orders.ts';

export const OUT_DIR = join(dirname(fileURLToPath(import.meta.url)), 'out');
const DATA_DIR = join(OUT_DIR, 'data');

/** Column of product_name in generate-orders' HEADER. */
const PRODUCT_NAME_COLUMN = 5;

export interface BenchFileSpec {
  rows: number;
  seed: number;
  /** Every Nth data row gets a two-line quoted product name (0 = none). */
  multilineEvery: number;
  gzip: boolean;
}

export interface BenchFile extends BenchFileSpec {
  path: string;
  bytes: number;
  /** Physical lines, header included (a two-line record counts twice). */
  physicalLines: number;
  /** Records whose product name spans two lines. */
  multilineRows: number;
}

/** The order_id of data row `i` (1-based), as generate-orders writes it. */
export const orderIdOf = (seed: number, i: number): string => `GEN-${seed}-${String(i).padStart(9, '0')}`;

/** Rewrites every Nth quote-free data row so its product name holds a line break. */
export function* withMultilineRows(chunks: Iterable<string>, every: number, counter: { rows: number; multiline: number; lines: number }): Generator<string> {
  let first = true;
  for (const chunk of chunks) {
    const lines = chunk.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] ?? '';
      if (line === '' || (first && i === 0)) continue;
      counter.rows++;
      if (every > 0 && counter.rows % every === 0 && !line.includes('"')) {
        const cells = line.split(',');
        cells[PRODUCT_NAME_COLUMN] = `"${cells[PRODUCT_NAME_COLUMN] ?? ''}\nGift wrap: yes, card included"`;
        lines[i] = cells.join(',');
        counter.multiline++;
        counter.lines++;
      }
    }
    first = false;
    counter.lines += lines.length - 1;
    yield lines.join('\n');
  }
}

function fileName(spec: BenchFileSpec): string {
  return `orders-${spec.rows}-s${spec.seed}-m${spec.multilineEvery}.csv${spec.gzip ? '.gz' : ''}`;
}

/** Generates the file unless the cache already has it; reports progress for large files. */
export async function benchFile(spec: BenchFileSpec, progress: (text: string) => void = () => undefined): Promise<BenchFile> {
  mkdirSync(DATA_DIR, { recursive: true });
  const path = join(DATA_DIR, fileName(spec));
  const counter = { rows: 0, multiline: 0, lines: 0 };
  const metaPath = `${path}.json`;
  if (existsSync(path) && existsSync(metaPath)) {
    return JSON.parse(readFileSync(metaPath, 'utf8')) as BenchFile;
  }
  const step = Math.max(50_000, Math.ceil(spec.rows / 10 / 1000) * 1000);
  const chunks = generateOrders({ rows: spec.rows, seed: spec.seed, invalidRatio: 0 }, (done) => {
    if (spec.rows >= 100_000 && done % step === 0) progress(`generating ${fileName(spec)}: ${done.toLocaleString('en-US')} / ${spec.rows.toLocaleString('en-US')} rows`);
  });
  const source = Readable.from(withMultilineRows(chunks, spec.multilineEvery, counter));
  const tmp = `${path}.tmp`;
  if (spec.gzip) await pipeline(source, createGzip(), createWriteStream(tmp));
  else await pipeline(source, createWriteStream(tmp));
  renameSync(tmp, path);
  const file: BenchFile = {
    ...spec,
    path,
    bytes: statSync(path).size,
    // Every line, the last one included, ends with \n.
    physicalLines: counter.lines,
    multilineRows: counter.multiline,
  };
  writeFileSync(metaPath, JSON.stringify(file));
  return file;
}
