/**
 * Inside one execution environment (a worker thread): imports the handler once — Lambda's "init"
 * — then handles one invocation at a time, as a Lambda execution environment does. The handler's
 * module singletons (Powertools Logger keys, Metrics) belong to this thread alone, so invocations
 * running in other environments cannot mix them. Everything the function prints is sent to the
 * main thread in order with the results, where it becomes the processor log and CloudWatch metrics.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { lambdaContext } from '../../tooling/lambda-events.ts';
import type { EnvironmentData, EnvironmentMessage, InvokeRequest } from './protocol.ts';

type Handler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

const port = parentPort!;
const post = (message: EnvironmentMessage) => port.postMessage(message);

function forwardOutput(name: 'stdout' | 'stderr', stream: NodeJS.WriteStream): void {
  const write = function (chunk: unknown, ...rest: unknown[]): boolean {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
    post({ type: 'output', stream: name, text });
    const callback = rest.find((r): r is () => void => typeof r === 'function');
    if (callback) queueMicrotask(callback);
    return true;
  };
  stream.write = write as typeof stream.write;
}
forwardOutput('stdout', process.stdout);
forwardOutput('stderr', process.stderr);

const { handlerModule } = workerData as EnvironmentData;
let handler: Handler;
try {
  const mod = (await import(pathToFileURL(handlerModule).href)) as { handler?: unknown };
  if (typeof mod.handler !== 'function') throw new Error(`${handlerModule} exports no handler()`);
  handler = mod.handler as Handler;
  post({ type: 'ready' });
} catch (e) {
  post({ type: 'init-error', message: (e as Error).message });
  process.exit(1);
}

port.on('message', async (request: InvokeRequest) => {
  try {
    const response = await handler(request.event, lambdaContext(request.fn));
    post({ type: 'result', id: request.id, response: response ?? null });
  } catch (e) {
    post({ type: 'error', id: request.id, message: e instanceof Error ? e.message : String(e) });
  }
});
