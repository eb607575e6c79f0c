import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluateTargets, readResults, replaceSections, sections } from '../../../bench/report.ts';
import { DOC_PATH } from '../../../bench/results.ts';

describe('replaceSections', () => {
  it('replaces the text between each pair of markers and keeps the rest', () => {
    // Prepare
    const doc = 'prose\n<!-- bench:a -->\nold\n<!-- /bench:a -->\nmore prose\n';

    // Act
    const out = replaceSections(doc, { a: '| new |' });

    // Assess
    expect(out).toBe('prose\n<!-- bench:a -->\n| new |\n<!-- /bench:a -->\nmore prose\n');
  });

  it('names the markers a document lacks', () => {
    expect(() => replaceSections('no markers', { targets: 'x' })).toThrow('<!-- bench:targets --> … <!-- /bench:targets -->');
  });
});

describe('docs/performance.md', () => {
  it("holds the tables of the recorded run, bench/results.json (regenerate with `npm run bench:doc`)", () => {
    // Prepare
    const doc = readFileSync(DOC_PATH, 'utf8');

    // Act
    const regenerated = replaceSections(doc, sections(readResults()));

    // Assess
    expect(doc).toBe(regenerated);
  });

  it('judges the recorded run against every target, hostile inputs included', () => {
    // Act
    const targets = evaluateTargets(readResults());

    // Assess
    expect(targets.map((t) => t.id)).toEqual(['instant-ratio', 'instant-cpu', 'moto-ratio', 'big-rss', 'rss-growth', 'zip', 'load', 'hostile-time', 'hostile-rss']);
    expect(targets.every((t) => Number.isFinite(t.value))).toBe(true);
  });
});
