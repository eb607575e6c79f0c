import { describe, expect, it } from 'vitest';
import { bucketValues, parseDashboardBody, timeWindow, toQuery } from '../../../deployment/dashboard-data.ts';
import { chartSvg, dashboardHtml, escapeHtml } from '../../../cli/render/dashboard-html.ts';

const BODY = JSON.stringify({
  widgets: [
    { type: 'text', properties: { markdown: '# title' } },
    {
      type: 'metric',
      properties: {
        title: 'Files',
        period: 300,
        stat: 'Average',
        metrics: [
          ['OrderPipeline', 'FilesProcessed', 'service', 'order-processor', { stat: 'Sum' }],
          ['.', 'FilesFailed', '.', '.'],
          [{ expression: 'm1+m2', label: 'all' }],
        ],
      },
    },
  ],
});

describe('parseDashboardBody', () => {
  it('reads metric rows, resolving "." and widget defaults, skipping text widgets and expressions', () => {
    // Act
    const widgets = parseDashboardBody(BODY);

    // Assess
    expect(widgets).toEqual([
      {
        title: 'Files',
        metrics: [
          { namespace: 'OrderPipeline', metricName: 'FilesProcessed', dimensions: [{ name: 'service', value: 'order-processor' }], stat: 'Sum', label: 'FilesProcessed (Sum)', period: 300 },
          { namespace: 'OrderPipeline', metricName: 'FilesFailed', dimensions: [{ name: 'service', value: 'order-processor' }], stat: 'Average', label: 'FilesFailed (Average)', period: 300 },
        ],
      },
    ]);
  });

  it('fails clearly on a body that is not JSON', () => {
    // Assess
    expect(() => parseDashboardBody('<html>')).toThrow('the dashboard body is not JSON');
  });
});

describe('toQuery', () => {
  it('builds a GetMetricData query with the metric, the period and the statistic', () => {
    // Prepare
    const spec = parseDashboardBody(BODY)[0]!.metrics[0]!;

    // Act
    const query = toQuery(spec, 'w0m0', 60);

    // Assess
    expect(query).toEqual({
      Id: 'w0m0',
      ReturnData: true,
      Label: 'FilesProcessed (Sum)',
      MetricStat: {
        Metric: { Namespace: 'OrderPipeline', MetricName: 'FilesProcessed', Dimensions: [{ Name: 'service', Value: 'order-processor' }] },
        Period: 60,
        Stat: 'Sum',
      },
    });
  });
});

describe('bucketValues', () => {
  it('places values in their period and leaves empty periods null', () => {
    // Prepare
    const window = { start: new Date('2026-11-22T04:00:00Z'), end: new Date('2026-11-22T04:05:00Z'), period: 60 };

    // Act
    const values = bucketValues([new Date('2026-11-22T04:00:30Z'), new Date('2026-11-22T04:03:00Z'), new Date('2026-11-22T05:00:00Z')], [2, 5, 9], window);

    // Assess
    expect(values).toEqual([2, null, null, 5, null]);
  });
});

describe('timeWindow', () => {
  it('ends on the next whole period', () => {
    // Act
    const w = timeWindow(1, 300, new Date('2026-11-22T04:07:10Z'));

    // Assess
    expect(w.end.toISOString()).toBe('2026-11-22T04:10:00.000Z');
    expect(w.start.toISOString()).toBe('2026-11-22T03:10:00.000Z');
  });
});

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
