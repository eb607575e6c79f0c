import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateFile } from '../../../functions/order-processor/index.ts';
import { PROJECT_ROOT, typescriptArgv } from '../../../tooling/project.ts';

const ROOT = PROJECT_ROOT;
const WORK = mkdtempSync(join(tmpdir(), 'gen-orders-'));

function gen(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, typescriptArgv('scripts/generate-orders.ts', args), { cwd: ROOT }, (error, _stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stderr });
    });
  });
}

afterAll(() => rmSync(WORK, { recursive: true, force: true }));

describe('npm run gen (scripts/generate-orders.ts)', () => {
  it('writes a gzip file of N valid rows that the contract accepts', async () => {
    // Prepare
    const out = join(WORK, 'orders.csv.gz');

    // Act
    const result = await gen(['--rows', '1500', '--out', out, '--gzip', '--seed', '5']);
    const report = await validateFile(out);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('wrote 1,500 rows to');
    expect(report).toMatchObject({ status: 'VALID', rows: 1500, valid: 1500, rejected: 0 });
  });

  it.each([
    [['--out', 'x.csv'], '--rows is required'],
    [['--rows', 'abc', '--out', 'x.csv'], '--rows "abc": expected a whole number ≥ 1'],
    [['--rows', '5', '--out', 'x.csv', '--invalid-ratio', '2'], '--invalid-ratio "2": expected a number from 0 to 1'],
  ])('exits 64 with a clear message for %j', async (args, message) => {
    // Act
    const result = await gen(args);

    // Assess
    expect(result.code).toBe(64);
    expect(result.stderr).toContain(message);
  });
});
