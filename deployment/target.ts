/**
 * Which deployment a command operates: the local emulator started by `order-pipeline local up`
 * (its endpoint and Terraform outputs in .local/outputs.json) or a real AWS deployment (Terraform
 * outputs of the applied stack, or a file of them, plus the standard AWS credential chain).
 * Chosen explicitly with --target; without it, local when .local/outputs.json exists.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { localHome, localPaths, readLocalOutputs, type LocalOutputs } from './local-home.ts';
import { PROJECT_PATHS } from '../tooling/project.ts';
import { checkOutputs, normaliseOutputs, type StackOutputs } from '../tooling/stack-outputs.ts';
import { readOutputs } from '../tooling/terraform.ts';

/** Terraform outputs of the stack, named exactly as the stack declares them (modules/outputs.ts). */
export type PipelineOutputs = StackOutputs;

export type TargetKind = 'local' | 'aws';

/** No target was named and none can be found: the caller has to choose one. */
export class NoTargetError extends Error {
  override name = 'NoTargetError';
}

export interface Target {
  kind: TargetKind;
  outputs: PipelineOutputs;
  region: string;
  /** Emulator endpoint (local only). */
  endpoint?: string;
  /** One line saying what is operated and where the outputs came from. */
  description: string;
  local?: LocalOutputs;
}

/** Outputs of the stack applied with `npm run deploy` (cdktf.out/stacks/<stack>). */
async function deployedOutputs(): Promise<{ outputs: PipelineOutputs; source: string }> {
  const stacksDir = join(PROJECT_PATHS.cdktfOut, 'stacks');
  const stacks = existsSync(stacksDir) ? readdirSync(stacksDir) : [];
  if (stacks.length === 0) {
    throw new Error(
      `no deployed stack found (${stacksDir} is empty). Deploy with \`npm run deploy\`, or pass --outputs FILE ` +
        '(the JSON of `terraform output -json`).',
    );
  }
  if (stacks.length > 1) {
    throw new Error(`several stacks in ${stacksDir} (${stacks.join(', ')}); pass --outputs FILE to choose one`);
  }
  const stackDir = join(stacksDir, stacks[0]!);
  let outputs: PipelineOutputs;
  try {
    outputs = await readOutputs(stackDir, process.env);
  } catch (e) {
    const message = (e as Error).message;
    const why = /Error: (.*)/.exec(message)?.[1] ?? message.split('\n')[0];
    throw new Error(
      `cannot read the Terraform outputs of ${stackDir} (${why}). Has the stack been applied with \`npm run deploy\`? ` +
        'Otherwise pass --outputs FILE (the JSON of `terraform output -json`).',
    );
  }
  return { outputs, source: `terraform outputs of ${stackDir}` };
}

/**
 * The target to operate: `kind` when given (AWS also when only an outputs file is given), else
 * local when .local/outputs.json exists.
 */
export async function resolveTarget(values: { kind?: TargetKind; outputsFile?: string }): Promise<Target> {
  const requested = values.kind ?? (values.outputsFile ? 'aws' : undefined);
  const home = localHome();
  if (requested === 'local' || requested === undefined) {
    const local = readLocalOutputs(home);
    if (!local) {
      if (requested === 'local') {
        throw new Error(`no local pipeline: ${localPaths(home).outputs} does not exist — start it with \`order-pipeline local up\``);
      }
      throw new NoTargetError(
        `no target: ${localPaths(home).outputs} does not exist. Start the local pipeline with ` +
          '`order-pipeline local up`, or operate AWS with `--target aws`.',
      );
    }
    return {
      kind: 'local',
      outputs: local,
      region: local.region,
      endpoint: local.endpoint,
      local,
      description: `local emulator ${local.endpoint} (${localPaths(home).outputs})`,
    };
  }
  if (values.outputsFile) {
    const file = values.outputsFile;
    const outputs = checkOutputs(normaliseOutputs(JSON.parse(readFileSync(file, 'utf8')), file), file);
    return { kind: 'aws', outputs, region: outputs.region, description: `AWS ${outputs.region} (outputs from ${file})` };
  }
  const { outputs, source } = await deployedOutputs();
  return { kind: 'aws', outputs, region: outputs.region, description: `AWS ${outputs.region} (${source})` };
}

/** Fails with a clear message when the target does not answer. */
export async function assertReachable(target: Target): Promise<void> {
  if (target.kind !== 'local' || !target.endpoint) return;
  try {
    const res = await fetch(`${target.endpoint}/moto-api/`, { signal: AbortSignal.timeout(2000) });
    if (res.ok) return;
  } catch {
    // fall through to the message
  }
  throw new Error(
    `no local emulator answering on ${target.endpoint} — start it with \`order-pipeline local up\`` +
      ` (stale ${localPaths().outputs}?)`,
  );
}
