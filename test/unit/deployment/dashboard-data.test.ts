import { describe, expect, it } from 'vitest';
import { bucketValues, parseDashboardBody, timeWindow, toQuery } from '../../../deployment/dashboard-data.ts';

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
