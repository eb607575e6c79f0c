/** `order-pipeline console [--port N] [--no-open] [--host ADDRESS]`: the web console (docs/console.md). */
import { spawn } from 'node:child_process';
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { buildAssets } from '../../console/assets.ts';
import { newToken } from '../../console/security.ts';
import { startConsole } from '../../console/server.ts';
import { objectReader } from '../../deployment/objects.ts';
import { orderSchemaFor, SchemaFileError } from '../../functions/order-processor/index.ts';
import { destroyClients } from '../../tooling/aws-clients.ts';
import { EXIT, UsageError } from '../exit.ts';
import { parsePort } from '../options.ts';
import { connectTarget, TARGET_HELP, TARGET_OPTIONS } from '../target.ts';
import { bold, err, out, yellow } from '../render/terminal.ts';

export const summary = 'a web console: drop files (checked in the browser first), watch them land, act on failures';

const HELP = `usage: order-pipeline console [--port N] [--no-open] [--host ADDRESS] [target options]

Serves a web app on 127.0.0.1 and prints its address, with a session token, on a line of its own;
opens it in the default browser unless --no-open. Pages: Upload (each file checked in the browser
by the processor's own CSV contract, then uploaded into raw-data/), Ingestions (live), a file's
record and rejected rows, Operations (queues, DLQs, alarms; redrive, pause/resume, replay),
Dashboard (the \`dashboard\` command's metrics as charts), Alerts (local stack). It acts with
your AWS credentials; see docs/console.md ("Security"). Ctrl-C (SIGINT) or SIGTERM stops it.
The check in the browser uses the order schema ORDER_SCHEMA names (else the built-in
order-schema.json), as \`validate\` does: set it as the deployment was synthesized.
  --port N          the port (default: a free one)
  --no-open         do not open a browser
  --host ADDRESS    listen on ADDRESS (one IP address of this machine) instead of 127.0.0.1 —
                    anyone who can reach it and has the address with its token acts with your
                    credentials; a warning is printed
${TARGET_HELP}`;

/** Opens the address in the system's browser; a machine without one just keeps the printed address. */
function openBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : ['xdg-open', [url]];
  try {
    const child = spawn(command as string, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // no browser to open: the address is printed
  }
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...TARGET_OPTIONS,
      port: { type: 'string' },
      host: { type: 'string' },
      'no-open': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    out(HELP);
    return EXIT.ok;
  }
  const port = parsePort(values.port) ?? 0;
  const host = values.host ?? '127.0.0.1';
  if (isIP(host) === 0) throw new UsageError(`--host must be an IP address, not "${host}"`);
  // The Host header is checked against the address listened on, so it must be one people can use.
  if (host === '0.0.0.0' || host === '::') throw new UsageError(`--host must be one address of this machine (the console checks the Host header against it), not the wildcard "${host}"`);
  if (host !== '127.0.0.1') {
    err(yellow(`WARNING: listening on ${host}, not only on this machine's loopback: anyone who can reach ${host} and learns the address with its token acts with your AWS credentials.`));
  }
  // The schema first: a broken one stops the console before it connects (its message names the place).
  let schema;
  try {
    schema = orderSchemaFor(undefined, process.env);
  } catch (e) {
    if (e instanceof SchemaFileError) throw new UsageError(e.message);
    throw e;
  }
  const connection = await connectTarget(values);
  const [assets, reader] = [await buildAssets(), objectReader(connection.target)];
  const token = newToken();
  const running = await startConsole({ context: { connection, reader, schema }, assets, token, host, port });

  out(bold(`order-pipeline console — ${connection.target.description}`));
  out('open this address (it carries the session token; keep it to yourself):');
  out(running.url);
  out('Ctrl-C stops the console.');
  if (!values['no-open']) openBrowser(running.url);

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  await running.close();
  reader.destroy();
  destroyClients(connection.clients);
  err(`console stopped (${signal})`);
  return EXIT.ok;
}
