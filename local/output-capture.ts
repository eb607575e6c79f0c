/**
 * While the local poller runs the handler in-process, everything the process writes to stdout and
 * stderr goes through here: EMF lines (Powertools Metrics) are handed to `onEmf` — Lambda's log
 * pipeline would turn them into CloudWatch metrics —, every line is appended to the log file
 * (Lambda's CloudWatch Logs), and passed through to the terminal when `passThrough` is set.
 * The CLI's own output uses terminal.ts, which bypasses this.
 */
import { appendFileSync } from 'node:fs';
import { LineSplitter, parseEmfLine, type EmfDocument } from './emf-bridge.ts';

export interface CaptureOptions {
  logFile: string;
  onEmf: (doc: EmfDocument) => void;
  passThrough: boolean;
}

type Write = typeof process.stdout.write;

/** Installs the capture; returns the function that restores the original writers. */
export function captureProcessOutput(options: CaptureOptions): () => void {
  const streams = [process.stdout, process.stderr] as const;
  const originals = streams.map((s) => s.write);
  const splitters = streams.map(() => new LineSplitter());

  const handleLines = (lines: string[]) => {
    if (lines.length === 0) return;
    for (const line of lines) {
      const doc = parseEmfLine(line);
      if (doc) options.onEmf(doc);
    }
    try {
      appendFileSync(options.logFile, lines.join('\n') + '\n');
    } catch {
      // The log is a convenience; never let it break processing.
    }
  };

  streams.forEach((stream, i) => {
    const original = originals[i]!;
    const splitter = splitters[i]!;
    const replacement = function (this: unknown, chunk: unknown, ...rest: unknown[]): boolean {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
      handleLines(splitter.push(text));
      if (options.passThrough) return (original as (...a: unknown[]) => boolean).call(stream, chunk, ...rest);
      const callback = rest.find((r): r is () => void => typeof r === 'function');
      if (callback) queueMicrotask(callback);
      return true;
    };
    stream.write = replacement as Write;
  });

  return () => {
    streams.forEach((stream, i) => {
      handleLines(splitters[i]!.flush());
      stream.write = originals[i]!;
    });
  };
}
