/**
 * The console's front end, bundled by esbuild when the console starts (a fraction of a second) and
 * served from memory: nothing is fetched from elsewhere, nothing is written to the tree. Two
 * bundles: the page (Preact + uPlot) and the check's Web Worker, which runs the processor's own CSV
 * contract in the browser; the few Node built-ins the contract touches are replaced by small
 * browser equivalents in console/web/shims/ (docs/console.md, "The check in the browser").
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { PROJECT_ROOT } from '../tooling/project.ts';

export interface Asset {
  body: Uint8Array;
  type: string;
}

export type Assets = Map<string, Asset>;

export const WEB_DIR = join(PROJECT_ROOT, 'console', 'web');
const SHIMS = join(WEB_DIR, 'shims');

/** Node built-ins the bundled contract imports, and the browser stand-in of each. */
export const NODE_SHIMS: Record<string, string> = {
  'node:buffer': join(SHIMS, 'node-buffer.ts'),
  'node:stream': join(SHIMS, 'node-stream.ts'),
  'node:zlib': join(SHIMS, 'node-zlib.ts'),
  'node:fs': join(SHIMS, 'node-fs.ts'),
  'node:fs/promises': join(SHIMS, 'node-fs.ts'),
  'node:crypto': join(SHIMS, 'node-crypto.ts'),
};

const nodeShims: Plugin = {
  name: 'node-shims',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => {
      const path = NODE_SHIMS[args.path];
      if (!path) return { errors: [{ text: `${args.path} has no browser stand-in in console/web/shims (imported by ${args.importer})` }] };
      return { path };
    });
  },
};

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
};

const typeOf = (path: string): string => TYPES[path.slice(path.lastIndexOf('.'))] ?? 'application/octet-stream';

const COMMON = {
  bundle: true,
  write: false,
  outdir: '/',
  format: 'esm',
  platform: 'browser',
  target: ['chrome120', 'firefox120', 'safari17'],
  minify: true,
  sourcemap: false,
  logLevel: 'silent',
  legalComments: 'none',
} satisfies BuildOptions;

/** Bundles the page and the worker; returns every asset by its URL path. */
export async function buildAssets(): Promise<Assets> {
  const [page, worker] = await Promise.all([
    build({ ...COMMON, entryPoints: { 'assets/app': join(WEB_DIR, 'app.tsx') }, jsx: 'automatic', jsxImportSource: 'preact', plugins: [nodeShims] }),
    build({
      ...COMMON,
      entryPoints: { 'assets/check-worker': join(WEB_DIR, 'check-worker.ts') },
      // The contract calls Buffer without importing it (a Node global).
      inject: [join(SHIMS, 'buffer-global.ts')],
      plugins: [nodeShims],
    }),
  ]);
  const assets: Assets = new Map();
  for (const file of [...(page.outputFiles ?? []), ...(worker.outputFiles ?? [])]) assets.set(file.path, { body: file.contents, type: typeOf(file.path) });
  for (const name of ['index.html', 'favicon.svg']) assets.set(`/${name === 'index.html' ? name : `assets/${name}`}`, { body: readFileSync(join(WEB_DIR, name)), type: typeOf(name) });
  return assets;
}
