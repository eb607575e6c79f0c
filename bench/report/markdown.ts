/** Markdown rendering of the result tables (tables.ts) for docs/performance.md. Pure. */
import type { Table } from './tables.ts';

const NUMERIC = /^[-+]?[\d.,]+( ?(%|×|µs|ms|s|KiB|MiB|GiB|B))?( [✓✗])?$|^-$/;
const escape = (cell: string) => cell.replace(/\|/g, '\\|');

/** A GitHub-flavoured Markdown table; numeric-looking columns are right-aligned. */
export function markdownTable(t: Table): string {
  const right = t.headers.map((_, i) => t.rows.length > 0 && t.rows.every((r) => NUMERIC.test(r[i] ?? '')));
  const line = (cells: string[]) => `| ${cells.map(escape).join(' | ')} |`;
  return [line(t.headers), `|${right.map((r) => (r ? '---:' : '---')).join('|')}|`, ...t.rows.map(line)].join('\n');
}

/** A Markdown table of label → value lines, for the arithmetic. */
export function keyValueTable(headers: [string, string], rows: [string, string][]): string {
  return markdownTable({ headers, rows });
}
