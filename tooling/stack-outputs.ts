/**
 * The stack's Terraform outputs as JSON: `terraform output -json` ({name: {value}}) or a flat file
 * ({name: value}), checked to hold every output the tooling relies on (modules/outputs.ts). Pure.
 */
import { OUTPUT_NAMES, type OutputName, type StackOutputs } from '../modules/outputs.ts';

export type { StackOutputs } from '../modules/outputs.ts';

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

const isPresent = (value: unknown): value is string => typeof value === 'string' && value !== '';

/** The outputs the stack declares that are absent (or not a non-empty string) in `flat`. */
export function missingOutputs(flat: Record<string, unknown>): OutputName[] {
  return OUTPUT_NAMES.filter((name) => !isPresent(flat[name]));
}

/** `flat` as the stack's outputs (extra names kept), or an error naming the missing ones. */
export function checkOutputs(flat: Record<string, unknown>, source: string): StackOutputs {
  const missing = missingOutputs(flat);
  if (missing.length > 0) {
    throw new Error(`${source} lacks the stack output(s) ${missing.join(', ')} — is it the output of this stack?`);
  }
  return flat as unknown as StackOutputs;
}
