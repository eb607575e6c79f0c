import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A running moto server (AWS API emulator) on loopback. */
export interface MotoServer {
  endpoint: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

export const MOTO_INSTALL_HINT =
  "moto's server mode is required: install it with `python3 -m pip install 'moto[server]'` " +
  '(Python 3.9+), then check with `python3 -m moto.server --help`.';

/** Fails with an actionable message when `python3 -m moto.server` is not available. */
export function assertMotoInstalled(python = process.env.PYTHON ?? 'python3'): void {
  const probe = spawnSync(python, ['-c', 'import moto, flask, werkzeug; print(moto.__version__)'], {
    encoding: 'utf8',
  });
  if (probe.error || probe.status !== 0) {
    const why = probe.error ? probe.error.message : (probe.stderr || '').trim().split('\n').pop();
    throw new Error(`moto server is not available (${why ?? 'unknown error'}). ${MOTO_INSTALL_HINT}`);
  }
}

/** Asks the OS for a free loopback TCP port. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function waitUntilUp(endpoint: string, child: ChildProcess, timeoutMs: number, log: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`moto server exited with code ${child.exitCode} before it was ready:\n${log()}`);
    }
    try {
      const res = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`moto server did not answer on ${endpoint} within ${timeoutMs} ms:\n${log()}`);
}

export interface StartMotoOptions {
  port?: number;
  python?: string;
  /** Keep running after this process exits (used by `local up --detach`). */
  detached?: boolean;
  timeoutMs?: number;
}

/** Starts `python3 -m moto.server` on 127.0.0.1 (a free port unless given) and waits until it answers. */
export async function startMoto(options: StartMotoOptions = {}): Promise<MotoServer> {
  const python = options.python ?? process.env.PYTHON ?? 'python3';
  assertMotoInstalled(python);
  const port = options.port ?? (await freePort());
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(python, ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    stdio: options.detached ? 'ignore' : ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  if (options.detached) child.unref();
  try {
    await waitUntilUp(endpoint, child, options.timeoutMs ?? 30_000, () => output);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  const pid = child.pid ?? -1;
  return {
    endpoint,
    port,
    pid,
    stop: () => stopProcess(pid),
  };
}

/** Waits up to `ms` for a process to be gone; true when it is. */
async function gone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !isAlive(pid);
}

/**
 * Stops a process by PID: SIGTERM, then SIGKILL if it is still alive after a grace period, and
 * waits until it is gone (a killed child stays visible until it is reaped), so a caller can rely
 * on it being stopped when this resolves.
 */
export async function stopProcess(pid: number, graceMs = 3000): Promise<void> {
  if (pid <= 0 || !isAlive(pid)) return;
  process.kill(pid, 'SIGTERM');
  if (await gone(pid, graceMs)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return; // gone in between
  }
  await gone(pid, 5000);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
