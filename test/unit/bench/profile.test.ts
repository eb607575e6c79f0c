import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageOf, summariseProfile, type CpuProfile } from '../../../bench/profile.ts';
import { PROJECT_ROOT } from '../../../tooling/project.ts';

const projectUrl = (path: string) => pathToFileURL(join(PROJECT_ROOT, path)).href;

/** A call tree (parent → children) and the samples that hit each node, 1 ms apart. */
function profileOf(frames: { id: number; fn: string; url: string; children?: number[] }[], hits: Record<number, number>): CpuProfile {
  const samples = Object.entries(hits).flatMap(([id, n]) => Array<number>(n).fill(Number(id)));
  return {
    nodes: frames.map((f) => ({ id: f.id, callFrame: { functionName: f.fn, url: f.url, lineNumber: 0 }, ...(f.children ? { children: f.children } : {}) })),
    samples,
    timeDeltas: samples.map(() => 1000),
  };
}

describe('packageOf', () => {
  it.each([
    ['file:///x/node_modules/@smithy/core/dist-cjs/index.js', 'f', '@smithy/core'],
    ['file:///x/node_modules/tsx/dist/esm/index.mjs', 'f', 'tsx'],
    ['node:internal/streams/readable', 'f', 'node:streams'],
    ['node:_http_client', 'f', 'node:http'],
    ['node:internal/crypto/hash', 'f', 'node:crypto'],
    ['', '(garbage collector)', '(garbage collector)'],
    ['', 'writev', '(native: V8 builtins, node bindings)'],
  ])('names %s (%s) as %s', (url, fn, expected) => {
    // Act
    const name = packageOf(url, fn);

    // Assess
    expect(name).toBe(expected);
  });

  it('groups the processor by its directory', () => {
    // Act
    const contract = packageOf(projectUrl('functions/order-processor/contract/rules.ts'), 'validateRow');
    const top = packageOf(projectUrl('functions/order-processor/handler.ts'), 'handler');

    // Assess
    expect(contract).toBe('processor contract/');
    expect(top).toBe('processor (top level)');
  });
});

describe('summariseProfile', () => {
  const smithy = 'file:///x/node_modules/@smithy/core/index.js';
  const frames = [
    { id: 1, fn: '(root)', url: '', children: [2, 5, 6, 7] },
    { id: 2, fn: 'send', url: smithy, children: [3] },
    { id: 3, fn: 'schemaLogFilter', url: smithy, children: [4] },
    { id: 4, fn: 'walk', url: smithy },
    { id: 5, fn: '(idle)', url: '' },
    { id: 6, fn: 'startProfile', url: projectUrl('bench/profile.ts') },
    { id: 7, fn: 'validateRow', url: projectUrl('functions/order-processor/contract/rules.ts') },
  ];

  it('adds self time by package and inclusive time of watched functions, leaving out idle and the profiler', () => {
    // Prepare
    const profile = profileOf(frames, { 2: 2, 3: 1, 4: 3, 5: 50, 6: 40, 7: 4 });

    // Act
    const summary = summariseProfile(profile, 'p.cpuprofile');

    // Assess
    expect(summary.sampledMs).toBe(10);
    expect(summary.byPackage).toEqual([
      { name: '@smithy/core', ms: 6, share: 0.6 },
      { name: 'processor contract/', ms: 4, share: 0.4 },
    ]);
    expect(summary.topFunctions[0]).toMatchObject({ name: 'validateRow', ms: 4 });
    expect(summary.watched.find((w) => w.name.includes('schemaLogFilter'))).toMatchObject({ ms: 4, share: 0.4 });
    expect(summary.watched.find((w) => w.name.includes('CSV contract'))).toMatchObject({ ms: 4 });
  });
});
