/**
 * Bundles the order processor (functions/order-processor/handler.ts) with esbuild into one
 * CommonJS file for Lambda: `npm run build:processor` → dist/order-processor/index.js (+ .map).
 * The stack zips that directory as a TerraformAsset (modules/processor.ts).
 */
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import type { CompiledSchema } from '../functions/order-processor/contract/schema/compile.ts';
import { BUNDLED_SCHEMA_FILE } from '../functions/order-processor/resource-names.ts';
import { PROJECT_PATHS } from '../tooling/project.ts';

export interface BundleOptions {
  entry?: string;
  outDir?: string;
}

export interface BundleResult {
  outDir: string;
  file: string;
  bytes: number;
}

/** Bundles the handler; throws a clear error when it does not exist or does not export `handler`. */
export async function bundleProcessor(options: BundleOptions = {}): Promise<BundleResult> {
  const entry = options.entry ?? PROJECT_PATHS.processorHandler;
  const outDir = options.outDir ?? PROJECT_PATHS.processorBundle;
  if (!existsSync(entry)) {
    throw new Error(
      `Cannot bundle the order processor: ${relative(process.cwd(), entry) || entry} does not exist. ` +
        'The stack deploys that file\'s exported `handler`; write it (or restore it) and run `npm run build:processor` again.',
    );
  }
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, 'index.js');
  let result;
  try {
    result = await build({
    entryPoints: [entry],
    outfile: file,
    bundle: true,
    platform: 'node',
    // Node 20 syntax: the same bundle runs on Lambda's nodejs22.x and on Node 20, the project's minimum.
    target: 'node20',
    format: 'cjs',
    minify: true,
    // Mappings only: stack traces (NODE_OPTIONS=--enable-source-maps) need file, line and column,
    // not the sources' text, which would make the map most of the zip and of the memory it takes to load.
    sourcemap: true,
    sourcesContent: false,
    // The AWS SDK is bundled too, so the deployed code runs the versions the tests ran.
    metafile: true,
    logLevel: 'silent',
    legalComments: 'none',
    });
  } catch (err) {
    throw new Error(`Cannot bundle the order processor (${relative(process.cwd(), entry)}):\n${(err as Error).message}`);
  }
  const exported = await exportsOf(entry);
  if (!exported.includes('handler')) {
    throw new Error(`${relative(process.cwd(), entry)} does not export \`handler\` (it exports: ${exported.join(', ') || 'nothing'}).`);
  }
  // The repository is "type": "module"; mark the bundle directory as CommonJS so Node loads it the
  // way Lambda does if someone requires it locally.
  writeFileSync(join(outDir, 'package.json'), '{ "type": "commonjs" }\n');
  const bytes = Object.entries(result.metafile.outputs).find(([path]) => resolve(path) === resolve(file))?.[1].bytes ?? 0;
  return { outDir, file, bytes };
}

/**
 * The function's code as synth zips it: a copy of the bundle directory with the order schema
 * beside it (the checked schema, defaults filled in: the same fingerprint as the file it came
 * from). A file rather than an environment variable: Lambda allows 4 KB of variables in all, and
 * the built-in schema alone is about that size. Returns `assetDir`.
 */
export function assembleProcessorAsset(bundleDir: string, schema: CompiledSchema, assetDir: string): string {
  rmSync(assetDir, { recursive: true, force: true });
  cpSync(bundleDir, assetDir, { recursive: true });
  writeFileSync(join(assetDir, BUNDLED_SCHEMA_FILE), `${JSON.stringify(schema.spec, null, 2)}\n`);
  return assetDir;
}

/** The names a module exports (a CommonJS bundle's metafile does not list them, an ESM transform does). */
async function exportsOf(entry: string): Promise<string[]> {
  const probe = await build({ entryPoints: [entry], bundle: false, write: false, format: 'esm', metafile: true, logLevel: 'silent', outdir: 'probe' });
  return Object.values(probe.metafile.outputs).flatMap((o) => o.exports);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    const { file, bytes } = await bundleProcessor();
    process.stdout.write(`Bundled order processor → ${relative(process.cwd(), file)} (${(bytes / 1024).toFixed(0)} KiB)\n`);
  } catch (err) {
    process.stderr.write(`build:processor: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
