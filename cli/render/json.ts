/** JSON output of the CLI. Pure. */

/**
 * Indented JSON in which sets (DynamoDB number sets, e.g. a ledger item's `parts_scanned`) are
 * sorted arrays: JSON.stringify would print a Set as `{}`.
 */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v instanceof Set ? [...(v as Set<unknown>)].sort(compare) : v), 2);
}

const compare = (a: unknown, b: unknown): number =>
  typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b));
