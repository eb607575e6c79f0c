/**
 * What the function prints, as Lambda's log pipeline treats it: every line goes to the processor
 * log (the local CloudWatch Logs), and to the terminal with --verbose; the EMF lines Powertools
 * Metrics prints become PutMetricData calls to the emulator's CloudWatch, so `dashboard` shows real
 * numbers. Output arrives in chunks per execution environment and stream; lines are cut per source.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PutMetricDataCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { emfToPutMetricData, LineSplitter, parseEmfLine, type EmfDocument } from './emf-bridge.ts';

export interface FunctionLogsOptions {
  logFile: string;
  onEmf: (doc: EmfDocument) => void;
  /** Where lines are shown besides the log file (--verbose), or null. */
  terminal: ((stream: 'stdout' | 'stderr', line: string) => void) | null;
}

export class FunctionLogs {
  private readonly splitters = new Map<string, LineSplitter>();

  constructor(private readonly options: FunctionLogsOptions) {
    mkdirSync(dirname(options.logFile), { recursive: true });
  }

  /** A chunk printed by one execution environment on one stream. */
  push(environment: number, stream: 'stdout' | 'stderr', text: string): void {
    const source = `${environment}:${stream}`;
    let splitter = this.splitters.get(source);
    if (!splitter) this.splitters.set(source, (splitter = new LineSplitter()));
    this.handle(stream, splitter.push(text));
  }

  /** Writes out unfinished last lines (at shutdown). */
  flush(): void {
    for (const [source, splitter] of this.splitters) this.handle(source.endsWith('stderr') ? 'stderr' : 'stdout', splitter.flush());
    this.splitters.clear();
  }

  private handle(stream: 'stdout' | 'stderr', lines: string[]): void {
    if (lines.length === 0) return;
    for (const line of lines) {
      const doc = parseEmfLine(line);
      if (doc) this.options.onEmf(doc);
      this.options.terminal?.(stream, line);
    }
    try {
      appendFileSync(this.options.logFile, lines.join('\n') + '\n');
    } catch {
      // The log is a convenience; never let it break processing.
    }
  }
}

/** EMF documents → PutMetricData to the emulator's CloudWatch, with the requests in flight tracked. */
export class MetricsForwarder {
  private readonly pending = new Set<Promise<void>>();
  /** Data points accepted by CloudWatch so far. */
  forwarded = 0;

  constructor(
    private readonly cloudwatch: CloudWatchClient,
    private readonly onError: (message: string) => void,
  ) {}

  forward(doc: EmfDocument): void {
    for (const input of emfToPutMetricData(doc)) {
      const p = this.cloudwatch
        .send(new PutMetricDataCommand(input))
        .then(() => {
          this.forwarded += input.MetricData?.length ?? 0;
        })
        .catch((e: unknown) => this.onError(`PutMetricData failed: ${(e as Error).message}`))
        .finally(() => this.pending.delete(p));
      this.pending.add(p);
    }
  }

  /** Resolves once every request sent so far has completed. */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }
}
