/**
 * "Instant table": a small HTTP proxy in front of moto that answers every DynamoDB BatchWriteItem
 * at once with `{"UnprocessedItems":{}}` (after reading the request body) and forwards everything
 * else (S3, the ledger's GetItem/UpdateItem/PutItem, SNS) to moto unchanged. With it, what limits
 * a run is the client alone: the processor's own work and the SDK's, not the server's.
 *
 * It runs in its own process (`startInstantTable` spawns this file), so its CPU is never counted
 * in the measured process. It counts the requests and items it answered; the coordinator reads
 * the counters (GET /__instant-table/stats) before and after a run to check conservation.
 */
import { createServer, request as httpRequest, Agent, type IncomingMessage, type ServerResponse } from 'node:http';
import { fork } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { RUN_TYPESCRIPT } from '../tooling/project.ts';

const BATCH_WRITE_TARGET = 'DynamoDB_20120810.BatchWriteItem';
const STATS_PATH = '/__instant-table/stats';
const ANSWER = Buffer.from('{"UnprocessedItems":{}}');
/** One PutRequest per item: counting the marker is far cheaper than parsing the JSON. */
const PUT_MARKER = Buffer.from('"PutRequest"');

export interface InstantTableStats {
  batchWriteRequests: number;
  itemsAnswered: number;
  forwarded: number;
}

function countMarkers(body: Buffer): number {
  let n = 0;
  for (let at = body.indexOf(PUT_MARKER); at >= 0; at = body.indexOf(PUT_MARKER, at + PUT_MARKER.length)) n++;
  return n;
}

/** Serves on 127.0.0.1 (a free port); resolves with the port, the live counters and a way to close. */
export function serveInstantTable(upstream: URL): Promise<{ port: number; stats: InstantTableStats; close: () => Promise<void> }> {
  const stats: InstantTableStats = { batchWriteRequests: 0, itemsAnswered: 0, forwarded: 0 };
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });

  const answerBatchWrite = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      stats.batchWriteRequests++;
      stats.itemsAnswered += countMarkers(Buffer.concat(chunks));
      res.writeHead(200, {
        'content-type': 'application/x-amz-json-1.0',
        'content-length': ANSWER.length,
        'x-amzn-requestid': `instant-${stats.batchWriteRequests}`,
      });
      res.end(ANSWER);
    });
  };

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    stats.forwarded++;
    const out = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers, agent },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    out.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`instant-table proxy: ${error.message}`);
    });
    req.pipe(out);
  };

  const server = createServer((req, res) => {
    if (req.url === STATS_PATH) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(stats));
    } else if (req.headers['x-amz-target'] === BATCH_WRITE_TARGET) {
      answerBatchWrite(req, res);
    } else {
      forward(req, res);
    }
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const close = () =>
        new Promise<void>((done) => {
          agent.destroy();
          server.closeAllConnections();
          server.close(() => done());
        });
      resolve({ port: typeof address === 'object' && address ? address.port : 0, stats, close });
    });
  });
}

export interface InstantTable {
  endpoint: string;
  pid: number;
  stats(): Promise<InstantTableStats>;
  stop(): Promise<void>;
}

const SELF = fileURLToPath(import.meta.url);

/** Starts the proxy in a process of its own in front of `upstream` (moto's endpoint). */
export function startInstantTable(upstream: string): Promise<InstantTable> {
  const child = fork(SELF, [upstream], { execArgv: [...RUN_TYPESCRIPT], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`instant-table proxy exited with code ${code} before it was ready`)));
    child.once('message', (message) => {
      const { port } = message as { port: number };
      const endpoint = `http://127.0.0.1:${port}`;
      resolve({
        endpoint,
        pid: child.pid ?? -1,
        stats: async () => (await (await fetch(`${endpoint}${STATS_PATH}`)).json()) as InstantTableStats,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done();
            child.removeAllListeners('exit');
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const upstream = new URL(process.argv[2] ?? 'http://127.0.0.1:5000');
  const { port } = await serveInstantTable(upstream);
  process.send?.({ port });
  // Stop with the coordinator.
  process.on('disconnect', () => process.exit(0));
}
