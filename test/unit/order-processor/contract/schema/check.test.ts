import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSchema, type SchemaProblem } from '../../../../../functions/order-processor/contract/schema/check.ts';
import { COLUMN_TYPES } from '../../../../../functions/order-processor/contract/schema/format.ts';
import { compileSchemaText, loadSchemaFile, SchemaFileError } from '../../../../../functions/order-processor/contract/schema/load.ts';

const ROOT = new URL('../../../../../', import.meta.url);
const BUILT_IN = JSON.parse(readFileSync(new URL('order-schema.json', ROOT), 'utf8')) as Record<string, unknown> & { columns: Record<string, unknown>[] };

/** The built-in schema (a fresh copy) changed by `change`. */
function builtInWith(change: (schema: Record<string, unknown> & { columns: Record<string, unknown>[] }) => void): unknown {
  const schema = structuredClone(BUILT_IN);
  change(schema);
  return schema;
}

function problemsOf(raw: unknown): SchemaProblem[] {
  const checked = checkSchema(raw);
  return 'problems' in checked ? checked.problems : [];
}

const column = (name: string, type: string, options: Record<string, unknown> = {}) => ({ name, type, ...options });

describe('checkSchema', () => {
  it('accepts the built-in schema and fills in defaults', () => {
    // Act
    const checked = checkSchema(BUILT_IN);
    // Assess
    expect('spec' in checked).toBe(true);
    if (!('spec' in checked)) return;
    expect(checked.spec).toMatchObject({ name: 'orders', version: 1, key: 'order_id', unknownColumns: 'ignore' });
    expect(checked.spec.columns.map((c) => c.name)).toEqual([
      'order_id', 'customer_id', 'customer_name', 'customer_email', 'product_sku', 'product_name', 'quantity', 'unit_price', 'currency', 'order_date',
    ]);
  });

  it.each<[string, (s: Record<string, unknown> & { columns: Record<string, unknown>[] }) => void, SchemaProblem]>([
    ['a bad name', (s) => (s.name = 'my orders'), { place: 'name', message: 'is "my orders"; expected a name of 1 to 64 letters, digits, ".", "_" or "-"' }],
    ['no version', (s) => delete s.version, { place: 'version', message: 'is missing; expected a whole number from 1 up (raise it when the rules change)' }],
    ['a fractional version', (s) => (s.version = 1.5), { place: 'version', message: 'is 1.5; expected a whole number from 1 up (raise it when the rules change)' }],
    ['another key', (s) => (s.key = 'sku'), { place: 'key', message: 'is "sku"; expected "order_id" (the orders table\'s key), or ["order_id", "<line column>"] for a file of order lines' }],
    ['a line column not declared', (s) => (s.key = ['order_id', 'line_no']), { place: 'key[1]', message: 'is "line_no"; expected the name of a column of this schema other than "order_id" (the line column)' }],
    ['the key as the line column', (s) => (s.key = ['order_id', 'order_id']), { place: 'key[1]', message: 'is "order_id"; expected the name of a column of this schema other than "order_id" (the line column)' }],
    [
      'a line column that is not a required integer from 1',
      (s) => {
        s.key = ['order_id', 'line_number'];
        s.columns.push(column('line_number', 'integer', { min: 0, max: 100_000, required: true }));
      },
      { place: 'columns[10]', message: 'is the line column (key[1]); expected a required integer column with min 1 or more and max 100,000 or less, e.g. { "name": "line_number", "type": "integer", "required": true, "min": 1, "max": 100000 }, or a required id column' },
    ],
    ['an unknown lines value', (s) => (s.lines = 'adjacent'), { place: 'lines', message: 'is "adjacent"; expected "by-position" (adjacent rows of one order are its lines 1, 2, 3 …)' }],
    [
      'lines by position with a line column',
      (s) => {
        s.key = ['order_id', 'line_number'];
        s.lines = 'by-position';
        s.columns.push(column('line_number', 'integer', { min: 1, max: 9, required: true }));
      },
      { place: 'lines', message: 'is "by-position"; expected no "lines" with a line column (key[1] "line_number" numbers the lines)' },
    ],
    ['an unknown level', (s) => (s.lines = 'by-position', s.columns[2] = { ...s.columns[2], level: 'line' }), { place: 'columns[2].level', message: 'is "line"; expected "order" (the same value on every line of an order)' }],
    ['a level without lines by position', (s) => (s.columns[2] = { ...s.columns[2], level: 'order' }), { place: 'columns[2].level', message: 'is "order"; expected no level unless "lines" is "by-position" (order-level values are taken from an order\'s first row)' }],
    ['a level on the key', (s) => (s.lines = 'by-position', s.columns[0] = { ...s.columns[0], level: 'order' }), { place: 'columns[0].level', message: 'is "order"; expected no level on the key column (every row names its order)' }],
    [
      'an optional line column',
      (s) => {
        s.key = ['order_id', 'line_number'];
        s.columns.push(column('line_number', 'integer', { min: 1, max: 500 }));
      },
      { place: 'columns[10]', message: 'is the line column (key[1]); expected a required integer column with min 1 or more and max 100,000 or less, e.g. { "name": "line_number", "type": "integer", "required": true, "min": 1, "max": 100000 }, or a required id column' },
    ],
    ['an unknown policy', (s) => (s.unknownColumns = 'drop'), { place: 'unknownColumns', message: 'is "drop"; expected one of "ignore", "keep", "reject"' }],
    ['an unknown top-level property', (s) => (s.colums = []), { place: 'colums', message: 'is not a known property; expected one of $schema, name, version, description, key, lines, unknownColumns, columns, atLeastOne, derived' }],
    ['an unknown type', (s) => (s.columns[3] = { ...s.columns[3], type: 'mail' }), { place: 'columns[3].type', message: `is "mail"; expected one of ${COLUMN_TYPES.join(', ')}` }],
    ['a column that is not an object', (s) => (s.columns[2] = 'customer_name' as never), { place: 'columns[2]', message: 'is "customer_name"; expected a column object with "name" and "type"' }],
    ['a name not in snake_case', (s) => s.columns.push(column('Shipping Country', 'country')), { place: 'columns[10].name', message: 'is "Shipping Country"; expected a snake_case name: a lower-case letter, then up to 63 lower-case letters, digits or "_"' }],
    ['a reserved name', (s) => s.columns.push(column('source_line', 'integer')), { place: 'columns[10].name', message: 'is "source_line"; expected a name other than source_key, source_line, ingestion_id, processed_at, schema_version, line (set by the pipeline)' }],
    ['an option of another type', (s) => s.columns.push(column('gift', 'boolean', { maxLength: 3 })), { place: 'columns[10].maxLength', message: 'is not a known property; expected one of name, type, required, aliases, description, level' }],
    ['required that is not a boolean', (s) => s.columns.push(column('gift', 'boolean', { required: 'yes' })), { place: 'columns[10].required', message: 'is "yes"; expected true or false' }],
    ['aliases that are not a list', (s) => s.columns.push(column('gift', 'boolean', { aliases: 'is_gift' })), { place: 'columns[10].aliases', message: 'is "is_gift"; expected an array of header names' }],
    ['an empty alias', (s) => s.columns.push(column('gift', 'boolean', { aliases: ['--'] })), { place: 'columns[10].aliases[0]', message: 'is "--"; expected a header name with at least one letter or digit' }],
    ['a maxLength out of range', (s) => s.columns.push(column('note', 'text', { maxLength: 0 })), { place: 'columns[10].maxLength', message: 'is 0; expected a whole number from 1 to 100,000' }],
    ['min > max', (s) => s.columns.push(column('boxes', 'integer', { min: 5, max: 2 })), { place: 'columns[10].min', message: 'is 5; expected a number no greater than max (2)' }],
    ['a decimal without max', (s) => s.columns.push(column('discount', 'decimal')), { place: 'columns[10].max', message: 'is missing; expected a whole number (exact in minor units at scale 2) from -90,071,992,547,409 to 90,071,992,547,409' }],
    ['a scale out of range', (s) => s.columns.push(column('rate', 'decimal', { max: 1, scale: 9 })), { place: 'columns[10].scale', message: 'is 9; expected a whole number from 0 to 8' }],
    ['a bad notBefore', (s) => s.columns.push(column('shipped', 'date', { notBefore: '2024-02-30' })), { place: 'columns[10].notBefore', message: 'is "2024-02-30"; expected an ISO 8601 date like 1970-01-01' }],
    ['a negative maxDaysAhead', (s) => s.columns.push(column('shipped', 'datetime', { maxDaysAhead: -1 })), { place: 'columns[10].maxDaysAhead', message: 'is -1; expected a whole number from 0 to 36,500' }],
    ['a default that is no code', (s) => s.columns.push(column('ship_to', 'country', { default: 'UK' })), { place: 'columns[10].default', message: 'is "UK"; expected an upper-case ISO 3166-1 alpha-2 code such as "US"' }],
    ['an empty enum', (s) => s.columns.push(column('channel', 'enum', { values: [] })), { place: 'columns[10].values', message: 'is []; expected a non-empty array of the allowed values' }],
    ['an enum value twice in any case', (s) => s.columns.push(column('channel', 'enum', { values: ['web', 'Web'] })), { place: 'columns[10].values[1]', message: 'is "Web"; expected a value other than values[0] in any case' }],
    ['an enum look-alike', (s) => s.columns.push(column('channel', 'enum', { values: ['ſhop'] })), { place: 'columns[10].values[0]', message: 'is "ſhop"; expected a non-empty value without surrounding spaces or look-alikes of ASCII letters' }],
    ['an alias two columns claim', (s) => s.columns.push(column('units', 'integer', { aliases: ['Qty'] })), { place: 'columns[10].aliases[0]', message: '"Qty" means the same header as columns[6].aliases[0] ("quantity"); expected each header name to be claimed by one column' }],
    ['a name another column has', (s) => s.columns.push(column('currency', 'text')), { place: 'columns[10].name', message: '"currency" means the same header as columns[8].name ("currency"); expected each header name to be claimed by one column' }],
    ['the same header without underscores', (s) => s.columns.push(column('unitprice_eur', 'decimal', { max: 1, aliases: ['unit_price_'] })), { place: 'columns[10].aliases[0]', message: '"unit_price_" means the same header as columns[7].name ("unit_price"); expected each header name to be claimed by one column' }],
    ['the key column removed', (s) => s.columns.splice(0, 1), { place: 'columns', message: 'has no "order_id" column; expected the key column { "name": "order_id", "type": "id", "required": true }' }],
    ['the key column optional', (s) => (s.columns[0] = { ...s.columns[0], required: false }), { place: 'columns[0]', message: '"order_id" is not a required id column; expected the key column { "name": "order_id", "type": "id", "required": true }' }],
    ['a group of one', (s) => (s.atLeastOne = [['customer_id']]), { place: 'atLeastOne[0]', message: 'is ["customer_id"]; expected a group of at least two column names' }],
    ['a group naming no column', (s) => (s.atLeastOne = [['customer_id', 'client']]), { place: 'atLeastOne[0][1]', message: 'is "client"; expected the name of a column of this schema' }],
    ['a column in two groups', (s) => (s.atLeastOne = [['customer_id', 'customer_name'], ['customer_name', 'product_name']]), { place: 'atLeastOne[1][0]', message: 'is "customer_name"; expected a column in one group only' }],
    ['a group out of order', (s) => (s.atLeastOne = [['customer_name', 'customer_id']]), { place: 'atLeastOne[0]', message: 'is ["customer_name","customer_id"]; expected the columns in the order the schema declares them (["customer_id","customer_name"])' }],
    ['an unknown derived rule', (s) => (s.derived = [{ name: 'total_amount', rule: 'sum', of: ['quantity', 'unit_price'] }]), { place: 'derived[0].rule', message: 'is "sum"; expected "line-total" (an integer column × a decimal column, exact)' }],
    ['a derived value over two texts', (s) => (s.derived = [{ name: 'total_amount', rule: 'line-total', of: ['customer_id', 'product_sku'] }]), { place: 'derived[0].of', message: 'is ["customer_id","product_sku"]; expected the names of an integer column and a decimal column, e.g. ["quantity", "unit_price"]' }],
    ['a derived name a column has', (s) => (s.derived = [{ name: 'quantity', rule: 'line-total', of: ['quantity', 'unit_price'] }]), { place: 'derived[0].name', message: 'is "quantity"; expected a snake_case name that no column or pipeline attribute has' }],
    [
      'a total that would not stay exact',
      (s) => (s.columns[6] = { ...s.columns[6], max: 9_000_000_000 }),
      { place: 'derived[0].of', message: 'the largest total (9.00e+17 minor units) exceeds 2^53; expected smaller max values on quantity or unit_price so totals stay exact' },
    ],
  ])('names the place of %s and what is expected', (_what, change, problem) => {
    // Act
    const problems = problemsOf(builtInWith(change));
    // Assess
    expect(problems).toContainEqual(problem);
  });

  it('accepts a line column as the second key column and records it', () => {
    // Act
    const checked = checkSchema(JSON.parse(readFileSync(new URL('sample-data/order-lines/order-schema.json', ROOT), 'utf8')));
    // Assess
    expect('spec' in checked && checked.spec.key).toBe('order_id');
    expect('spec' in checked && checked.spec.lineColumn).toBe('line_number');
  });

  it('accepts a required id column as the line column', () => {
    // Act
    const problems = problemsOf(builtInWith((s) => {
      s.key = ['order_id', 'line_ref'];
      s.columns.push(column('line_ref', 'id', { required: true }));
    }));
    // Assess
    expect(problems).toEqual([]);
  });

  it('refuses what is not an object, and columns that are not a list', () => {
    expect(problemsOf([])).toEqual([{ place: '(top level)', message: 'is []; expected an object with "name", "version" and "columns"' }]);
    expect(problemsOf({ name: 'x', version: 1, columns: {} })).toContainEqual({ place: 'columns', message: 'is {}; expected an array of at least one column' });
  });

  it('does not report a problem again where a broken column is named', () => {
    // Act
    const problems = problemsOf(builtInWith((s) => (s.columns[6] = { ...s.columns[6], type: 'count' })));
    // Assess: quantity's type only, not derived[0].of, which names it
    expect(problems.map((p) => p.place)).toEqual(['columns[6].type']);
  });
});

describe('loadSchemaFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'schema-load-'));

  it('throws a SchemaFileError naming the file, the place and what is expected', () => {
    // Prepare
    const path = join(dir, 'broken.json');
    writeFileSync(path, JSON.stringify(builtInWith((s) => (s.columns[3] = { ...s.columns[3], type: 'mail' }))));
    // Act
    const act = () => loadSchemaFile(path);
    // Assess
    expect(act).toThrow(SchemaFileError);
    expect(act).toThrow(`the order schema ${path} is not valid (1 problem):\n  ${path}: columns[3].type: is "mail"; expected one of`);
  });

  it('says when the file is not JSON or cannot be read', () => {
    expect(() => compileSchemaText('{ "name": ', 'x.json')).toThrow(/x\.json: \(file\): is not JSON \(.*\); expected a JSON object/);
    expect(() => loadSchemaFile(join(dir, 'nope.json'))).toThrow(`${join(dir, 'nope.json')}: (file): cannot be read (no such file); expected a readable JSON file`);
  });

  it('lists at most 10 problems and counts the rest', () => {
    // Prepare: 11 problems (every column's type, and the version)
    const many = builtInWith((s) => {
      s.columns.forEach((c) => (c.type = 'x'));
      s.version = 0;
    });
    // Act
    const act = () => compileSchemaText(JSON.stringify(many), 'many.json');
    // Assess
    expect(act).toThrow(/^the order schema many\.json is not valid \(11 problems\):\n {2}many\.json: version: [\s\S]*columns\[8\]\.type[^\n]*\n {2}… and 1 more$/);
  });
});

describe('order-schema.schema.json, the file editors check with', () => {
  const jsonSchema = JSON.parse(readFileSync(new URL('order-schema.schema.json', ROOT), 'utf8')) as {
    $defs: { common: { properties: { type: { enum: string[] } } }; column: { oneOf: { properties: Record<string, unknown> }[] } };
  };

  it('lists the same column types as the loader', () => {
    expect(jsonSchema.$defs.common.properties.type.enum).toEqual([...COLUMN_TYPES]);
  });

  it('describes each type with the options the loader accepts for it', () => {
    for (const type of COLUMN_TYPES) {
      // Prepare: a column of that type with every option the JSON Schema lists for it
      const branch = jsonSchema.$defs.column.oneOf.find((b) => {
        const t = b.properties.type as { const?: string; enum?: string[] };
        return t.const === type || t.enum?.includes(type);
      });
      const options = Object.keys(branch?.properties ?? {}).filter((k) => k !== 'type');
      const values: Record<string, unknown> = { maxLength: 10, min: 0, max: 10, scale: 2, notBefore: '2020-01-01', maxDaysAhead: 1, values: ['a'], default: type === 'currency' ? 'USD' : 'US' };
      const entry = { name: 'extra', type, ...Object.fromEntries(options.map((o) => [o, values[o]])) };
      // Act
      const problems = problemsOf(builtInWith((s) => s.columns.push(entry)));
      // Assess
      expect(problems, type).toEqual([]);
    }
  });
});
