/**
 * The stack's Terraform outputs as JSON: `terraform output -json` ({name: {value}}) or a flat file
 * ({name: value}), checked to hold every output the tooling relies on (modules/outputs.ts). Pure.
 */
import { OUTPUT_NAMES, type OutputName, type StackOutputs } from '../modules/outputs.ts';

export type { StackOutputs } from '../modules/outputs.ts';

/**
 * Outputs a deployment made before large files were split into parts does not have: the tooling
 * works without them (no parts queue to poll, show or redrive) and says what is missing.
 */
export const PARTS_OUTPUTS = ['parts_queue_url', 'parts_dead_letter_queue_url'] as const;

const OPTIONAL_OUTPUTS: readonly string[] = PARTS_OUTPUTS;

/** What to tell an operator whose deployment has no parts queue. */
export const NO_PARTS_QUEUE_HINT =
  'this deployment has no parts queue (outputs parts_queue_url, parts_dead_letter_queue_url): it predates large files in parts; `npm run deploy` (or `order-pipeline local up`) again to add it';

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

/** The required outputs the stack declares that are absent (or not a non-empty string) in `flat`; the parts outputs are optional. */
export function missingOutputs(flat: Record<string, unknown>): OutputName[] {
  return OUTPUT_NAMES.filter((name) => !OPTIONAL_OUTPUTS.includes(name) && !isPresent(flat[name]));
}

/** `flat` as the stack's outputs (extra names kept), or an error naming the missing ones. */
export function checkOutputs(flat: Record<string, unknown>, source: string): StackOutputs {
  const missing = missingOutputs(flat);
  if (missing.length > 0) {
    throw new Error(`${source} lacks the stack output(s) ${missing.join(', ')} — is it the output of this stack?`);
  }
  return flat as unknown as StackOutputs;
}

/** The parts queue and its DLQ, or null for a deployment without them (both are needed). */
export function partsQueueUrls(outputs: object): { queue: string; deadLetter: string } | null {
  const flat = outputs as Record<string, unknown>;
  const queue = flat.parts_queue_url;
  const deadLetter = flat.parts_dead_letter_queue_url;
  return isPresent(queue) && isPresent(deadLetter) ? { queue, deadLetter } : null;
}
