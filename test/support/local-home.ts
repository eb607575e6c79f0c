import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

/**
 * Scratch local homes for the calling test file: `make()` creates an empty directory, and after
 * each test every one made is removed and ORDER_PIPELINE_HOME is restored.
 */
export function useScratchHomes(prefix: string): { make: () => string } {
  const saved = process.env.ORDER_PIPELINE_HOME;
  const made: string[] = [];
  afterEach(() => {
    if (saved === undefined) delete process.env.ORDER_PIPELINE_HOME;
    else process.env.ORDER_PIPELINE_HOME = saved;
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return {
    make: () => {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      made.push(dir);
      return dir;
    },
  };
}
