/**
 * Where things are in this repository, and how TypeScript is run: one home for both, so the CLI,
 * the local runtime, scripts, the benchmark and the tests agree.
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (the directory holding package.json). */
export const PROJECT_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

export const PROJECT_PATHS = {
  /** The CDKTF app: reads the configuration and synthesizes the stack. */
  cdktfApp: join(PROJECT_ROOT, 'main.ts'),
  /** Where `npm run synth` / `npm run deploy` write the synthesized stack. */
  cdktfOut: join(PROJECT_ROOT, 'cdktf.out'),
  /** The operator CLI's executable. */
  cli: join(PROJECT_ROOT, 'bin', 'order-pipeline.js'),
  /** The Lambda handler: bundled for AWS, run as is by the local runtime. */
  processorHandler: join(PROJECT_ROOT, 'functions', 'order-processor', 'handler.ts'),
  /** The processor's esbuild bundle, zipped by the stack. */
  processorBundle: join(PROJECT_ROOT, 'dist', 'order-processor'),
  sampleData: join(PROJECT_ROOT, 'sample-data'),
} as const;

/**
 * The directory synth zips as the function's code: the bundle plus the order schema file
 * (scripts/bundle-processor.ts `assembleProcessorAsset`), under the synth's output directory. The
 * function's task root on Lambda; the local runtime gives its stand-in the same root.
 */
export function processorAssetDir(cdktfOutDir: string): string {
  return join(cdktfOutDir, 'processor-asset');
}

/**
 * Node's arguments that run a TypeScript file: tsx's loader, registered before the file is
 * loaded. The one way TypeScript runs here (docs/local.md, "Running TypeScript"):
 * `node --import tsx FILE.ts` in npm scripts, cdktf.json and every child process.
 */
export const RUN_TYPESCRIPT: readonly string[] = ['--import', 'tsx'];

/** `node --import tsx <file> <args…>` as argv for `spawn(process.execPath, …)`. */
export function typescriptArgv(file: string, args: readonly string[] = [], nodeOptions: readonly string[] = []): string[] {
  return [...RUN_TYPESCRIPT, ...nodeOptions, file, ...args];
}
