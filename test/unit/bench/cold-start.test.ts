import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { median, zipSize } from '../../../bench/cold-start.ts';

describe('zipSize', () => {
  it('equals the size of the zip Python writes for the same files at deflate level 9', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'zip-size-'));
    try {
      const files = { 'index.js': 'console.log(1);\n'.repeat(2000), 'package.json': '{ "type": "commonjs" }\n' };
      for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
      const entries = Object.entries(files).map(([name, text]) => ({ name, bytes: text.length, deflatedBytes: deflateRawSync(text, { level: 9 }).length }));
      // python3 is required anyway (moto); its zipfile stores no extra fields. Level 9 is TerraformAsset's archiver's.
      const script = `import zipfile\nwith zipfile.ZipFile('out.zip', 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as z:\n  z.write('index.js')\n  z.write('package.json')\n`;
      execFileSync(process.env.PYTHON ?? 'python3', ['-c', script], { cwd: dir });

      // Act
      const computed = zipSize(entries);

      // Assess: deflate implementations differ by a few bytes at most.
      expect(Math.abs(computed - statSync(join(dir, 'out.zip')).size)).toBeLessThan(16);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('median', () => {
  it.each([
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
    [[], NaN],
  ])('of %j is %d', (values, expected) => {
    // Act
    const m = median(values);

    // Assess
    expect(m).toBe(expected);
  });
});
