import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EmfDocument } from '../../../local/emf-bridge.ts';
import { captureProcessOutput } from '../../../local/output-capture.ts';

describe('captureProcessOutput', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('hands EMF lines to onEmf, logs every line, and restores the streams', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'capture-'));
    dirs.push(dir);
    const logFile = join(dir, 'processor.log');
    const docs: EmfDocument[] = [];
    const originalWrite = process.stdout.write;
    const emf = JSON.stringify({
      _aws: { Timestamp: 1, CloudWatchMetrics: [{ Namespace: 'OrderPipeline', Dimensions: [['service']], Metrics: [{ Name: 'FilesProcessed', Unit: 'Count' }] }] },
      service: 'order-processor',
      FilesProcessed: 1,
    });

    // Act
    const restore = captureProcessOutput({ logFile, passThrough: false, onEmf: (d) => docs.push(d) });
    process.stdout.write('{"level":"INFO","message":"file done"}\n' + emf.slice(0, 20));
    process.stdout.write(emf.slice(20) + '\n');
    process.stderr.write('a warning\n');
    restore();

    // Assess
    expect(process.stdout.write).toBe(originalWrite);
    expect(docs).toHaveLength(1);
    expect(docs[0]!.FilesProcessed).toBe(1);
    expect(readFileSync(logFile, 'utf8').split('\n')).toEqual(['{"level":"INFO","message":"file done"}', emf, 'a warning', '']);
  });
});
