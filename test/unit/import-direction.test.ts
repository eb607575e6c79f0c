/**
 * Dependencies point one way (docs/architecture.md): `functions/` ← `modules/` ← `tooling/` ←
 * `deployment/` ← `local/` ← `cli/` and `console/`; `scripts/`, `bench/` and `test/` use them, and `bench/` never
 * imports `test/`. A static scan of every relative import specifier, so a new import against the
 * rule fails here rather than in review.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../tooling/project.ts';

/**
 * The layers, lowest first: each may import only the layers before it (and itself). The CLI and the
 * web console are one top layer: `console` is a CLI command, and the page uses the CLI's pure
 * renderers so both say the same words.
 */
const LAYERS = ['functions', 'modules', 'tooling', 'deployment', 'local', 'cli', 'console'] as const;
const RANK: Record<(typeof LAYERS)[number], number> = { functions: 0, modules: 1, tooling: 2, deployment: 3, local: 4, cli: 5, console: 5 };
/** Users of the layers: they may import any layer, but no layer imports them. */
const USERS = ['scripts', 'bench', 'test'] as const;
type Folder = (typeof LAYERS)[number] | (typeof USERS)[number];

/** `from '…'`, `import '…'`, `import('…')` and `export … from '…'`, over line breaks. */
const SPECIFIER = /(?:\bfrom|\bimport)\s*\(?\s*['"]([^'"\n]+)['"]/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return /\.(ts|mts|mjs|js)$/.test(entry.name) ? [path] : [];
  });
}

/** The top folder of a path inside the repository, or undefined outside the scanned folders. */
function folderOf(path: string): Folder | undefined {
  const top = relative(PROJECT_ROOT, path).split(sep)[0];
  return [...LAYERS, ...USERS].find((folder) => folder === top);
}

const isLayer = (folder: Folder): folder is (typeof LAYERS)[number] => (LAYERS as readonly string[]).includes(folder);

/**
 * Whether `from` may import `to` under the rule: a layer only the layers below it; the users any
 * layer; the tests anything (they test bench/ and scripts/ too); bench/ the generator in scripts/.
 */
function allowed(from: Folder, to: Folder): boolean {
  if (from === to || from === 'test') return true;
  if (isLayer(to)) return !isLayer(from) || RANK[to] <= RANK[from];
  return from === 'bench' && to === 'scripts';
}

/** Every import that breaks the rule, as `file → specifier`. */
function violations(): string[] {
  const found: string[] = [];
  for (const folder of [...LAYERS, ...USERS]) {
    for (const file of sourceFiles(join(PROJECT_ROOT, folder))) {
      const text = readFileSync(file, 'utf8');
      for (const [, specifier] of text.matchAll(SPECIFIER)) {
        if (!specifier!.startsWith('.')) continue;
        const target = folderOf(resolve(dirname(file), specifier!));
        if (target && !allowed(folder, target)) found.push(`${relative(PROJECT_ROOT, file)} → ${specifier}`);
      }
    }
  }
  return found;
}

describe('import direction', () => {
  it('the rule itself: lower layers never import higher ones, nothing imports bench/ or test/', () => {
    expect(allowed('deployment', 'tooling')).toBe(true);
    expect(allowed('deployment', 'local')).toBe(false);
    expect(allowed('functions', 'modules')).toBe(false);
    expect(allowed('cli', 'functions')).toBe(true);
    expect(allowed('bench', 'cli')).toBe(true);
    expect(allowed('bench', 'test')).toBe(false);
    expect(allowed('cli', 'bench')).toBe(false);
    expect(allowed('scripts', 'bench')).toBe(false);
    expect(allowed('test', 'bench')).toBe(true);
    expect(allowed('bench', 'scripts')).toBe(true);
    expect(allowed('console', 'cli')).toBe(true);
    expect(allowed('cli', 'console')).toBe(true);
    expect(allowed('local', 'console')).toBe(false);
    expect(allowed('console', 'bench')).toBe(false);
  });

  it('the scan finds imports written over several lines and dynamic ones', () => {
    const text = "import {\n  a,\n} from '../local/x.ts';\nconst m = await import('../cli/y.ts');";
    expect([...text.matchAll(SPECIFIER)].map((m) => m[1])).toEqual(['../local/x.ts', '../cli/y.ts']);
  });

  it('every relative import in the repository follows the rule', () => {
    expect(violations()).toEqual([]);
  });
});
