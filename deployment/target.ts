/**
 * Which deployment a command operates: the local emulator started by `order-pipeline local up`
 * (its endpoint and Terraform outputs in .local/outputs.json) or a real AWS deployment (Terraform
 * outputs of the applied stack, or a file of them, plus the standard AWS credential chain).
 * Chosen explicitly with --target; without it, local when .local/outputs.json exists.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OUTPUT_NAMES, type StackOutputs } from '../modules/outputs.ts';
import { UsageError } from '../cli/exit.ts';
import { readOutputs } from '../tooling/terraform-progress.ts';

/** Terraform outputs of the stack, named exactly as the stack declares them (modules/outputs.ts). */
export type PipelineOutputs = StackOutputs;

/** .local/outputs.json: the emulator endpoint, the region and every Terraform output. */
export interface LocalOutputs extends PipelineOutputs {
  endpoint: string;
  /** Extra local-only resources and processes. */
  alert_capture_queue_url?: string;
  stage?: string;
  [name: string]: unknown;
}

export const REQUIRED_OUTPUTS: readonly (keyof PipelineOutputs)[] = OUTPUT_NAMES;

export const PROJECT_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** Where local state lives: $ORDER_PIPELINE_HOME, else <project>/.local. */
export function localHome(): string {
  return resolve(process.env.ORDER_PIPELINE_HOME ?? join(PROJECT_ROOT, '.local'));
}

export const localPaths = (home = localHome()) => ({
  home,
  outputs: join(home, 'outputs.json'),
  pids: join(home, 'pids.json'),
  delivery: join(home, 'delivery.json'),
  outbox: join(home, 'outbox'),
  logs: join(home, 'logs'),
  processorLog: join(home, 'logs', 'processor.log'),
  terraformLog: join(home, 'logs', 'terraform.log'),
  motoLog: join(home, 'logs', 'moto.log'),
  cdktfOut: join(home, 'cdktf.out'),
});

export interface Target {
  kind: 'local' | 'aws';
  outputs: PipelineOutputs;
  region: string;
  /** Emulator endpoint (local only). */
  endpoint?: string;
  /** One line saying what is operated and where the outputs came from. */
  description: string;
  local?: LocalOutputs;
}

/** parseArgs options every operating command accepts. */
export const TARGET_OPTIONS = {
  target: { type: 'string' },
  outputs: { type: 'string' },
} as const;

export const TARGET_HELP = [
  '  --target local|aws  what to operate: the local emulator (.local/outputs.json, written by',
  '                      `order-pipeline local up`) or the AWS deployment (Terraform outputs of',
  '                      the applied stack + the standard AWS credential chain). Default: local',
  '                      when .local/outputs.json exists.',
  '  --outputs FILE      AWS: read the stack outputs from FILE (`terraform output -json` or flat JSON)',
].join('\n');

/** Accepts `terraform output -json` ({name: {value}}) and flat ({name: value}) shapes. */
export function normaliseOutputs(raw: unknown, source: string): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new Error(`${source}: expected a JSON object of Terraform outputs`);
  }
  const flat: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(raw)) {
    flat[name] = typeof value === 'object' && value !== null && 'value' in value ? (value as { value: unknown }).value : value;
  }
  return flat;
}

export function checkOutputs(flat: Record<string, unknown>, source: string): PipelineOutputs {
  const missing = REQUIRED_OUTPUTS.filter((name) => typeof flat[name] !== 'string' || flat[name] === '');
  if (missing.length > 0) {
    throw new Error(`${source} lacks the stack output(s) ${missing.join(', ')} — is it the output of this stack?`);
  }
  return flat as unknown as PipelineOutputs;
}

export function readLocalOutputs(home = localHome()): LocalOutputs | null {
  const file = localPaths(home).outputs;
  if (!existsSync(file)) return null;
  const flat = normaliseOutputs(JSON.parse(readFileSync(file, 'utf8')), file);
  checkOutputs(flat, file);
  if (typeof flat.endpoint !== 'string') throw new Error(`${file} lacks "endpoint"`);
  return flat as LocalOutputs;
}

/** Outputs of the stack applied with `npm run deploy` (cdktf.out/stacks/<stack>). */
async function deployedOutputs(): Promise<{ outputs: PipelineOutputs; source: string }> {
  const stacksDir = join(PROJECT_ROOT, 'cdktf.out', 'stacks');
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
  let raw: unknown;
  try {
    raw = await readOutputs(stackDir, process.env);
  } catch (e) {
    const message = (e as Error).message;
    const why = /Error: (.*)/.exec(message)?.[1] ?? message.split('\n')[0];
    throw new Error(
      `cannot read the Terraform outputs of ${stackDir} (${why}). Has the stack been applied with \`npm run deploy\`? ` +
        'Otherwise pass --outputs FILE (the JSON of `terraform output -json`).',
    );
  }
  return { outputs: checkOutputs(normaliseOutputs(raw, stackDir), stackDir), source: `terraform outputs of ${stackDir}` };
}

export async function resolveTarget(values: { target?: string; outputs?: string }): Promise<Target> {
  const requested = values.target ?? (values.outputs ? 'aws' : undefined);
  if (requested !== undefined && requested !== 'local' && requested !== 'aws') {
    throw new UsageError(`--target must be "local" or "aws", not "${requested}"`);
  }
  const home = localHome();
  if (requested === 'local' || requested === undefined) {
    const local = readLocalOutputs(home);
    if (!local) {
      if (requested === 'local') {
        throw new Error(`no local pipeline: ${localPaths(home).outputs} does not exist — start it with \`order-pipeline local up\``);
      }
      throw new UsageError(
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
  if (values.outputs) {
    const flat = normaliseOutputs(JSON.parse(readFileSync(values.outputs, 'utf8')), values.outputs);
    const outputs = checkOutputs(flat, values.outputs);
    return { kind: 'aws', outputs, region: outputs.region, description: `AWS ${outputs.region} (outputs from ${values.outputs})` };
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
