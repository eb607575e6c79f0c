import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { assertTerraformInstalled, findProviderMirror, initStack, readOutputs, terraform } from '../../tooling/terraform.ts';

const scratch = mkdtempSync(join(tmpdir(), 'order-pipeline-tfcli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('findProviderMirror', () => {
  it('GIVEN TF_PLUGIN_DIR WHEN searching THEN it wins', () => {
    expect(findProviderMirror({ TF_PLUGIN_DIR: '/somewhere/plugins' })).toBe('/somewhere/plugins');
  });

  it('GIVEN no TF_PLUGIN_DIR WHEN searching THEN a directory holding registry.terraform.io/hashicorp/aws is found (this image has one)', () => {
    // Act
    const found = findProviderMirror({ HOME: scratch });

    // Assess
    expect(found, 'this machine image ships a provider mirror; set TF_PLUGIN_DIR if it moved').toBeDefined();
  });
});

describe('assertTerraformInstalled', () => {
  it('GIVEN no terraform on PATH WHEN checked THEN the error says how to install it', () => {
    expect(() => assertTerraformInstalled({ PATH: scratch })).toThrow(/install Terraform ≥ 1\.5 from https:\/\/developer\.hashicorp\.com\/terraform\/install/);
  });

  it('GIVEN terraform on PATH WHEN checked THEN its version is returned', () => {
    expect(assertTerraformInstalled()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('terraform', () => {
  it('GIVEN a failing command WHEN run THEN the error carries the tail of stderr', async () => {
    // Prepare
    const dir = join(scratch, 'broken');
    mkdirSync(dir);

    // Act
    const attempt = terraform(['plan', '-no-color', '-var-file=missing.tfvars'], { cwd: dir, env: {} });

    // Assess
    await expect(attempt).rejects.toThrow(/terraform plan failed \(exit 1\)[\s\S]*missing\.tfvars/);
  }, 60_000);
});

describe('initStack', () => {
  it('GIVEN TF_PLUGIN_DIR without the AWS provider WHEN initialising THEN the error says what the mirror must contain', async () => {
    // Act
    const attempt = initStack(scratch, { env: { TF_PLUGIN_DIR: scratch } });

    // Assess
    await expect(attempt).rejects.toThrow(/has no registry\.terraform\.io\/hashicorp\/aws: point TF_PLUGIN_DIR at a directory made with `terraform providers mirror DIR`/);
  });
});

describe('scripts/terraform.ts', () => {
  it('GIVEN an unknown action WHEN run THEN it prints the usage and exits 64', () => {
    // Act
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/terraform.ts', 'plan'], { encoding: 'utf8' });

    // Assess
    expect(result.status).toBe(64);
    expect(result.stderr).toContain('usage: tsx scripts/terraform.ts <apply|destroy> [-auto-approve]');
  });
});

describe('readOutputs', () => {
  it('GIVEN a directory that was never applied WHEN read THEN it names the missing outputs', async () => {
    // Prepare
    const dir = join(scratch, 'empty');
    mkdirSync(dir);

    // Act
    const attempt = readOutputs(dir, {});

    // Assess
    await expect(attempt).rejects.toThrow(/has no output bucket_name, orders_table_name.*has it been applied\?/);
  }, 60_000);
});
