import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { assertTerraformInstalled, findProviderMirror, initStack, readOutputs, terraform } from '../../tooling/terraform.ts';

const scratch = mkdtempSync(join(tmpdir(), 'order-pipeline-tfcli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('findProviderMirror', () => {
  it('prefers TF_PLUGIN_DIR when it is set', () => {
    expect(findProviderMirror({ TF_PLUGIN_DIR: '/somewhere/plugins' })).toBe('/somewhere/plugins');
  });

  it('finds a directory holding registry.terraform.io/hashicorp/aws without TF_PLUGIN_DIR (this image has one)', () => {
    // Act
    const found = findProviderMirror({ HOME: scratch });

    // Assess
    expect(found, 'this machine image ships a provider mirror; set TF_PLUGIN_DIR if it moved').toBeDefined();
  });
});

describe('assertTerraformInstalled', () => {
  it('says how to install Terraform when it is not on PATH', () => {
    expect(() => assertTerraformInstalled({ PATH: scratch })).toThrow(/install Terraform ≥ 1\.5 from https:\/\/developer\.hashicorp\.com\/terraform\/install/);
  });

  it('returns the version of the Terraform on PATH', () => {
    expect(assertTerraformInstalled()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('terraform', () => {
  it('carries the tail of stderr in the error of a failing command', async () => {
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
  it('says what the mirror must contain when TF_PLUGIN_DIR lacks the AWS provider', async () => {
    // Act
    const attempt = initStack(scratch, { env: { TF_PLUGIN_DIR: scratch } });

    // Assess
    await expect(attempt).rejects.toThrow(/has no registry\.terraform\.io\/hashicorp\/aws: point TF_PLUGIN_DIR at a directory made with `terraform providers mirror DIR`/);
  });
});

describe('scripts/terraform.ts', () => {
  it('prints the usage and exits 64 on an unknown action', () => {
    // Act
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/terraform.ts', 'plan'], { encoding: 'utf8' });

    // Assess
    expect(result.status).toBe(64);
    expect(result.stderr).toContain('usage: node --import tsx scripts/terraform.ts <apply|destroy> [-auto-approve]');
  });
});

describe('readOutputs', () => {
  it('names the missing outputs of a directory that was never applied', async () => {
    // Prepare
    const dir = join(scratch, 'empty');
    mkdirSync(dir);

    // Act
    const attempt = readOutputs(dir, {});

    // Assess
    await expect(attempt).rejects.toThrow(/has no output bucket_name, orders_table_name.*has it been applied\?/);
  }, 60_000);
});
