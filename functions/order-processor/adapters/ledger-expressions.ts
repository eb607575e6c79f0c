/** What the ledger's conditional writes share: telling a failed condition, and building SET expressions. */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

export const isConditionFailure = (error: unknown): boolean =>
  error instanceof ConditionalCheckFailedException ||
  (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException';

/** Builds `SET a = :a, …` with every attribute name aliased (status, key, size are reserved words). */
export function setExpression(values: Record<string, unknown>, ifNotExists: ReadonlySet<string> = new Set()) {
  const names: Record<string, string> = {};
  const vals: Record<string, unknown> = {};
  const parts: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) continue;
    names[`#${name}`] = name;
    vals[`:${name}`] = value;
    parts.push(ifNotExists.has(name) ? `#${name} = if_not_exists(#${name}, :${name})` : `#${name} = :${name}`);
  }
  return { expression: `SET ${parts.join(', ')}`, names, values: vals };
}
