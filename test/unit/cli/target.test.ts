import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../cli/exit.ts';
import { connectTarget } from '../../../cli/target.ts';
import { useScratchHomes } from '../../support/local-home.ts';

describe('connectTarget', () => {
  const homes = useScratchHomes('cli-target-');

  it('refuses a --target other than local or aws as a usage error', async () => {
    // Act
    const attempt = connectTarget({ target: 'staging' }, { quiet: true });

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(UsageError);
    await expect(attempt).rejects.toThrow('--target must be "local" or "aws", not "staging"');
  });

  it('asks for a target, as a usage error, when none is named and no local pipeline runs', async () => {
    // Prepare
    const home = homes.make();
    process.env.ORDER_PIPELINE_HOME = home;

    // Act
    const attempt = connectTarget({}, { quiet: true });

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(UsageError);
    await expect(attempt).rejects.toThrow(`no target: ${join(home, 'outputs.json')} does not exist`);
  });
});
