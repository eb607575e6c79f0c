import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EmfDocument } from '../../../local/emf-bridge.ts';
import { FunctionLogs } from '../../../local/function-logs.ts';

const EMF = JSON.stringify({
  _aws: { Timestamp: 1, CloudWatchMetrics: [{ Namespace: 'OrderPipeline', Dimensions: [['service']], Metrics: [{ Name: 'FilesProcessed', Unit: 'Count' }] }] },
  service: 'order-processor',
  FilesProcessed: 1,
});

describe('FunctionLogs', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  function aLog(terminal: ((stream: 'stdout' | 'stderr', line: string) => void) | null = null) {
    const dir = mkdtempSync(join(tmpdir(), 'function-logs-'));
    dirs.push(dir);
    const logFile = join(dir, 'logs', 'processor.log');
    const docs: EmfDocument[] = [];
    const logs = new FunctionLogs({ logFile, onEmf: (d) => docs.push(d), terminal });
    return { logs, logFile, docs };
  }

  it('hands EMF lines to onEmf and writes every line to the log file', () => {
    // Prepare
    const { logs, logFile, docs } = aLog();

    // Act
    logs.push(1, 'stdout', '{"level":"INFO","message":"file done"}\n' + EMF.slice(0, 20));
    logs.push(1, 'stdout', EMF.slice(20) + '\n');
    logs.push(1, 'stderr', 'a warning\n');

    // Assess
    expect(docs).toHaveLength(1);
    expect(docs[0]!.FilesProcessed).toBe(1);
    expect(readFileSync(logFile, 'utf8').split('\n')).toEqual(['{"level":"INFO","message":"file done"}', EMF, 'a warning', '']);
  });

  it('cuts lines per execution environment, so interleaved chunks never mix', () => {
    // Prepare
    const shown: string[] = [];
    const { logs, logFile } = aLog((stream, line) => shown.push(`${stream}: ${line}`));

    // Act
    logs.push(1, 'stdout', '{"env":1,');
    logs.push(2, 'stdout', '{"env":2}\n');
    logs.push(1, 'stdout', '"done":true}\n');
    logs.push(3, 'stdout', 'no newline yet');
    logs.flush();

    // Assess
    expect(readFileSync(logFile, 'utf8').split('\n')).toEqual(['{"env":2}', '{"env":1,"done":true}', 'no newline yet', '']);
    expect(shown).toEqual(['stdout: {"env":2}', 'stdout: {"env":1,"done":true}', 'stdout: no newline yet']);
  });
});
