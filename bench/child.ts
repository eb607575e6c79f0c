/**
 * Each measurement runs in its own node process, so its CPU time and peak memory are its own and
 * one run's heap does not inflate the next. The result comes back over the IPC channel; the
 * child's output is kept only to explain a failure.
 */
import { spawn } from 'node:child_process';
import { typescriptArgv } from '../tooling/project.ts';

type ChildMessage = { type: 'result'; data: unknown } | { type: 'error'; message: string };

/** Runs `node <argv…>` and resolves with the result it sends over IPC. */
export function runChild<T>(name: string, argv: string[], env: Record<string, string> = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: { ...process.env, ...env } });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    let result: { data: unknown } | undefined;
    let failure: string | undefined;
    child.on('message', (raw) => {
      const msg = raw as ChildMessage;
      if (msg.type === 'result') result = { data: msg.data };
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

/** Runs a TypeScript measurement file (one that calls `reportToParent`) with tsx and --expose-gc. */
export function runTypescript<T>(file: string, args: unknown, env: Record<string, string> = {}): Promise<T> {
  return runChild<T>(file, typescriptArgv(file, [JSON.stringify(args)], ['--expose-gc']), env);
}

/** The child's side: runs `work` on the JSON argument and sends its result (or error) to the parent. */
export async function reportToParent<A>(work: (args: A) => Promise<unknown> | unknown): Promise<void> {
  const send = (message: ChildMessage) => new Promise<void>((resolve) => (process.send ? process.send(message, undefined, {}, () => resolve()) : resolve()));
  try {
    await send({ type: 'result', data: await work(JSON.parse(process.argv[2] ?? 'null') as A) });
    process.exit(0);
  } catch (error) {
    await send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    process.exit(1);
  }
}

/** Collects garbage when node runs with --expose-gc, so measurements start clean. */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
}
