import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleProcessor } from '../../scripts/bundle-processor.ts';

const scratch = mkdtempSync(join(tmpdir(), 'order-pipeline-bundle-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('bundleProcessor', () => {
  it('bundles the real handler into one minified CommonJS file with a source map that exports handler', async () => {
    // Act
    const { file, outDir } = await bundleProcessor({ outDir: join(scratch, 'real') });

    // Assess
    expect(existsSync(`${file}.map`)).toBe(true);
    expect(readFileSync(join(outDir, 'package.json'), 'utf8')).toContain('"commonjs"');
    const loaded = createRequire(import.meta.url)(file) as { handler?: unknown };
    expect(typeof loaded.handler).toBe('function');
  }, 60_000);

  it('says which file is missing when there is no handler file', async () => {
    await expect(bundleProcessor({ entry: join(scratch, 'nope', 'handler.ts'), outDir: join(scratch, 'x') })).rejects.toThrow(
      /Cannot bundle the order processor: .*nope\/handler\.ts does not exist/,
    );
  });

  it('says so when the file has no handler export', async () => {
    // Prepare
    const entry = join(scratch, 'other.ts');
    writeFileSync(entry, 'export const notTheHandler = 1;\n');

    // Act
    const attempt = bundleProcessor({ entry, outDir: join(scratch, 'y') });

    // Assess
    await expect(attempt).rejects.toThrow(/does not export `handler` \(it exports: notTheHandler\)/);
  });
});
