/** JSON output of the CLI. Pure. */
import { inertLines } from './inert.ts';

/**
 * Indented JSON in which sets (DynamoDB number sets, e.g. a ledger item's `parts_scanned`) are
 * sorted arrays: JSON.stringify would print a Set as `{}`. What JSON.stringify leaves raw inside
 * strings (DEL, C1 controls, bidi and zero-width characters, line separators) is escaped by the
 * one escaper as `\uXXXX`: the same JSON value, nothing a terminal acts on.
 */
export function toJson(value: unknown): string {
  return inertLines(JSON.stringify(value, (_key, v: unknown) => (v instanceof Set ? [...(v as Set<unknown>)].sort(compare) : v), 2));
}

const compare = (a: unknown, b: unknown): number =>
  typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b));
