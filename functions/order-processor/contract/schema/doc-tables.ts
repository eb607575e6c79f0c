/**
 * The column and alias tables of docs/csv-format.md, written from a schema: a test checks that the
 * doc holds exactly those of the built-in schema, and `npm run schema:tables -- FILE` prints them
 * for any schema (to document your own). Pure.
 */
import type { ColumnSpec, SchemaSpec } from './format.ts';
import { countText } from '../headers.ts';

const code = (text: string): string => `\`${text}\``;

/** What a column's rule accepts, from its type and options. */
export function ruleText(column: ColumnSpec, key: string): string {
  switch (column.type) {
    case 'id':
      return `1–${column.maxLength} characters of \`A-Z a-z 0-9 . _ : -\`${column.name === key ? '; unique within the file (case-sensitive)' : ''}`;
    case 'text':
      return `≤ ${countText(column.maxLength)} characters, no control characters but tab and line breaks`;
    case 'email':
      return `a plausible address, ≤ ${column.maxLength} characters; no look-alikes of ASCII letters`;
    case 'integer':
      return `whole number ${countText(column.min)} … ${countText(column.max)}, ASCII digits`;
    case 'decimal':
      return `decimal ${countText(column.min)} … ${countText(column.max)}, at most ${column.scale} decimal${column.scale === 1 ? '' : 's'}, ASCII digits`;
    case 'boolean':
      return '`true`/`false`, `yes`/`no`, `1`/`0`, any case';
    case 'date':
    case 'datetime': {
      const what = column.type === 'date' ? 'ISO 8601 date' : 'ISO 8601 date or date-time';
      const after = column.notBefore === undefined ? '' : `; no earlier than ${column.notBefore}`;
      const ahead = column.maxDaysAhead === undefined ? '' : `; at most ${column.maxDaysAhead} day${column.maxDaysAhead === 1 ? '' : 's'} after processing`;
      return `${what}${after}${ahead}`;
    }
    case 'currency':
      return `ISO 4217 code in current use, any case${column.default ? `; default ${code(column.default)}` : ''}`;
    case 'country':
      return `ISO 3166-1 alpha-2 code, any case${column.default ? `; default ${code(column.default)}` : ''}`;
    case 'enum':
      return `one of ${column.values.map(code).join(', ')}, any case`;
  }
}

const STORED: Record<ColumnSpec['type'], string> = {
  id: 'string',
  text: 'string',
  email: 'string, ASCII letters lower-cased',
  integer: 'number',
  decimal: 'number (exact)',
  boolean: 'boolean',
  date: 'string, as written',
  datetime: 'string, ISO 8601 UTC `YYYY-MM-DDTHH:mm:ss.sssZ`',
  currency: 'string, upper-cased',
  country: 'string, upper-cased',
  enum: 'string, as declared',
};

/** The "required" cell: yes, no, or the group it is in. */
function requiredText(column: ColumnSpec, spec: SchemaSpec): string {
  const group = spec.atLeastOne.find((g) => g.includes(column.name));
  if (group) return `at least one of ${group.map(code).join(', ')}`;
  return column.required ? 'yes' : 'no';
}

/** The columns table (docs/csv-format.md "Columns"). */
export function columnsTable(spec: SchemaSpec): string {
  const rows = spec.columns.map(
    (c) => `| ${code(c.name)} | ${c.type} | ${requiredText(c, spec)} | ${ruleText(c, spec.key)} | ${STORED[c.type]}${c.name === spec.key ? ' (table key)' : ''} |`,
  );
  return ['| column | type | required | rule | stored as |', '|---|---|---|---|---|', ...rows].join('\n');
}

/** The alias table (docs/csv-format.md "Header names and aliases"). */
export function aliasTable(spec: SchemaSpec): string {
  const rows = spec.columns.map((c) => `| ${code(c.name)} | ${c.aliases.length > 0 ? c.aliases.map(code).join(', ') : '—'} |`);
  return ['| column | also accepted as |', '|---|---|', ...rows].join('\n');
}
