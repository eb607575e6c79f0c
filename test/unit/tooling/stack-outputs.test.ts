import { describe, expect, it } from 'vitest';
import { OUTPUT_NAMES } from '../../../modules/outputs.ts';
import { checkOutputs, missingOutputs, normaliseOutputs } from '../../../tooling/stack-outputs.ts';

/** Every output the stack declares, with a made-up value. */
const OUTPUTS: Record<string, string> = Object.fromEntries(OUTPUT_NAMES.map((name) => [name, `value-of-${name}`]));

describe('normaliseOutputs', () => {
  it('accepts `terraform output -json` and flat JSON alike', () => {
    // Prepare
    const tf = Object.fromEntries(Object.entries(OUTPUTS).map(([k, v]) => [k, { value: v, type: 'string', sensitive: false }]));

    // Assess
    expect(normaliseOutputs(tf, 'x')).toEqual(OUTPUTS);
    expect(normaliseOutputs(OUTPUTS, 'x')).toEqual(OUTPUTS);
  });

  it('refuses JSON that is not an object of outputs', () => {
    // Assess
    expect(() => normaliseOutputs(['bucket_name'], 'out.json')).toThrow('out.json: expected a JSON object of Terraform outputs');
  });
});

describe('checkOutputs', () => {
  it('names the missing outputs', () => {
    // Prepare
    const { dashboard_name: _d, region: _r, ...partial } = OUTPUTS;

    // Assess
    expect(missingOutputs(partial)).toEqual(['dashboard_name', 'region']);
    expect(() => checkOutputs(partial, 'out.json')).toThrow('out.json lacks the stack output(s) dashboard_name, region');
  });

  it('requires the parts queue: every deployment has one', () => {
    // Prepare
    const { parts_queue_url: _q, parts_dead_letter_queue_url: _d, ...older } = OUTPUTS;

    // Act / Assess
    expect(missingOutputs(older)).toEqual(['parts_queue_url', 'parts_dead_letter_queue_url']);
  });

  it('keeps outputs the tooling does not know', () => {
    // Act
    const outputs = checkOutputs({ ...OUTPUTS, extra_output: 'x' }, 'out.json');

    // Assess
    expect(outputs).toMatchObject({ extra_output: 'x', bucket_name: 'value-of-bucket_name' });
  });
});
