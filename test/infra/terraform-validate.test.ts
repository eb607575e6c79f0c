import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assertTerraformInstalled, findProviderMirror, initStack, synthStack, terraform } from '../../tooling/terraform.ts';
import { FIXTURE_BUNDLE_DIR } from './synth.ts';

const NO_MIRROR =
  'No Terraform provider mirror found: set TF_PLUGIN_DIR to a directory holding registry.terraform.io/hashicorp/aws/5.100.0/<os_arch>/ ' +
  '(create one with `terraform providers mirror DIR` on a machine with registry access).';

describe('terraform validate', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'order-pipeline-validate-'));
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('passes terraform validate with the real AWS provider on npm run synth output', async () => {
    // Prepare: terraform and the provider mirror are required, not optional
    assertTerraformInstalled();
    const mirror = findProviderMirror();
    if (!mirror) throw new Error(NO_MIRROR);
    const env = { PIPELINE_STAGE: 'validate', AWS_REGION: 'eu-west-1', ALERT_EMAILS: 'ops@example.com', PROCESSOR_BUNDLE_DIR: FIXTURE_BUNDLE_DIR };
    const lines: string[] = [];

    // Act
    const stackDir = await synthStack({ env, outDir });
    await initStack(stackDir, { env, backend: false, onLine: (l) => lines.push(l) });
    await terraform(['validate', '-no-color'], { cwd: stackDir, env, onLine: (l) => lines.push(l) });

    // Assess
    expect(stackDir).toBe(join(outDir, 'stacks', 'order-pipeline-validate'));
    expect(lines.join('\n')).toContain(`providers from the mirror ${mirror}`);
    expect(lines.join('\n')).toContain('Success! The configuration is valid.');
  }, 180_000);

  it('stops main.ts with the variable, value and expectation on a bad configuration', async () => {
    // Act
    const attempt = synthStack({ env: { LAMBDA_MEMORY_MB: '64', PIPELINE_STAGE: 'Prod' }, outDir: join(outDir, 'bad') });

    // Assess
    await expect(attempt).rejects.toThrow(/exit 2[\s\S]*PIPELINE_STAGE="Prod": expected[\s\S]*LAMBDA_MEMORY_MB="64": expected an integer from 128 to 10240/);
  }, 60_000);
});
