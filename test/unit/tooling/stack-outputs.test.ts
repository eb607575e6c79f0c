import { describe, expect, it } from 'vitest';
import { OUTPUT_NAMES } from '../../../modules/outputs.ts';
import { checkOutputs, missingOutputs, normaliseOutputs, PARTS_OUTPUTS, partsQueueUrls } from '../../../tooling/stack-outputs.ts';

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

  it('accepts the outputs of a deployment made before the parts queue existed', () => {
    // Prepare
    const { parts_queue_url: _q, parts_dead_letter_queue_url: _d, ...older } = OUTPUTS;

    // Act
    const outputs = checkOutputs(older, 'out.json');

    // Assess
    expect(missingOutputs(older)).toEqual([]);
    expect(outputs.bucket_name).toBe('value-of-bucket_name');
  });

  it('keeps outputs the tooling does not know', () => {
    // Act
    const outputs = checkOutputs({ ...OUTPUTS, extra_output: 'x' }, 'out.json');

    // Assess
    expect(outputs).toMatchObject({ extra_output: 'x', bucket_name: 'value-of-bucket_name' });
  });
});

describe('partsQueueUrls', () => {
  it('gives the parts queue and its DLQ when the outputs have both', () => {
    // Assess
    expect(partsQueueUrls(OUTPUTS)).toEqual({ queue: 'value-of-parts_queue_url', deadLetter: 'value-of-parts_dead_letter_queue_url' });
    expect(PARTS_OUTPUTS.every((name) => name in OUTPUTS)).toBe(true);
  });

  it('gives null for a deployment without them, or with only one of them', () => {
    // Prepare
    const { parts_queue_url: _q, parts_dead_letter_queue_url: _d, ...older } = OUTPUTS;

    // Assess
    expect(partsQueueUrls(older)).toBeNull();
    expect(partsQueueUrls({ ...older, parts_queue_url: 'q' })).toBeNull();
    expect(partsQueueUrls({ ...older, parts_queue_url: 'q', parts_dead_letter_queue_url: '' })).toBeNull();
  });
});
