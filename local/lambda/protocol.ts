/**
 * The messages between the local Lambda service (main thread) and an execution environment
 * (a worker thread running the handler). Plain data only: they cross threads by structured clone.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { FunctionInfo } from '../../tooling/lambda-events.ts';

/** Given to the worker when it starts (workerData). */
export interface EnvironmentData {
  /** The TypeScript entry of the worker (environment-worker.ts), loaded by the bootstrap. */
  entry: string;
  /** The module exporting `handler`. */
  handlerModule: string;
}

export interface InvokeRequest {
  type: 'invoke';
  id: number;
  event: SQSEvent;
  fn: FunctionInfo;
}

export type EnvironmentMessage =
  /** The handler module is loaded (the end of the "init" phase). */
  | { type: 'ready' }
  | { type: 'init-error'; message: string }
  /** What the function printed, in order with its results (so a result never overtakes its logs). */
  | { type: 'output'; stream: 'stdout' | 'stderr'; text: string }
  | { type: 'result'; id: number; response: SQSBatchResponse | null }
  | { type: 'error'; id: number; message: string };
