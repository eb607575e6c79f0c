import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OUTPUT_NAMES } from '../../../modules/outputs.ts';
import { localHome, localPaths, readDeliveryState, readLocalOutputs, writeDeliveryState } from '../../../deployment/local-home.ts';
import { useScratchHomes } from '../../support/local-home.ts';

const OUTPUTS: Record<string, string> = Object.fromEntries(OUTPUT_NAMES.map((name) => [name, `value-of-${name}`]));

describe('the local home', () => {
  const homes = useScratchHomes('local-home-');
  const aHome = homes.make;

  it('lives in $ORDER_PIPELINE_HOME when it is set', () => {
    // Prepare
    const home = aHome();
    process.env.ORDER_PIPELINE_HOME = home;

    // Assess
    expect(localHome()).toBe(home);
    expect(localPaths().outputs).toBe(join(home, 'outputs.json'));
  });

  it('reads outputs.json with the endpoint and every stack output, and nothing when it is absent', () => {
    // Prepare
    const home = aHome();
    const empty = readLocalOutputs(home);
    writeFileSync(localPaths(home).outputs, JSON.stringify({ endpoint: 'http://127.0.0.1:5000', ...OUTPUTS }));

    // Act
    const outputs = readLocalOutputs(home);

    // Assess
    expect(empty).toBeNull();
    expect(outputs).toMatchObject({ endpoint: 'http://127.0.0.1:5000', bucket_name: 'value-of-bucket_name' });
  });

  it('refuses an outputs.json without the emulator endpoint', () => {
    // Prepare
    const home = aHome();
    writeFileSync(localPaths(home).outputs, JSON.stringify(OUTPUTS));

    // Assess
    expect(() => readLocalOutputs(home)).toThrow('lacks "endpoint"');
  });

  it('keeps the delivery state the poller reads before each receive', () => {
    // Prepare
    const file = localPaths(aHome()).delivery;
    const state = {
      enabled: false,
      mappings: [
        { queue: 'ingest', uuid: 'u1', batch_size: 5 },
        { queue: 'parts', uuid: 'u2', batch_size: 1 },
      ],
      changed_at: '2026-01-01T00:00:00.000Z',
      reason: 'order-pipeline pause',
    };

    // Act
    const before = readDeliveryState(file);
    writeDeliveryState(file, state);

    // Assess
    expect(before).toBeNull();
    expect(readDeliveryState(file)).toEqual(state);
  });
});
