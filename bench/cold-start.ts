/**
 * Cold start: the Lambda bundle as deployed. scripts/bundle-processor.ts builds it into a
 * temporary directory; its zipped size is what TerraformAsset uploads (the directory zipped with
 * deflate level 9, as cdktf's archiver does: computed here with node's zlib, local and central
 * headers included); its module load time is how long a fresh `node` process takes to `require`
 * it (median of several processes; the runtime's own start is not included).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { bundleProcessor } from '../scripts/bundle-processor.ts';

export interface ZipEntrySize {
  name: string;
  bytes: number;
  deflatedBytes: number;
}

export interface ColdStartResult {
  files: ZipEntrySize[];
  /** The zip TerraformAsset would upload (every file of the directory, the source map included). */
  zipBytes: number;
  /** The same without the source map (what Lambda needs to run). */
  zipBytesWithoutMap: number;
  /** Module load (require) of index.js in fresh processes, ms, in run order. */
  loadMs: number[];
  medianLoadMs: number;
  /** Wall time of the whole `node` process that loads it (process start included), median, ms. */
  medianProcessMs: number;
}

/** Size of a zip holding these entries: 30-byte local header + name + data, 46-byte central header + name, 22-byte end record. */
export function zipSize(entries: readonly ZipEntrySize[]): number {
  return entries.reduce((sum, e) => sum + 30 + 46 + 2 * Buffer.byteLength(e.name) + Math.min(e.deflatedBytes, e.bytes), 22);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length === 0 ? NaN : sorted.length % 2 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

const LOAD_PROBE = 'const t = performance.now(); require(process.argv[1]); process.stdout.write(String(performance.now() - t));';

/** A bundle in a temporary directory; `remove` deletes it. */
export async function buildBundle(): Promise<{ dir: string; file: string; remove: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'order-processor-bundle-'));
  const { file } = await bundleProcessor({ outDir: dir });
  return { dir, file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function measureColdStart(bundle: { dir: string; file: string }, loads: number): ColdStartResult {
  const files = readdirSync(bundle.dir).map((name) => {
    const data = readFileSync(join(bundle.dir, name));
    return { name, bytes: data.length, deflatedBytes: deflateRawSync(data, { level: 9 }).length };
  });
  const loadMs: number[] = [];
  const processMs: number[] = [];
  for (let i = 0; i < loads; i++) {
    const t0 = performance.now();
    const probe = spawnSync(process.execPath, ['-e', LOAD_PROBE, bundle.file], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    processMs.push(performance.now() - t0);
    if (probe.status !== 0) throw new Error(`loading the bundle failed:\n${probe.stderr}`);
    loadMs.push(Number(probe.stdout));
  }
  return {
    files,
    zipBytes: zipSize(files),
    zipBytesWithoutMap: zipSize(files.filter((f) => !f.name.endsWith('.map'))),
    loadMs,
    medianLoadMs: median(loadMs),
    medianProcessMs: median(processMs),
  };
}
