import { describe, expect, it } from 'vitest';
import { run } from '../../../../cli/commands/console.ts';
import { UsageError } from '../../../../cli/exit.ts';

describe('console options', () => {
  it('refuses a wildcard or a name for --host before connecting to anything', async () => {
    // Assess
    await expect(run(['--host', '0.0.0.0', '--no-open'])).rejects.toThrow(UsageError);
    await expect(run(['--host', '::', '--no-open'])).rejects.toThrow('not the wildcard');
    await expect(run(['--host', 'example.com', '--no-open'])).rejects.toThrow('--host must be an IP address');
  });

  it('refuses a port outside 1–65535', async () => {
    // Assess
    await expect(run(['--port', '0', '--no-open'])).rejects.toThrow('--port must be an integer 1–65535');
  });
});
