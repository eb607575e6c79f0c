/** The target options every operating command accepts, and connecting to the chosen target. */
import { connect, type Connection } from '../deployment/connect.ts';
import { NoTargetError, resolveTarget, type TargetKind } from '../deployment/target.ts';
import { UsageError } from './exit.ts';
import { err } from './render/terminal.ts';

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

function targetKind(value: string | undefined): TargetKind | undefined {
  if (value === undefined || value === 'local' || value === 'aws') return value;
  throw new UsageError(`--target must be "local" or "aws", not "${value}"`);
}

/**
 * Resolves the target named by the options, says on stderr which one is used (unless quiet),
 * checks that it answers, and returns clients for it.
 */
export async function connectTarget(values: { target?: string; outputs?: string }, options: { quiet?: boolean } = {}): Promise<Connection> {
  const kind = targetKind(values.target);
  let target;
  try {
    target = await resolveTarget({ ...(kind ? { kind } : {}), ...(values.outputs ? { outputsFile: values.outputs } : {}) });
  } catch (e) {
    if (e instanceof NoTargetError) throw new UsageError(e.message);
    throw e;
  }
  if (!options.quiet) err(`target: ${target.description}`);
  return connect(target);
}
