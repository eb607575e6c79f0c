/** Helpers for the synthesis tests: build a construct or the whole stack and read the Terraform JSON. */
import { fileURLToPath } from 'node:url';
import { Testing, TerraformStack } from 'cdktf';
import { loadConfig } from '../../modules/config.ts';
import { OrderPipelineStack } from '../../modules/stack.ts';

/** A tiny directory standing in for the processor bundle (the real one is built by scripts/bundle-processor.ts). */
export const FIXTURE_BUNDLE_DIR = fileURLToPath(new URL('./fixtures/processor-bundle', import.meta.url));

/** The synthesized Terraform JSON, as far as the tests read it. */
export interface SynthJson {
  terraform?: { backend?: Record<string, Record<string, unknown>> };
  provider?: Record<string, Array<Record<string, unknown>>>;
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  output?: Record<string, { value: unknown }>;
}

/** A bare stack with whatever `build` adds to it, synthesized. */
export function synthConstruct(build: (stack: TerraformStack) => void): string {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  build(stack);
  return Testing.synth(stack);
}

/** The whole stack for a configuration environment, synthesized. */
export function synthPipeline(env: Record<string, string> = {}): { synth: string; json: SynthJson } {
  const app = Testing.app();
  const stack = new OrderPipelineStack(app, 'order-pipeline-test', {
    config: loadConfig({ PIPELINE_STAGE: 'test', AWS_REGION: 'eu-west-1', ...env }),
    bundleDir: FIXTURE_BUNDLE_DIR,
  });
  const synth = Testing.synth(stack);
  return { synth, json: JSON.parse(synth) as SynthJson };
}

/** All resources (or data sources) of one Terraform type, as parsed objects. */
export function blocksOfType(synth: string, type: string, kind: 'resource' | 'data' = 'resource'): Record<string, unknown>[] {
  const json = JSON.parse(synth) as SynthJson;
  return Object.values(json[kind]?.[type] ?? {});
}

/** The single block of a type; fails when there are zero or several. */
export function onlyBlockOfType(synth: string, type: string, kind: 'resource' | 'data' = 'resource'): Record<string, unknown> {
  const blocks = blocksOfType(synth, type, kind);
  if (blocks.length !== 1) throw new Error(`expected one ${type}, found ${blocks.length}`);
  return blocks[0] as Record<string, unknown>;
}
