/**
 * The hostile corpus (test/fixtures/hostile/README.md) under `validateFile`, the code `validate`
 * runs: each file's outcome is exactly the reviewed one in expected.json.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_SCHEMA } from '../../../../functions/order-processor/contract/schema/built-in.ts';
import { validateFile } from '../../../../functions/order-processor/contract/summary.ts';
import { CORPUS_FILES as FILES, corpusPath, EXPECTED_OUTCOMES as EXPECTED } from '../../../fixtures/hostile/corpus.ts';
import { FIXTURES } from '../../../fixtures/hostile/make-fixtures.ts';

const NOW = new Date('2026-01-15T12:00:00.000Z');
const CLI = fileURLToPath(new URL('../../../../bin/order-pipeline.js', import.meta.url));

/** `order-pipeline validate --json` over the whole corpus, in one process, with no caps set. */
function validateJson(): Promise<Record<string, unknown>[]> {
  const env = { ...process.env };
  delete env.MAX_FILE_MB;
  delete env.MAX_FILE_LINES;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLI, 'validate', ...FILES.map(corpusPath), '--json'], { env, maxBuffer: 256 << 20 }, (error, stdout) => {
      if (error && typeof error.code !== 'number') return reject(error);
      resolve(JSON.parse(stdout) as Record<string, unknown>[]);
    });
  });
}

describe('the hostile corpus', () => {
  it('has at least 60 files, each with its expected outcome and its description', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(60);
    expect(Object.keys(EXPECTED).sort()).toEqual(FILES);
    expect(Object.keys(FIXTURES).sort()).toEqual(FILES);
  });

  it('holds no two files with the same bytes (the pipeline would call one a DUPLICATE)', () => {
    const digests = FILES.map((name) => createHash('sha256').update(readFileSync(corpusPath(name))).digest('hex'));
    expect(new Set(digests).size).toBe(FILES.length);
  });

  it.each(FILES)('validates %s as expected', async (name) => {
    // Act
    const report = await validateFile(corpusPath(name), { now: NOW, file: name, maxErrors: 10 });

    // Assess
    const { status, rows, valid, rejected, blank, reason, errors } = report;
    expect({ status, rows, valid, rejected, blank, reason, errors }).toEqual(EXPECTED[name]);
    expect(rows).toBe(valid + rejected);
  });

  it('prints the same outcomes through `validate --json`, the command users run', async () => {
    // Act
    const reports = await validateJson();

    // Assess
    expect(reports).toHaveLength(FILES.length);
    reports.forEach((report, i) => {
      const name = FILES[i] as string;
      const { errors, file, schema, errors_omitted, ...counts } = report as { errors: unknown[]; file: string; schema: unknown; errors_omitted: number; rejected: number };
      const { errors: expectedErrors, ...expectedCounts } = EXPECTED[name] ?? { errors: [] };
      expect(file).toBe(corpusPath(name));
      expect(schema, name).toEqual({ name: 'orders', version: 1, fingerprint: BUILT_IN_SCHEMA.identity.fingerprint });
      expect(counts, name).toEqual(expectedCounts);
      expect(errors_omitted, name).toBe(counts.rejected - errors.length);
      expect(errors.slice(0, 10), name).toEqual(expectedErrors);
    });
  });
});
