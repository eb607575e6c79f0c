/**
 * `npm run deploy [-- -auto-approve]` and `npm run destroy [-- -auto-approve]`: synthesize the
 * stack (configuration from the environment, docs/deploy.md), `terraform init` it — from the provider
 * mirror in TF_PLUGIN_DIR (or one found on the machine) when there is one, else from the registry —
 * then `terraform apply` / `terraform destroy`. Without -auto-approve Terraform shows the plan and
 * asks for confirmation. Extra arguments are passed through to Terraform.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { assertTerraformInstalled, initStack, readOutputs, synthStack } from '../tooling/terraform.ts';

const USAGE = 'usage: node --import tsx scripts/terraform.ts <apply|destroy> [-auto-approve] [other terraform arguments]';

function step(n: number, text: string): void {
  process.stdout.write(`\n[${n}/3] ${text}\n`);
}

/** Terraform in the foreground: its plan and its confirmation prompt go straight to the terminal. */
function interactive(args: string[], cwd: string): Promise<number> {
  return new Promise((done, fail) => {
    const child = spawn('terraform', args, { cwd, stdio: 'inherit' });
    child.on('error', fail);
    child.on('close', (code) => done(code ?? 1));
  });
}

async function main(argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  if (action !== 'apply' && action !== 'destroy') {
    process.stderr.write(`${USAGE}\n`);
    return 64;
  }
  assertTerraformInstalled();
  const outDir = resolve(process.env.CDKTF_OUTDIR ?? 'cdktf.out');
  const print = (line: string) => process.stdout.write(`  ${line}\n`);

  step(1, 'Synthesizing the stack (validating configuration, bundling the processor)…');
  const stackDir = await synthStack({ env: {}, outDir, onLine: print });

  step(2, `Initialising Terraform in ${stackDir}…`);
  await initStack(stackDir, { env: {}, onLine: print });

  step(3, `terraform ${action} ${rest.join(' ')}`.trim() + (action === 'apply' ? ' (SQS queues and lifecycle rules take about a minute)…' : '…'));
  const code = await interactive([action, '-input=true', ...rest], stackDir);
  if (code !== 0) return code;

  if (action === 'apply') {
    const outputs = await readOutputs(stackDir);
    process.stdout.write('\nDeployed. Outputs:\n');
    for (const [name, value] of Object.entries(outputs)) process.stdout.write(`  ${name.padEnd(24)} ${value}\n`);
    process.stdout.write('\nAlert recipients must confirm the "AWS Notification - Subscription Confirmation" e-mail.\n');
  } else {
    process.stdout.write('\nDestroyed.\n');
  }
  return 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`\n${(err as Error).message}\n`);
  process.exitCode = 1;
}
