/**
 * The console's HTTP server (docs/console.md): the page and its assets, the API over console/api.ts,
 * server-sent events for the live ingestions list. Every request passes the guards of security.ts
 * first: its own Host only; the API only with the session token; changes only from its own Origin.
 * It never logs a request (the token must not land in a log).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import * as api from './api.ts';
import { ApiError, type ConsoleContext } from './api.ts';
import type { Assets } from './assets.ts';
import { allowedHosts, checkHost, checkOrigin, checkToken, SECURITY_HEADERS, tokenCookieName, tokenMatches, type Refusal } from './security.ts';
import type { ReportQuery } from './errors-report.ts';

export interface ConsoleServerOptions {
  context: ConsoleContext;
  assets: Assets;
  token: string;
  /** 127.0.0.1 unless the operator asked for another address. */
  host: string;
  /** 0: any free port. */
  port: number;
  /** How often the live list is read from the ledger (ms). */
  liveIntervalMs?: number;
}

export interface RunningConsole {
  port: number;
  /** The address to open, token included. */
  url: string;
  close(): Promise<void>;
}

const JSON_BODY_LIMIT = 64 * 1024;

function send(res: ServerResponse, status: number, body: string | Uint8Array, type: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Cache-Control': 'no-store', ...extra });
  res.end(body);
}

const sendJson = (res: ServerResponse, status: number, value: unknown) => send(res, status, JSON.stringify(value), 'application/json; charset=utf-8');

const refuse = (res: ServerResponse, refusal: Refusal) => sendJson(res, refusal.status, { error: refusal.reason });

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of req) {
    text += (chunk as Buffer).toString('utf8');
    if (text.length > JSON_BODY_LIMIT) throw new ApiError(413, 'request too large');
  }
  try {
    const value: unknown = JSON.parse(text || '{}');
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new ApiError(400, 'expected a JSON object');
}

const optionalString = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

function intParam(params: URLSearchParams, name: string, fallback: number, max: number): number {
  const raw = params.get(name);
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new ApiError(400, `${name} must be an integer 0–${max}`);
  return n;
}

function required(params: URLSearchParams, name: string): string {
  const value = params.get(name);
  if (!value) throw new ApiError(400, `${name} is required`);
  return value;
}

/** `attachment; filename*=UTF-8''…`: the download keeps its name, and a browser never renders it. */
function attachment(key: string): string {
  const name = key.split('/').pop() || 'download';
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** The API: routes to console/api.ts. */
async function handleApi(ctx: ConsoleContext, req: IncomingMessage, res: ServerResponse, url: URL, liveIntervalMs: number): Promise<void> {
  const route = `${req.method} ${url.pathname}`;
  const p = url.searchParams;
  switch (route) {
    case 'GET /api/session':
      return sendJson(res, 200, api.session(ctx));
    case 'GET /api/ingestions':
      return sendJson(res, 200, await api.listIngestions(ctx, intParam(p, 'limit', 50, 1000) || 50));
    case 'GET /api/events':
      return liveIngestions(ctx, req, res, liveIntervalMs, intParam(p, 'limit', 50, 1000) || 50);
    case 'GET /api/file':
      return sendJson(res, 200, await api.fileDetail(ctx, required(p, 'pk')));
    case 'GET /api/file/errors': {
      const query: ReportQuery = { offset: intParam(p, 'offset', 0, Number.MAX_SAFE_INTEGER), limit: intParam(p, 'limit', 50, 500) || 50 };
      const column = optionalString(p.get('column'));
      const kind = optionalString(p.get('kind'));
      const text = optionalString(p.get('text'));
      if (column) query.column = column;
      if (kind) query.kind = kind;
      if (text) query.text = text;
      return sendJson(res, 200, await api.errorsPage(ctx, required(p, 'pk'), query));
    }
    case 'GET /api/download': {
      const key = required(p, 'key');
      const object = await api.download(ctx, key);
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'Content-Type': 'application/octet-stream',
        'Content-Disposition': attachment(key),
        'Cache-Control': 'no-store',
        ...(object.size !== null ? { 'Content-Length': String(object.size) } : {}),
      });
      await pipeline(object.body, res);
      return;
    }
    case 'GET /api/operations':
      return sendJson(res, 200, await api.operations(ctx));
    case 'POST /api/redrive': {
      const body = await readJson(req);
      const role = body.queue === 'ingest' || body.queue === 'parts' ? body.queue : undefined;
      return sendJson(res, 200, await api.redrive(ctx, role));
    }
    case 'POST /api/pause':
      return sendJson(res, 200, await api.changeDelivery(ctx, false));
    case 'POST /api/resume':
      return sendJson(res, 200, await api.changeDelivery(ctx, true));
    case 'POST /api/replay': {
      const body = await readJson(req);
      const key = optionalString(body.key);
      if (!key) throw new ApiError(400, 'key is required');
      return sendJson(res, 200, await api.replay(ctx, key, optionalString(body.as)));
    }
    case 'GET /api/dashboard': {
      const hours = Number(p.get('hours') ?? '3');
      if (!Number.isFinite(hours) || hours <= 0 || hours > 360) throw new ApiError(400, 'hours must be a number in (0, 360]');
      return sendJson(res, 200, await api.dashboard(ctx, hours));
    }
    case 'GET /api/alerts':
      return sendJson(res, 200, api.alerts(ctx));
    case 'POST /api/upload': {
      const length = req.headers['content-length'];
      const size = length === undefined ? undefined : Number(length);
      const aborted = new AbortController();
      // A browser that goes away mid-upload: the multipart upload is aborted, never completed short.
      req.once('close', () => {
        if (!req.complete) aborted.abort();
      });
      return sendJson(res, 200, await api.upload(ctx, required(p, 'name'), req, size, aborted.signal));
    }
    default:
      throw new ApiError(404, `no such API: ${route}`);
  }
}

/** Server-sent events: the recent ingestions, sent again whenever they change. */
async function liveIngestions(ctx: ConsoleContext, req: IncomingMessage, res: ServerResponse, intervalMs: number, limit: number): Promise<void> {
  res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
  let open = true;
  req.once('close', () => (open = false));
  let last = '';
  while (open) {
    try {
      const data = JSON.stringify(await api.listIngestions(ctx, limit));
      if (data !== last && open) res.write(`event: ingestions\ndata: ${data}\n\n`);
      else if (open) res.write(': still here\n\n');
      last = data;
    } catch (e) {
      if (open) res.write(`event: problem\ndata: ${JSON.stringify({ error: (e as Error).message })}\n\n`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  res.end();
}

export async function startConsole(options: ConsoleServerOptions): Promise<RunningConsole> {
  const { context, assets, token } = options;
  const liveIntervalMs = options.liveIntervalMs ?? 1500;
  let hosts = new Set<string>();
  let cookie = '';
  const sockets = new Set<import('node:net').Socket>();

  const server: Server = createServer((req, res) => {
    void (async () => {
      const hostRefusal = checkHost(req.headers.host, hosts);
      if (hostRefusal) return refuse(res, hostRefusal);
      const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
      if (url.pathname.startsWith('/api/')) {
        const refusal =
          checkToken(req.headers.cookie, headerValue(req.headers['x-console-token']), cookie, token) ??
          checkOrigin(req.method ?? 'GET', headerValue(req.headers.origin), hosts);
        if (refusal) {
          req.resume();
          return refuse(res, refusal);
        }
        return handleApi(context, req, res, url, liveIntervalMs);
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'method not allowed' });
      if (url.pathname === '/' && url.searchParams.has('token')) {
        // The printed address: the token becomes a cookie for this console only, and leaves the address bar.
        if (!tokenMatches(url.searchParams.get('token') ?? undefined, token)) return send(res, 403, 'wrong session token: open the address the console printed', 'text/plain; charset=utf-8');
        res.writeHead(303, { ...SECURITY_HEADERS, Location: '/', 'Set-Cookie': `${cookie}=${token}; Path=/; HttpOnly; SameSite=Strict`, 'Cache-Control': 'no-store' });
        return res.end();
      }
      const asset = assets.get(url.pathname === '/' ? '/index.html' : url.pathname);
      if (!asset) return send(res, 404, 'not found', 'text/plain; charset=utf-8');
      return send(res, 200, asset.body, asset.type, { 'Cache-Control': 'no-cache' });
    })().catch((e: unknown) => {
      if (res.headersSent) return res.destroy();
      if (e instanceof ApiError) return sendJson(res, e.status, { error: e.message });
      sendJson(res, 502, { error: `the deployment answered with an error: ${(e as Error).message}` });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  hosts = allowedHosts(options.host, port);
  cookie = tokenCookieName(port);
  const shown = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    port,
    url: `http://${shown}:${port}/?token=${token}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Live event streams never end on their own.
        for (const socket of sockets) socket.destroy();
      }),
  };
}

const headerValue = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);
