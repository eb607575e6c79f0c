/**
 * `validate` and the Lambda judge every file alike: the same status (validate's names for the
 * ledger's) and the same reason, word for word, for every file of sample-data/ and of the hostile
 * corpus (docs/csv-format.md, "Outcomes").
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readOrders } from '../../../../functions/order-processor/contract/reader.ts';
import { validateFile, VALIDATE_STATUS } from '../../../../functions/order-processor/contract/summary.ts';
import { processFile } from '../../../../functions/order-processor/pipeline/process-file.ts';
import { CORPUS_DIR, CORPUS_FILES } from '../../../fixtures/hostile/corpus.ts';
import { SAMPLE_DIR } from '../../../support/sample-data.ts';
import { memoryPorts, NOW, objectRef } from './ports.ts';

const SAMPLES = readdirSync(SAMPLE_DIR).filter((name) => /\.csv(\.gz)?$/.test(name)).sort();
const FILES = [...SAMPLES.map((name) => [name, join(SAMPLE_DIR, name)]), ...CORPUS_FILES.map((name) => [name, join(CORPUS_DIR, name)])];

/** The Lambda's outcome for the bytes, through the steps the handler runs (in memory). */
async function lambdaOutcome(name: string, path: string) {
  const bytes = readFileSync(path);
  const ref = objectRef({ key: `raw-data/${name}`, size: bytes.length });
  const { ports, objects } = memoryPorts(ref);
  objects.bytes.set(ref.key, bytes);
  const result = await processFile(ref, { ...ports, readOrders });
  if (result.kind !== 'done') throw new Error(`${name}: ${result.kind}`);
  return result.outcome;
}

describe('validate and the Lambda', () => {
  it('cover both folders', () => {
    expect(SAMPLES.length).toBeGreaterThan(5);
    expect(CORPUS_FILES.length).toBeGreaterThan(20);
  });

  it.each(FILES)('give %s the same status, reason and counts', async (name, path) => {
    // Act
    const report = await validateFile(path, { file: name, now: NOW });
    const outcome = await lambdaOutcome(name, path);
    // Assess
    expect(report.status).toBe(VALIDATE_STATUS[outcome.status as keyof typeof VALIDATE_STATUS]);
    expect(outcome.reason).toBe(report.reason);
    expect({ rows: outcome.rows, rejected: outcome.rejected, blank: outcome.blank }).toEqual({ rows: report.rows, rejected: report.rejected, blank: report.blank });
  });
});
