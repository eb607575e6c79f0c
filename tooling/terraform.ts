/**
 * Synthesizes the CDKTF stack and drives Terraform on it. Shared by `npm run deploy` /
 * `npm run destroy` (scripts/terraform.ts), `order-pipeline local up` and the e2e tests, so every
 * path applies the same Terraform the same way; `TerraformProgress` condenses its output.
 *
 * Every `env` parameter is a set of overrides on top of this process's environment; a key mapped
 * to `undefined` is removed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { PROJECT_PATHS, PROJECT_ROOT, typescriptArgv } from './project.ts';
import { missingOutputs, normaliseOutputs, type StackOutputs } from './stack-outputs.ts';

type EnvOverrides = Record<string, string | undefined>;

export const TERRAFORM_INSTALL_HINT =
  'install Terraform ≥ 1.5 from https://developer.hashicorp.com/terraform/install (or your package manager) and make sure `terraform` is on PATH';

export type { StackOutputs } from './stack-outputs.ts';

function mergedEnv(overrides: EnvOverrides): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

let searchedMirror: { found: string | undefined } | undefined;

/**
 * A local provider mirror (a directory containing `registry.terraform.io/hashicorp/aws`) for
 * `terraform init -plugin-dir`: `TF_PLUGIN_DIR` when set, else a well-known location, else the
 * parent of a `registry.terraform.io` directory found within 4 levels of `/`. Undefined: use the registry.
 */
export function findProviderMirror(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const explicit = env.TF_PLUGIN_DIR?.trim();
  if (explicit) return resolve(explicit);
  if (searchedMirror) return searchedMirror.found;

  const hasAws = (dir: string) => isDirectory(join(dir, 'registry.terraform.io', 'hashicorp', 'aws'));
  const home = env.HOME ?? homedir();
  // Terraform's implied local mirror directories first, then a shallow search of the machine.
  const wellKnown = [
    join(home, '.terraform.d', 'plugins'),
    join(home, '.local', 'share', 'terraform', 'plugins'),
    '/usr/local/share/terraform/plugins',
    '/usr/share/terraform/plugins',
  ];
  let found = wellKnown.find(hasAws);
  if (!found) {
    const search = spawnSync('find', ['/', '-maxdepth', '4', '-type', 'd', '-name', 'registry.terraform.io'], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    found = (search.stdout ?? '')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => dirname(line.trim()))
      .find(hasAws);
  }
  searchedMirror = { found };
  return found;
}

/** Throws an actionable error unless a `terraform` ≥ 1.5 binary is on PATH; returns its version. */
export function assertTerraformInstalled(env: NodeJS.ProcessEnv = process.env): string {
  const probe = spawnSync('terraform', ['version', '-json'], { encoding: 'utf8', env, timeout: 30_000 });
  if (probe.error) {
    throw new Error(`terraform is not available (${probe.error.message}): ${TERRAFORM_INSTALL_HINT}.`);
  }
  let version = '';
  try {
    version = (JSON.parse(probe.stdout) as { terraform_version?: string }).terraform_version ?? '';
  } catch {
    version = /Terraform v(\d+\.\d+\.\d+)/.exec(probe.stdout)?.[1] ?? '';
  }
  const [major = 0, minor = 0] = version.split('.').map(Number);
  if (major < 1 || (major === 1 && minor < 5)) {
    throw new Error(`terraform ${version || '(unknown version)'} is too old: ${TERRAFORM_INSTALL_HINT}.`);
  }
  return version;
}

/** Runs one terraform command; streams its output lines to `onLine`; throws with the stderr tail on failure. */
export async function terraform(
  args: string[],
  opts: { cwd: string; env: EnvOverrides; onLine?: (line: string) => void },
): Promise<void> {
  await run('terraform', args, { ...opts, what: `terraform ${args[0] ?? ''}` });
}

interface RunOptions {
  cwd: string;
  env: EnvOverrides;
  onLine?: (line: string) => void;
  what: string;
  captureStdout?: boolean;
}

async function run(command: string, args: string[], opts: RunOptions): Promise<string> {
  const env = mergedEnv({ TF_IN_AUTOMATION: '1', TF_INPUT: '0', ...opts.env });
  if (command === 'terraform') assertTerraformInstalled(env);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: opts.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    let stdout = '';
    const lines = (stream: NodeJS.ReadableStream, isErr: boolean) => {
      let pending = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        if (opts.captureStdout && !isErr) {
          stdout += chunk;
          return;
        }
        pending += chunk;
        const parts = pending.split('\n');
        pending = parts.pop() ?? '';
        for (const line of parts) emit(line, isErr);
      });
      stream.on('end', () => {
        if (pending) emit(pending, isErr);
      });
    };
    const emit = (line: string, isErr: boolean) => {
      if (isErr) {
        tail.push(line);
        if (tail.length > 60) tail.shift();
      }
      opts.onLine?.(line);
    };
    lines(child.stdout, false);
    lines(child.stderr, true);
    child.on('error', (err) => reject(new Error(`${opts.what} could not start: ${err.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) return resolvePromise(stdout);
      const detail = tail.join('\n').trim();
      reject(new Error(`${opts.what} failed (${signal ?? `exit ${code}`}) in ${opts.cwd}${detail ? `:\n${detail}` : ''}`));
    });
  });
}

/**
 * Runs main.ts in a child process with `env` (bundling the processor first) and returns the
 * synthesized stack directory, `<outDir>/stacks/order-pipeline-<stage>`.
 */
export async function synthStack(opts: { env: EnvOverrides; outDir: string; onLine?: (line: string) => void }): Promise<string> {
  const outDir = resolve(opts.outDir);
  await run(process.execPath, typescriptArgv(PROJECT_PATHS.cdktfApp), {
    cwd: PROJECT_ROOT,
    env: { ...opts.env, CDKTF_OUTDIR: outDir },
    what: 'synth (main.ts)',
    ...(opts.onLine ? { onLine: opts.onLine } : {}),
  });
  const manifestPath = join(outDir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { stacks: Record<string, { workingDirectory: string }> };
  const stacks = Object.values(manifest.stacks);
  if (stacks.length !== 1 || !stacks[0]) {
    throw new Error(`expected exactly one stack in ${manifestPath}, found ${stacks.length}`);
  }
  return join(outDir, stacks[0].workingDirectory);
}

/** `terraform init` in the stack directory: from the provider mirror when there is one, else the registry. */
export async function initStack(stackDir: string, opts: { env: EnvOverrides; onLine?: (line: string) => void; backend?: boolean }): Promise<void> {
  const mirror = findProviderMirror(mergedEnv(opts.env));
  if (mirror && !isDirectory(join(mirror, 'registry.terraform.io', 'hashicorp', 'aws'))) {
    throw new Error(
      `the provider mirror ${mirror} (TF_PLUGIN_DIR) has no registry.terraform.io/hashicorp/aws: ` +
        'point TF_PLUGIN_DIR at a directory made with `terraform providers mirror DIR`, or unset it to use the registry',
    );
  }
  const args = ['init', '-input=false', '-no-color'];
  if (mirror) args.push(`-plugin-dir=${mirror}`);
  if (opts.backend === false) args.push('-backend=false');
  opts.onLine?.(mirror ? `terraform init (providers from the mirror ${mirror})` : 'terraform init (providers from the registry)');
  await terraform(args, { cwd: stackDir, env: opts.env, ...(opts.onLine ? { onLine: opts.onLine } : {}) });
}

/** Synthesizes, initialises and applies the stack; returns its directory and outputs. */
export async function deployStack(opts: {
  env: EnvOverrides;
  outDir: string;
  onLine?: (line: string) => void;
}): Promise<{ stackDir: string; outputs: StackOutputs }> {
  const onLine = opts.onLine ? { onLine: opts.onLine } : {};
  assertTerraformInstalled(mergedEnv(opts.env));
  const stackDir = await synthStack(opts);
  await initStack(stackDir, { env: opts.env, ...onLine });
  await terraform(['apply', '-auto-approve', '-input=false', '-no-color'], { cwd: stackDir, env: opts.env, ...onLine });
  return { stackDir, outputs: await readOutputs(stackDir, opts.env) };
}

/** Synthesizes (the provider needs the same configuration), initialises and destroys the stack. */
export async function destroyStack(opts: { env: EnvOverrides; outDir: string; onLine?: (line: string) => void }): Promise<void> {
  const onLine = opts.onLine ? { onLine: opts.onLine } : {};
  assertTerraformInstalled(mergedEnv(opts.env));
  const stackDir = await synthStack(opts);
  await initStack(stackDir, { env: opts.env, ...onLine });
  await terraform(['destroy', '-auto-approve', '-input=false', '-no-color'], { cwd: stackDir, env: opts.env, ...onLine });
}

/** `terraform output -json` of an applied stack, checked to contain every output the CLI relies on. */
export async function readOutputs(stackDir: string, env: EnvOverrides = {}): Promise<StackOutputs> {
  if (!existsSync(stackDir)) throw new Error(`no synthesized stack at ${stackDir}: deploy first`);
  const json = await run('terraform', ['output', '-json', '-no-color'], { cwd: stackDir, env, what: 'terraform output', captureStdout: true });
  const flat = normaliseOutputs(JSON.parse(json), `terraform output in ${stackDir}`);
  const missing = missingOutputs(flat);
  if (missing.length > 0) {
    throw new Error(`the stack in ${stackDir} has no output ${missing.join(', ')}: has it been applied?`);
  }
  return flat as unknown as StackOutputs;
}

/**
 * Condenses Terraform's output to progress: counts resources as they complete against the plan's
 * total and keeps errors. Returns the text to show for a line, or null to stay quiet.
 */
export class TerraformProgress {
  total = 0;
  created = 0;
  errors: string[] = [];
  private inError = false;

  line(raw: string): string | null {
    // eslint-disable-next-line no-control-regex
    const line = raw.replace(/\u001b\[[0-9;]*m/g, '').trimEnd();
    const plan = /Plan: (\d+) to add/.exec(line);
    if (plan) {
      this.total = Number(plan[1]);
      return `terraform: plan has ${this.total} resources to create`;
    }
    if (/: Creation complete after/.test(line) || /: Modifications complete after/.test(line)) {
      this.created += 1;
      // aws_sqs_queue.ingestion_queue_7EB6B0B4 → aws_sqs_queue.ingestion_queue
      const name = (line.split(':')[0]?.trim() ?? '').replace(/_[0-9A-F]{8}$/, '');
      return `terraform: ${this.created}/${this.total || '?'} ${name}`;
    }
    if (/^Apply complete!/.test(line)) return `terraform: ${line}`;
    if (/Error:/.test(line) || this.inError) {
      this.inError = line.trim() !== '' || this.inError;
      if (line.trim()) this.errors.push(line.replace(/^[│╷╵\s]+/, ''));
      return null;
    }
    return null;
  }
}
