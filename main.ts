/**
 * The CDKTF app (`npm run synth`, or `cdktf synth` through cdktf.json): validates the
 * configuration from the environment (modules/config.ts), bundles the processor, and synthesizes
 * one stack, `order-pipeline-<stage>`, into cdktf.out/stacks/order-pipeline-<stage>/
 * (CDKTF_OUTDIR overrides the output directory; PROCESSOR_BUNDLE_DIR skips bundling and uses that
 * directory's index.js instead).
 */
import { mkdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { App } from 'cdktf';
import { ConfigError, loadConfig, namePrefix } from './modules/config.ts';
import { OrderPipelineStack } from './modules/stack.ts';
import { bundleProcessor } from './scripts/bundle-processor.ts';

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

  // PROCESSOR_BUNDLE_DIR: deploy a bundle built elsewhere (CI artefact, test fixture) as is.
  const bundleDir = process.env.PROCESSOR_BUNDLE_DIR
    ? resolve(process.env.PROCESSOR_BUNDLE_DIR)
    : (await bundleProcessor()).outDir;
  const outdir = resolve(process.env.CDKTF_OUTDIR ?? 'cdktf.out');
  mkdirSync(outdir, { recursive: true });

  const app = new App({ outdir });
  const stackName = namePrefix(config.stage);
  new OrderPipelineStack(app, stackName, { config, bundleDir });
  app.synth();

  const stackDir = join(outdir, 'stacks', stackName);
  const shown = relative(process.cwd(), stackDir);
  process.stdout.write(`Synthesized ${stackName} (${config.region}) → ${shown.startsWith('..') ? stackDir : shown}\n`);
  return 0;
}

try {
  process.exitCode = await main();
} catch (err) {
  process.stderr.write(`synth failed: ${(err as Error).message}\n`);
  process.exitCode = 1;
}
