/**
 * The web console end to end, in a real browser: `order-pipeline local up` (one stack for the
 * file), `order-pipeline console --no-open`, and Debian's Chromium driven by playwright-core (the
 * system browser, never a download). Files are checked in the page by the processor's contract,
 * uploaded, followed to their outcome; a partial file's rejected rows are filtered; a planted
 * dead-letter message is redriven; delivery is paused and resumed; a hostile key stays text; and
 * requests without the token, with a foreign Host or a foreign Origin are refused. Each page's
 * screenshot goes to console-screenshots/ (ignored; docs/console.md shows committed copies).
 *
 * Fails (never skips) without moto, terraform or chromium, saying which is missing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSchemaFile, validateFile, type FileReport } from '../../functions/order-processor/index.ts';
import type { LocalOutputs } from '../../deployment/local-home.ts';
import { destroyClients, makeClients, type Clients } from '../../tooling/aws-clients.ts';
import { freePort } from '../../tooling/emulator.ts';
import { PROJECT_PATHS, PROJECT_ROOT } from '../../tooling/project.ts';

const BIN = PROJECT_PATHS.cli;
const SAMPLES = PROJECT_PATHS.sampleData;
/** Debian's package; CHROMIUM_PATH names another build. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = join(PROJECT_ROOT, 'console-screenshots');

const home = mkdtempSync(join(tmpdir(), 'order-pipeline-console-e2e-'));
const scratch = mkdtempSync(join(tmpdir(), 'order-pipeline-console-files-'));
const env = { ...process.env, ORDER_PIPELINE_HOME: home, NO_COLOR: '1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let upProcess: ChildProcess;
let upOutput = '';
let consoleProcess: ChildProcess;
let consoleOutput = '';
let address: string;
let port: number;
let token: string;
let outputs: LocalOutputs;
let clients: Clients;
let browser: Browser;
let page: Page;
const dialogs: string[] = [];
const pageProblems: string[] = [];

/** Starts a child and resolves once its output contains `ready`; fails with the output if it exits first. */
async function startChild(args: string[], ready: RegExp, onOutput: (text: string) => void, extraEnv: Record<string, string> = {}): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...env, ...extraEnv }, cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (c: Buffer) => {
    output += c.toString();
    onOutput(c.toString());
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const found = (async () => {
    while (!ready.test(output)) await sleep(200);
  })();
  const result = await Promise.race([found.then(() => 'ready' as const), exited]);
  if (result !== 'ready') throw new Error(`\`order-pipeline ${args.join(' ')}\` exited (${result}) before it was ready:\n${output}`);
  return child;
}

async function stopChild(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<number | null | 'timeout'> {
  if (!child || child.exitCode !== null) return child?.exitCode ?? null;
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill(signal);
  const code = await Promise.race([exited, sleep(20_000).then(() => 'timeout' as const)]);
  if (code === 'timeout') child.kill('SIGKILL');
  return code;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw HTTP request to the console: unlike fetch, it can send any Host header. */
function raw(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { Host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const withToken = { 'X-Console-Token': '' };

/** A download's bytes (with the token). */
function rawBytes(path: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'GET', path, headers: { Host: `127.0.0.1:${port}`, ...withToken } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`${res.statusCode} ${Buffer.concat(chunks).toString()}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

async function shot(name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });
}

/** The Upload page's entry of a file (a list item named by the file). */
const entry = (name: string) => page.getByRole('listitem', { name, exact: true });

/** "Check: VALID rows 10, valid 10, rejected 0, blank 0" → the report's fields. */
async function checkOf(name: string): Promise<Pick<FileReport, 'status' | 'rows' | 'valid' | 'rejected' | 'blank'>> {
  const text = (await entry(name).getByTestId('check').locator('p').first().textContent()) ?? '';
  const m = /Check: (\w+) rows ([\d,]+), valid ([\d,]+), rejected ([\d,]+), blank ([\d,]+)/.exec(text);
  if (!m) throw new Error(`no check result for ${name}: "${text}"`);
  const n = (s: string) => Number(s.replace(/,/g, ''));
  return { status: m[1] as FileReport['status'], rows: n(m[2]!), valid: n(m[3]!), rejected: n(m[4]!), blank: n(m[5]!) };
}

async function dropFiles(files: { name: string; mimeType: string; buffer: Buffer }[]): Promise<void> {
  await page.goto(`http://127.0.0.1:${port}/#/upload`);
  await page.locator('input[type=file]').setInputFiles(files);
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: install Debian's package (apt-get install -y chromium), as .ci/run does`);
  const emulatorPort = await freePort();
  upProcess = await startChild(['local', 'up', '--port', String(emulatorPort)], /poller: receiving/, (t) => (upOutput += t));
  outputs = JSON.parse(readFileSync(join(home, 'outputs.json'), 'utf8')) as LocalOutputs;
  clients = makeClients({ region: outputs.region, endpoint: outputs.endpoint });
  consoleProcess = await startChild(['console', '--no-open'], /^http:\/\/127\.0\.0\.1:\d+\/\S*$/m, (t) => (consoleOutput += t));
  const line = consoleOutput.split('\n').find((l) => l.startsWith('http://127.0.0.1:'))!;
  address = line.trim();
  const url = new URL(address);
  port = Number(url.port);
  token = url.searchParams.get('token') ?? '';
  withToken['X-Console-Token'] = token;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 960, height: 760 }, colorScheme: 'light' });
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => pageProblems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    // A refused or absent resource is an answer the tests look at (a file not yet in the ledger is a 404);
    // a CSP violation ("Refused to …") or a script error is a problem.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageProblems.push(`console: ${m.text()}`);
  });
}, 420_000);

afterAll(async () => {
  await browser?.close();
  await stopChild(consoleProcess, 'SIGINT');
  await stopChild(upProcess, 'SIGINT');
  if (clients) destroyClients(clients);
  rmSync(home, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
}, 60_000);

describe('order-pipeline console', () => {
  it('prints its address, token included, on a line of its own, and never the token elsewhere', () => {
    // Assess
    expect(address).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
    expect(consoleOutput.split(token).length - 1).toBe(1);
  });

  it('refuses API requests without the token, with a foreign Host or a foreign Origin', async () => {
    // Act
    const noToken = await raw('GET', '/api/session');
    const wrongToken = await raw('GET', '/api/session', { 'X-Console-Token': `${token}x` });
    const foreignHost = await raw('GET', '/api/session', { ...withToken, Host: `evil.example:${port}` });
    const foreignHostPage = await raw('GET', '/', { Host: 'evil.example' });
    const foreignOrigin = await raw('POST', '/api/pause', { ...withToken, Origin: 'http://evil.example', 'Content-Type': 'application/json' }, '{}');
    const noOrigin = await raw('POST', '/api/pause', { ...withToken, 'Content-Type': 'application/json' }, '{}');
    const operations = JSON.parse((await raw('GET', '/api/operations', withToken)).body) as { delivery: { enabled: boolean } };
    const ok = await raw('GET', '/api/session', withToken);

    // Assess
    expect(noToken.status).toBe(401);
    expect(wrongToken.status).toBe(403);
    expect(foreignHost.status).toBe(421);
    expect(foreignHostPage.status).toBe(421);
    expect(foreignOrigin.status).toBe(403);
    expect(noOrigin.status).toBe(403);
    expect(operations.delivery.enabled).toBe(true);
    expect(ok.status).toBe(200);
  });

  it('turns the printed address into an HttpOnly, SameSite=Strict cookie and serves the page under a strict CSP', async () => {
    // Act
    const opened = await raw('GET', `/?token=${token}`);
    const wrong = await raw('GET', '/?token=nope');
    const index = await raw('GET', '/');

    // Assess
    expect(opened.status).toBe(303);
    expect(opened.headers.location).toBe('/');
    expect(String(opened.headers['set-cookie'])).toMatch(new RegExp(`^order_pipeline_console_${port}=${token}; Path=/; HttpOnly; SameSite=Strict$`));
    expect(wrong.status).toBe(403);
    expect(index.headers['content-security-policy']).toContain("script-src 'self'");
    expect(index.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(index.body).not.toMatch(/<script>|<script [^>]*>[^<]/);
  });

  it('checks dropped files in the browser exactly as validate does, before anything is uploaded', async () => {
    // Prepare: every sample, and a .csv.gz cut short
    const names = ['orders-valid.csv', 'orders-valid.csv.gz', 'orders-minimal.csv', 'orders-aliases.csv', 'orders-mixed.csv', 'orders-duplicate-ids.csv', 'orders-all-rejected.csv', 'orders-invalid-header.csv', 'orders-latin1.csv', 'orders-header-only.csv', 'orders-empty.csv'];
    const truncated = join(scratch, 'orders-truncated.csv.gz');
    const gz = readFileSync(join(SAMPLES, 'orders-valid.csv.gz'));
    writeFileSync(truncated, gz.subarray(0, gz.length - 6));
    const files = [...names.map((n) => join(SAMPLES, n)), truncated];

    // Act
    await page.goto(address);
    await expect.poll(() => page.url()).toBe(`http://127.0.0.1:${port}/`);
    await page.locator('input[type=file]').setInputFiles(files);
    await expect.poll(() => page.getByTestId('check').count(), { timeout: 30_000 }).toBe(files.length);

    // Assess
    for (const file of files) {
      const name = file.split('/').pop()!;
      const expected = await validateFile(file);
      expect(await checkOf(name), name).toEqual({ status: expected.status, rows: expected.rows, valid: expected.valid, rejected: expected.rejected, blank: expected.blank });
      if (expected.reason) await expect.poll(() => entry(name).getByTestId('check').textContent(), { message: name }).toContain(expected.reason);
    }
    const { count } = await raw('GET', '/api/ingestions', withToken).then((a) => ({ count: (JSON.parse(a.body) as { ingestions: unknown[] }).ingestions.length }));
    expect(count).toBe(0);
    await shot('upload');
  });

  it('lists an invalid file\'s rejected rows with line, column and reason before upload', async () => {
    // Prepare
    const expected = await validateFile(join(SAMPLES, 'orders-all-rejected.csv'));

    // Act
    const rows = await entry('orders-all-rejected.csv').locator('tbody tr').all();
    const cells = await Promise.all(rows.map(async (r) => (await r.locator('td').allTextContents()).slice(0, 3)));

    // Assess
    expect(cells).toEqual(expected.errors.slice(0, 10).map((e) => [String(e.line), e.column ?? '(row)', e.reason]));
    await expect.poll(() => entry('orders-all-rejected.csv').getByRole('button').textContent()).toBe('Upload anyway');
  });

  it('uploads a valid file and shows it reach PROCESSED with its counts', async () => {
    // Act
    await entry('orders-valid.csv').getByRole('button', { name: 'Upload' }).click();

    // Assess
    const outcome = entry('orders-valid.csv').getByTestId('outcome');
    await expect.poll(() => outcome.textContent(), { timeout: 60_000 }).toContain('PROCESSED');
    expect(await outcome.textContent()).toContain('rows 10, written 10, rejected 0');
  });

  it('uploads a partial file anyway, and its page filters the rejected rows by column, reason and text', async () => {
    // Prepare
    const expected = await validateFile(join(SAMPLES, 'orders-mixed.csv'));

    // Act
    await entry('orders-mixed.csv').getByRole('button', { name: 'Upload anyway' }).click();
    const outcome = entry('orders-mixed.csv').getByTestId('outcome');
    await expect.poll(() => outcome.textContent(), { timeout: 60_000 }).toContain('PARTIAL');
    await outcome.getByRole('link', { name: 'details' }).click();
    const table = page.getByRole('region', { name: 'rejected rows' });
    await expect.poll(() => table.locator('tbody tr').count(), { timeout: 20_000 }).toBe(expected.rejected);
    await shot('file');
    const column = expected.errors[0]!.column!;
    await page.getByLabel('column', { exact: true }).selectOption({ label: `${column} (${expected.errors.filter((e) => e.column === column).length})` });
    await expect.poll(async () => (await table.locator('tbody tr').all()).length).toBe(expected.errors.filter((e) => e.column === column).length);
    const byColumn = await table.locator('tbody tr td:nth-child(3)').allTextContents();
    await page.getByLabel('column', { exact: true }).selectOption('');
    await page.getByLabel('search', { exact: true }).fill('ORD-3001');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(expected.errors.filter((e) => e.order_id === 'ORD-3001' || e.reason.includes('ORD-3001')).length);
    await page.getByLabel('search', { exact: true }).fill('');
    const kind = page.getByLabel('reason', { exact: true });
    const firstKind = (await kind.locator('option').nth(1).getAttribute('value'))!;
    await kind.selectOption(firstKind);
    const kindCount = Number(/\((\d+)\)$/.exec((await kind.locator('option').nth(1).textContent()) ?? '')![1]);

    // Assess
    expect(byColumn.every((c) => c === column)).toBe(true);
    await expect.poll(() => table.locator('tbody tr').count()).toBe(kindCount);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('raw-data/orders-mixed.csv');
    expect(await page.locator('.lead').textContent()).toContain(`${expected.valid} of ${expected.rows} data rows were written`);
    await expect.poll(() => page.locator('pre.mail').textContent(), { timeout: 20_000 }).toContain('Outcome:    PARTIAL');
    const links = await page.locator('.downloads a').allTextContents();
    expect(links).toEqual(['cleaned CSV', 'errors report', 'original']);
    const download = await raw('GET', `/api/download?key=${encodeURIComponent((await page.locator('.downloads code').nth(2).textContent())!)}`, withToken);
    expect(download.body).toBe(readFileSync(join(SAMPLES, 'orders-mixed.csv'), 'utf8'));
    expect(download.headers['content-disposition']).toMatch(/^attachment;/);
  });

  it('shows new files on the Ingestions page without reloading', async () => {
    // Prepare
    await page.goto(`http://127.0.0.1:${port}/#/ingestions`);
    const table = page.getByRole('region', { name: 'recent ingestions' });
    await expect.poll(() => table.textContent(), { timeout: 20_000 }).toContain('raw-data/orders-valid.csv');

    // Act: a file dropped by someone else, straight into the bucket
    const key = `raw-data/live-${Date.now()}.csv`;
    await clients.s3.send(new PutObjectCommand({ Bucket: outputs.bucket_name, Key: key, Body: 'order_id,customer_name,product_name,quantity,unit_price\nLIVE-1,Ann,Pen,1,2.50\n' }));

    // Assess
    const row = table.locator('tr', { hasText: key });
    await expect.poll(() => row.textContent(), { timeout: 60_000 }).toContain('PROCESSED');
    await shot('ingestions');
  });

  it('shows a hostile key as text: no element, no script, no dialog', async () => {
    // Prepare
    const name = '<img src=x onerror=alert(1)>.csv';
    const body = Buffer.from(`order_id,customer_name,product_name,quantity,unit_price\nHOSTILE-1,"<script>alert(2)</script>",<b>Pen</b>,1,2.50\n`);

    // Act
    await dropFiles([{ name, mimeType: 'text/csv', buffer: body }]);
    await entry(name).getByRole('button', { name: 'Upload' }).click();
    await expect.poll(() => entry(name).getByTestId('outcome').textContent(), { timeout: 60_000 }).toContain('PROCESSED');
    await page.goto(`http://127.0.0.1:${port}/#/ingestions`);
    const link = page.getByRole('link', { name: `raw-data/${name}` });
    await expect.poll(() => link.count(), { timeout: 20_000 }).toBe(1);
    await link.click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(`raw-data/${name}`);

    // Assess
    expect(await page.locator('main img').count()).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it('relays a large file to S3 in parts, with its bytes intact', async () => {
    // Prepare: just over one 8 MiB part, which the pipeline refuses by its first bytes (a PDF): nothing to process
    const big = Buffer.alloc(8 * 1024 * 1024 + 4096, '%PDF-1.7\n');
    const name = 'big-upload.pdf';

    // Act
    await dropFiles([{ name, mimeType: 'text/plain', buffer: big }]);
    await entry(name).getByRole('button', { name: 'Upload anyway' }).click();
    await expect.poll(() => entry(name).getByTestId('outcome').textContent(), { timeout: 60_000 }).toContain('FAILED');
    const list = JSON.parse((await raw('GET', '/api/ingestions', withToken)).body) as { ingestions: { item: { key: string; size: number; etag: string; failed_key: string } }[] };
    const item = list.ingestions.find((i) => i.item.key === `raw-data/${name}`)!.item;
    const original = await rawBytes(`/api/download?key=${encodeURIComponent(item.failed_key)}`);

    // Assess: two parts of 8 MiB at most (a multipart ETag ends in -2), every byte there
    expect(item.size).toBe(big.length);
    expect(item.etag).toMatch(/-2$/);
    expect(original.equals(big)).toBe(true);
  });

  it('redrives a planted dead-letter message, after asking', async () => {
    // Prepare: an S3 test event, which the processor acknowledges once it is back
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: outputs.dead_letter_queue_url, MessageBody: JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent' }) }));
    await page.goto(`http://127.0.0.1:${port}/#/operations`);
    await expect.poll(() => page.getByTestId('dlq-ingest').textContent(), { timeout: 20_000 }).toBe('1');
    await shot('operations');

    // Act
    await page.getByRole('button', { name: 'Redrive dead letters' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Redrive' }).click();

    // Assess
    await expect.poll(() => page.locator('.result').first().textContent(), { timeout: 30_000 }).toContain('moved 1 message(s) from the ingest DLQ to the ingest queue');
    await expect.poll(() => page.getByTestId('dlq-ingest').textContent(), { timeout: 20_000 }).toBe('0');
  });

  it('pauses and resumes delivery, each after asking', async () => {
    // Act
    await page.getByRole('button', { name: 'Pause delivery' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => page.getByTestId('delivery').textContent(), { timeout: 20_000 }).toContain('PAUSED');
    const paused = JSON.parse(readFileSync(join(home, 'delivery.json'), 'utf8')) as { enabled: boolean };
    await page.getByRole('button', { name: 'Resume delivery' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => page.getByTestId('delivery').textContent(), { timeout: 20_000 }).toContain('running');
    const resumed = JSON.parse(readFileSync(join(home, 'delivery.json'), 'utf8')) as { enabled: boolean };

    // Assess
    expect(paused.enabled).toBe(false);
    expect(resumed.enabled).toBe(true);
    expect(await page.locator('.result').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('resumed (was paused')]));
  });

  it('charts the dashboard\'s metrics and lists the captured alert e-mails', async () => {
    // Act
    await page.goto(`http://127.0.0.1:${port}/#/dashboard`);
    await expect.poll(() => page.locator('.chart canvas').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    await shot('dashboard');
    await page.goto(`http://127.0.0.1:${port}/#/alerts`);
    const partial = page.locator('summary', { hasText: 'PARTIAL: orders-mixed.csv' });
    await expect.poll(() => partial.count(), { timeout: 20_000 }).toBe(1);
    await partial.click();
    await shot('alerts');

    // Assess
    expect(await page.locator('details', { has: partial }).locator('pre.mail').textContent()).toContain('Outcome:    PARTIAL');
  });

  it('checks files in the browser under the order schema ORDER_SCHEMA names, as validate --schema does', async () => {
    // Prepare: a second console, started with the extra-columns sample's schema
    const schemaFile = join(SAMPLES, 'extra-columns', 'order-schema.json');
    const file = join(SAMPLES, 'extra-columns', 'orders.csv');
    let output = '';
    const second = await startChild(['console', '--no-open'], /^http:\/\/127\.0\.0\.1:\d+\/\S*$/m, (t) => (output += t), { ORDER_SCHEMA: schemaFile });
    const other = await browser.newPage();
    try {
      const secondAddress = output.split('\n').find((l) => l.startsWith('http://127.0.0.1:'))!.trim();
      const expected = await validateFile(file, { schema: loadSchemaFile(schemaFile) });
      const builtIn = await validateFile(file);

      // Act
      await other.goto(secondAddress);
      await other.locator('input[type=file]').setInputFiles([file]);
      await expect.poll(() => other.getByTestId('check').count(), { timeout: 30_000 }).toBe(1);
      const text = (await other.getByTestId('check').locator('p').first().textContent()) ?? '';

      // Assess: the schema's verdict (its extra columns checked), not the built-in one's
      expect(expected.rejected).not.toBe(builtIn.rejected);
      expect(text).toMatch(new RegExp(`Check: ${expected.status} rows ${expected.rows}, valid ${expected.valid}, rejected ${expected.rejected}, blank ${expected.blank}`));
      expect(await other.locator('main').textContent()).toContain(`under the order schema ${loadSchemaFile(schemaFile).identity.name} version`);
    } finally {
      await other.close();
      await stopChild(second, 'SIGTERM');
    }
  });

  it('ran without a script error or a blocked resource, and stops cleanly on SIGTERM', async () => {
    // Act
    const code = await stopChild(consoleProcess, 'SIGTERM');

    // Assess
    expect(pageProblems).toEqual([]);
    expect(code).toBe(0);
    expect(consoleOutput).toContain('console stopped (SIGTERM)');
  });
});
