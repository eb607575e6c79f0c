/**
 * One execution environment of the function, seen from the local Lambda service: a worker thread
 * (environment-worker.ts) with the function's environment variables and a heap capped at the
 * function's memory, that handles one invocation at a time. A timeout, a crash or running out of
 * memory ends the environment, as on Lambda; the pool starts a fresh one when one is needed.
 */
import { Worker } from 'node:worker_threads';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { FunctionInfo } from '../../tooling/lambda-events.ts';
import type { EnvironmentData, EnvironmentMessage, InvokeRequest } from './protocol.ts';

const BOOTSTRAP = new URL('./environment-bootstrap.mjs', import.meta.url);
const ENTRY = new URL('./environment-worker.ts', import.meta.url).href;

export interface EnvironmentOptions {
  handlerModule: string;
  /** The process environment the function sees. */
  env: Record<string, string | undefined>;
  memoryMb: number;
  /** What the function prints, chunk by chunk, with the environment's id. */
  onOutput: (environment: number, stream: 'stdout' | 'stderr', text: string) => void;
}

interface Pending {
  id: number;
  resolve: (response: SQSBatchResponse | null) => void;
  reject: (error: Error) => void;
}

export class ExecutionEnvironment {
  private static nextId = 1;
  readonly id = ExecutionEnvironment.nextId++;
  private readonly worker: Worker;
  private pending: Pending | null = null;
  private invocations = 0;
  private ended: string | null = null;
  private readonly ready: Promise<void>;

  private constructor(options: EnvironmentOptions) {
    const data: EnvironmentData = { entry: ENTRY, handlerModule: options.handlerModule };
    this.worker = new Worker(BOOTSTRAP, {
      workerData: data,
      env: options.env,
      resourceLimits: { maxOldGenerationSizeMb: options.memoryMb },
    });
    this.ready = new Promise((resolve, reject) => {
      this.worker.on('message', (message: EnvironmentMessage) => {
        switch (message.type) {
          case 'ready':
            return resolve();
          case 'init-error':
            return reject(new Error(`the function failed to initialise: ${message.message}`));
          case 'output':
            return options.onOutput(this.id, message.stream, message.text);
          case 'result':
            return this.settle(message.id, (p) => p.resolve(message.response));
          case 'error':
            return this.settle(message.id, (p) => p.reject(new Error(message.message)));
        }
      });
      const end = (why: string) => {
        this.ended ??= why;
        reject(new Error(`the function failed to initialise: ${why}`));
        this.settle(this.pending?.id ?? -1, (p) => p.reject(new Error(why)));
      };
      this.worker.on('error', (e) => end(e.message));
      this.worker.on('exit', (code) => end(`the execution environment exited (code ${code})`));
    });
  }

  /** Starts an environment and waits until the handler module is loaded. */
  static async start(options: EnvironmentOptions): Promise<ExecutionEnvironment> {
    const environment = new ExecutionEnvironment(options);
    try {
      await environment.ready;
    } catch (e) {
      await environment.close();
      throw e;
    }
    return environment;
  }

  /** False once a timeout, a crash or close() ended it. */
  get alive(): boolean {
    return this.ended === null;
  }

  private settle(id: number, action: (pending: Pending) => void): void {
    const pending = this.pending;
    if (!pending || pending.id !== id) return;
    this.pending = null;
    action(pending);
  }

  /** One invocation; rejects with the handler's error, or when it runs past `timeoutSeconds`. */
  invoke(event: SQSEvent, fn: FunctionInfo, timeoutSeconds: number): Promise<SQSBatchResponse | null> {
    if (!this.alive) return Promise.reject(new Error(`execution environment ${this.id} has ended (${this.ended})`));
    if (this.pending) return Promise.reject(new Error(`execution environment ${this.id} is busy`));
    const id = ++this.invocations;
    return new Promise<SQSBatchResponse | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        // As on Lambda: the environment is stopped mid-flight and not reused.
        const why = `Task timed out after ${timeoutSeconds} seconds`;
        this.settle(id, (p) => p.reject(new Error(why)));
        this.ended ??= why;
        void this.worker.terminate();
      }, timeoutSeconds * 1000);
      this.pending = {
        id,
        resolve: (response) => {
          clearTimeout(timer);
          resolve(response);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const request: InvokeRequest = { type: 'invoke', id, event, fn };
      this.worker.postMessage(request);
    });
  }

  async close(): Promise<void> {
    this.ended ??= 'closed';
    await this.worker.terminate();
  }
}
