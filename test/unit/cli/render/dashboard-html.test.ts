import { describe, expect, it } from 'vitest';
import { chartSvg, dashboardHtml, escapeHtml } from '../../../../cli/render/dashboard-html.ts';

describe('dashboardHtml', () => {
  it('is one self-contained page: inline SVG, no external references, escaped labels', () => {
    // Prepare
    const window = { start: new Date('2026-11-22T04:00:00Z'), end: new Date('2026-11-22T04:03:00Z'), period: 60 };
    const widget = {
      title: 'Files <by> outcome',
      series: [
        {
          spec: { namespace: 'OrderPipeline', metricName: 'FilesProcessed', dimensions: [], stat: 'Sum', label: 'Processed & done', period: 60 },
          values: [1, null, 3],
          total: 4,
          latest: 3,
        },
      ],
    };

    // Act
    const html = dashboardHtml({ name: 'order-pipeline-local', target: 'local', window, widgets: [widget] });

    // Assess
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<svg');
    expect(html).toContain('Files &lt;by&gt; outcome');
    expect(html).toContain('Processed &amp; done <b>4</b>');
    expect(html).not.toMatch(/(src|href)=["']?https?:/);
    expect(html).not.toContain('<script');
  });

  it('draws one point per value with data', () => {
    // Prepare
    const window = { start: new Date(0), end: new Date(180_000), period: 60 };
    const widget = {
      title: 't',
      series: [{ spec: { namespace: 'N', metricName: 'M', dimensions: [], stat: 'Sum', label: 'M', period: 60 }, values: [1, null, 3], total: 4, latest: 3 }],
    };

    // Act
    const svg = chartSvg(widget, window);

    // Assess
    expect(svg.match(/<circle/g)).toHaveLength(2);
  });

  it('escapes quotes too', () => {
    // Assess
    expect(escapeHtml(`"a" 'b'`)).toBe('&quot;a&quot; &#39;b&#39;');
  });
});
