import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_SCHEMA } from '../../../../functions/order-processor/contract/schema/built-in.ts';
import { SAMPLE_OUTCOMES } from '../../../support/sample-data.ts';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const BIN = join(ROOT, 'bin/order-pipeline.js');

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI entry point, as a user would. */
function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const options = { cwd: ROOT, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 };
    execFile(process.execPath, [BIN, 'validate', ...args], options, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const sample = (name: string) => join('sample-data', name);

describe('order-pipeline validate', () => {
  it('gives the documented outcome for every sample file with --json, and exits 2', async () => {
    // Act
    const names = Object.keys(SAMPLE_OUTCOMES);
    const result = await runCli([...names.map(sample), '--json']);

    // Assess
    expect(result.code).toBe(2);
    const reports = JSON.parse(result.stdout) as Record<string, unknown>[];
    expect(reports).toHaveLength(names.length);
    reports.forEach((report, i) => {
      const name = names[i] as string;
      const expected = SAMPLE_OUTCOMES[name];
      expect(Object.keys(report)).toEqual(['file', 'status', 'rows', 'valid', 'rejected', 'blank', 'reason', 'schema', 'errors', 'errors_omitted']);
      expect(report).toMatchObject({
        file: sample(name),
        status: expected?.status,
        rows: expected?.rows,
        valid: expected?.valid,
        rejected: expected?.rejected,
        blank: expected?.blank,
        reason: expected?.reason,
      });
      const errors = report['errors'] as Record<string, unknown>[];
      expect(errors.map((e) => e['line'])).toEqual(expected?.errorLines);
      for (const error of errors) expect(Object.keys(error)).toEqual(['line', 'order_id', 'column', 'reason']);
    });
  });

  it('gives the documented outcomes of sample-data/extra-columns under its schema and under the built-in one', async () => {
    // Prepare
    const file = sample('extra-columns/orders.csv');
    // Act
    const extended = await runCli([file, '--schema', sample('extra-columns/order-schema.json'), '--json']);
    const builtIn = await runCli([file]);
    // Assess
    expect(extended.code).toBe(1);
    const [report] = JSON.parse(extended.stdout) as { status: string; rows: number; valid: number; rejected: number; schema: { name: string }; errors: { line: number; column: string }[] }[];
    expect(report).toMatchObject({ status: 'PARTIAL', rows: 6, valid: 4, rejected: 2, blank: 0, schema: { name: 'orders-extended', version: 1 } });
    expect(report?.errors.map((e) => [e.line, e.column])).toEqual([[5, 'shipping_country'], [6, 'sales_channel']]);
    expect(builtIn.code).toBe(0);
    expect(builtIn.stdout).toContain(`schema "orders" version 1 (fingerprint ${BUILT_IN_SCHEMA.identity.fingerprint}) from order-schema.json\nVALID    ${file}: rows 6, valid 6, rejected 0, blank 0`);
  });

  it('stops on a broken schema, naming the file, the place and what is expected (exit 64)', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'validate-schema-'));
    const schema = join(dir, 'broken.json');
    writeFileSync(schema, JSON.stringify({ name: 'x', version: 1, columns: [{ name: 'order_id', type: 'id', required: true }, { name: 'n', type: 'number' }] }));
    // Act
    const result = await runCli([sample('orders-valid.csv')], { ORDER_SCHEMA: schema });
    // Assess
    expect(result.code).toBe(64);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`${schema}: columns[1].type: is "number"; expected one of id, text, integer, decimal, boolean, date, datetime, email, currency, country, enum`);
  });

  it('writes --json exactly as JSON.stringify(reports, null, 2) would, errors streamed in file order', async () => {
    // Prepare: 300 rejected rows, then a file rejected as a whole after some rejected rows
    const dir = mkdtempSync(join(tmpdir(), 'validate-json-'));
    const many = join(dir, 'many.csv');
    const broken = join(dir, 'broken.csv');
    const rows = Array.from({ length: 300 }, (_, i) => `B-${i},Ann,Pen,0,1`).join('\n');
    writeFileSync(many, `order_id,customer_name,product_name,quantity,unit_price\nA-1,Ann,Pen,1,1\n${rows}\n`);
    writeFileSync(broken, Buffer.concat([Buffer.from('order_id,customer_name,product_name,quantity,unit_price\nA-1,Ann,Pen,0,1\n'), Buffer.from([0xff])]));

    // Act
    const result = await runCli([sample('orders-valid.csv'), many, broken, sample('orders-mixed.csv'), '--json']);

    // Assess
    const reports = JSON.parse(result.stdout) as { errors: { line: number }[]; rejected: number }[];
    expect(result.stdout).toBe(`${JSON.stringify(reports, null, 2)}\n`);
    expect(reports.map((r) => [r.rejected, r.errors.length])).toEqual([[0, 0], [300, 300], [0, 0], [6, 6]]);
    expect(reports[1]?.errors.map((e) => e.line)).toEqual(Array.from({ length: 300 }, (_, i) => i + 3));
  });

  it('lists the first 10,000 rejected rows of a file in --json and counts the rest, keeping rows = valid + rejected', async () => {
    // Prepare: one valid row, then 10,050 one-character rows (each rejected)
    const dir = mkdtempSync(join(tmpdir(), 'validate-cap-'));
    const path = join(dir, 'tiny-rows.csv');
    writeFileSync(path, `order_id,customer_name,product_name,quantity,unit_price\nA-1,Ann,Pen,1,1\n${'x\n'.repeat(10_050)}`);

    // Act
    const result = await runCli([path, '--json']);

    // Assess
    const [report] = JSON.parse(result.stdout) as { rows: number; valid: number; rejected: number; errors: { line: number }[]; errors_omitted: number }[];
    expect(report).toMatchObject({ rows: 10_051, valid: 1, rejected: 10_050, errors_omitted: 50 });
    expect(report?.errors).toHaveLength(10_000);
    expect(report?.errors.at(-1)?.line).toBe(10_002);
    expect(result.stdout).toBe(`${JSON.stringify([report], null, 2)}\n`);
  });

  it('prints the first 10 errors of a file and counts the rest', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'validate-human-'));
    const path = join(dir, 'many.csv');
    const rows = Array.from({ length: 25 }, (_, i) => `B-${i},Ann,Pen,0,1`).join('\n');
    writeFileSync(path, `order_id,customer_name,product_name,quantity,unit_price\n${rows}\n`);

    // Act
    const result = await runCli([path]);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stdout.split('\n').filter((l) => l.startsWith(`  ${path}:`))).toHaveLength(10);
    expect(result.stdout).toContain('  … and 15 more rejected rows (--json lists up to 10,000 per file)');
  });

  it('applies MAX_FILE_LINES and MAX_FILE_MB from the environment, like the processor', async () => {
    // Act
    const capped = await runCli([sample('orders-valid.csv'), '--json'], { MAX_FILE_LINES: '3' });
    const invalid = await runCli([sample('orders-valid.csv')], { MAX_FILE_MB: 'lots' });

    // Assess
    expect(capped.code).toBe(2);
    expect(JSON.parse(capped.stdout)).toMatchObject([
      { status: 'REJECTED', rows: 0, reason: 'the file has more than 3 lines; expected at most 3 lines (the MAX_FILE_LINES setting)' },
    ]);
    expect(invalid.code).toBe(64);
    expect(invalid.stderr).toContain(
      'MAX_FILE_MB="lots" is not a valid cap; expected a whole number of megabytes (MiB) from 1 to 1,048,576 (unset means 16,384)',
    );
  });

  it('exits 0 when every file is VALID', async () => {
    const result = await runCli([sample('orders-valid.csv'), sample('orders-minimal.csv'), sample('orders-valid.csv.gz')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('VALID    sample-data/orders-valid.csv: rows 10, valid 10, rejected 0, blank 0');
  });

  it('exits 1 when some rows are rejected, printing file:line column: reason', async () => {
    // Act
    const result = await runCli([sample('orders-valid.csv'), sample('orders-duplicate-ids.csv')]);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('PARTIAL  sample-data/orders-duplicate-ids.csv: rows 5, valid 3, rejected 2, blank 0');
    expect(result.stdout).toContain(
      '  sample-data/orders-duplicate-ids.csv:4 order_id: duplicate order_id "ORD-5001": first seen on line 2; expected each order_id once per file',
    );
  });

  it('reports a missing file as REJECTED (exit 2) instead of crashing', async () => {
    const result = await runCli(['sample-data/nope.csv', '--json']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual([
      {
        file: 'sample-data/nope.csv',
        status: 'REJECTED',
        rows: 0,
        valid: 0,
        rejected: 0,
        blank: 0,
        reason: 'cannot read the file: no such file',
        schema: { name: BUILT_IN_SCHEMA.identity.name, version: BUILT_IN_SCHEMA.identity.version, fingerprint: BUILT_IN_SCHEMA.identity.fingerprint },
        errors: [],
        errors_omitted: 0,
      },
    ]);
  });

  it('rejects a file not named .csv or .csv.gz (exit 2), as the processor would', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'validate-cli-'));
    const path = join(dir, 'orders.xlsx');
    copyFileSync(join(ROOT, sample('orders-valid.csv')), path);
    // Act
    const result = await runCli([path, '--json']);
    // Assess
    expect(result.code).toBe(2);
    const [report] = JSON.parse(result.stdout) as Record<string, unknown>[];
    expect(report).toMatchObject({ file: path, status: 'REJECTED', rows: 0, valid: 0, rejected: 0, blank: 0, errors: [] });
    expect(report?.['reason']).toMatch(/^the file name "orders\.xlsx" does not end in \.csv or \.csv\.gz;/);
  });

  it.each([
    [[], 'no files given'],
    [['--bogus', sample('orders-valid.csv')], "Unknown option '--bogus'"],
  ])('exits 64 on a usage error (%j)', async (args, message) => {
    const result = await runCli(args);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('usage: order-pipeline validate <file…> [--schema SCHEMA.json] [--json]');
  });

  it('prints usage and exits 0 with --help', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('exit status: 0 all files VALID, 1 some rows rejected, 2 some file REJECTED, 64 usage error');
  });
});

describe('formatHuman', () => {
  it('shows the first 10 errors and says how many more there are', async () => {
    // Prepare
    const { formatHuman } = await import('../../../../cli/commands/validate.ts');
    const errors = Array.from({ length: 12 }, (_, i) => ({ line: i + 2, order_id: `A-${i}`, column: 'quantity', reason: 'r' }));

    // Act
    const text = formatHuman({
      file: 'f.csv',
      status: 'PARTIAL',
      rows: 20,
      valid: 8,
      rejected: 12,
      blank: 0,
      reason: null,
      errors,
      unknownColumns: ['notes'],
    });

    // Assess
    const lines = text.split('\n');
    expect(lines[0]).toBe('PARTIAL  f.csv: rows 20, valid 8, rejected 12, blank 0');
    expect(lines[1]).toBe('  ignored unknown columns: "notes"');
    expect(lines.filter((l) => l.startsWith('  f.csv:'))).toHaveLength(10);
    expect(lines[2]).toBe('  f.csv:2 quantity: r');
    expect(lines.at(-1)).toBe('  … and 2 more rejected rows (--json lists up to 10,000 per file)');
  });

  it('names the unknown columns a keep schema keeps, with their attribute names, and those it ignores', async () => {
    // Prepare
    const { formatHuman } = await import('../../../../cli/commands/validate.ts');
    const keptColumns = [{ column: 'Sales Channel', attribute: 'sales_channel' }, { column: '备注', attribute: 'column_7' }];
    // Act
    const text = formatHuman({ file: 'f.csv', status: 'VALID', rows: 1, valid: 1, rejected: 0, blank: 0, reason: null, errors: [], unknownColumns: ['Sales Channel', '备注', 'total_amount'], keptColumns });
    // Assess
    expect(text.split('\n').slice(1)).toEqual([
      '  kept unknown columns (stored as strings, in the cleaned CSV): "Sales Channel" as sales_channel, "备注" as column_7',
      '  ignored unknown columns (named like the pipeline\'s own attributes): "total_amount"',
    ]);
  });

  it('counts orders beside rows with order lines: written, and rejected whole when any', async () => {
    // Prepare
    const { formatHuman } = await import('../../../../cli/commands/validate.ts');
    const report = { file: 'f.csv', status: 'PARTIAL' as const, rows: 10, valid: 7, rejected: 3, blank: 0, reason: null, errors: [], unknownColumns: [] };
    // Act
    const partial = formatHuman({ ...report, orders: 3, ordersRejected: 1 });
    const clean = formatHuman({ ...report, rejected: 0, valid: 10, status: 'VALID', orders: 4, ordersRejected: 0 });
    // Assess
    expect(partial.split('\n')[0]).toBe('PARTIAL  f.csv: rows 10, valid 7, rejected 3, blank 0, orders 3, orders rejected 1');
    expect(clean.split('\n')[0]).toBe('VALID    f.csv: rows 10, valid 10, rejected 0, blank 0, orders 4');
  });
});
