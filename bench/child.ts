/**
 * Each measurement runs in its own node process (tsx, --expose-gc), so peak memory and CPU belong
 * to that measurement alone and one run's heap does not inflate the next. Results and progress
 * come back over the IPC channel; the child's output (the handler's logs) is kept only to
 * explain a failure.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { typescriptArgv } from '../tooling/project.ts';

/** Messages a measurement process sends to the coordinator. */
export type WorkerMessage =
  | { type: 'progress'; text: string }
  | { type: 'result'; data: unknown }
  | { type: 'error'; message: string };

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

export interface RunWorkerOptions {
  env?: Record<string, string>;
  onProgress?: (text: string) => void;
}

/** Runs `node <argv…>` and resolves with the result it sends over IPC. */
export function runChild<T>(name: string, argv: string[], options: RunWorkerOptions = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { ...process.env, ...options.env },
    });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    let result: { data: unknown } | undefined;
    let failure: string | undefined;
    child.on('message', (raw) => {
      const msg = raw as WorkerMessage;
      if (msg.type === 'progress') options.onProgress?.(msg.text);
      else if (msg.type === 'result') result = { data: msg.data };
      else failure = msg.message;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (result && code === 0) return resolve(result.data as T);
      const why = failure ?? `exited with ${signal ?? `code ${code}`}`;
      reject(new Error(`bench process "${name}" failed: ${why}\n--- last output ---\n${output.trim()}`));
    });
  });
}

/** Runs the measurement `task` of worker.ts in a fresh process. */
export function runWorker<T>(task: string, args: unknown, options: RunWorkerOptions = {}): Promise<T> {
  return runChild<T>(task, typescriptArgv(WORKER, [task, JSON.stringify(args)], ['--expose-gc']), options);
}
