/**
 * The CDKTF app (`npm run synth`, or `cdktf synth` through cdktf.json): validates the
 * configuration from the environment (modules/config.ts) and the order schema (ORDER_SCHEMA, else
 * the built-in order-schema.json), bundles the processor, puts the schema beside the bundle
 * (the function's code, <outdir>/processor-asset), and synthesizes one stack,
 * `order-pipeline-<stage>`, into cdktf.out/stacks/order-pipeline-<stage>/ (CDKTF_OUTDIR overrides
 * the output directory; PROCESSOR_BUNDLE_DIR skips bundling and uses that directory's index.js
 * instead).
 */
import { mkdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { App } from 'cdktf';
import { orderSchemaFor, SchemaFileError } from './functions/order-processor/index.ts';
import { ConfigError, loadConfig, namePrefix } from './modules/config.ts';
import { OrderPipelineStack } from './modules/stack.ts';
import { assembleProcessorAsset, bundleProcessor } from './scripts/bundle-processor.ts';
import { processorAssetDir } from './tooling/project.ts';

async function main(): Promise<number> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nNothing was synthesized. See docs/deploy.md#configuration.\n`);
      return 2;
    }
    throw err;
  }
  let loaded;
  try {
    loaded = orderSchemaFor(undefined, process.env);
  } catch (err) {
    if (err instanceof SchemaFileError) {
      process.stderr.write(`${err.message}\nNothing was synthesized. See docs/csv-format.md#the-schema-file.\n`);
      return 2;
    }
    throw err;
  }

  // PROCESSOR_BUNDLE_DIR: deploy a bundle built elsewhere (CI artefact, test fixture) as is.
  const bundleDir = process.env.PROCESSOR_BUNDLE_DIR
    ? resolve(process.env.PROCESSOR_BUNDLE_DIR)
    : (await bundleProcessor()).outDir;
  const outdir = resolve(process.env.CDKTF_OUTDIR ?? 'cdktf.out');
  mkdirSync(outdir, { recursive: true });
  const assetDir = assembleProcessorAsset(bundleDir, loaded.schema, processorAssetDir(outdir));

  const app = new App({ outdir });
  const stackName = namePrefix(config.stage);
  new OrderPipelineStack(app, stackName, { config, bundleDir: assetDir });
  app.synth();

  const stackDir = join(outdir, 'stacks', stackName);
  const shown = relative(process.cwd(), stackDir);
  process.stdout.write(`Synthesized ${stackName} (${config.region}) → ${shown.startsWith('..') ? stackDir : shown}\n`);
  const { name, version, fingerprint } = loaded.schema.identity;
  process.stdout.write(`Order schema "${name}" version ${version} (fingerprint ${fingerprint}) from ${loaded.file}\n`);
  return 0;
}

try {
  process.exitCode = await main();
} catch (err) {
  process.stderr.write(`synth failed: ${(err as Error).message}\n`);
  process.exitCode = 1;
}
