import { describe, expect, it } from 'vitest';
import { METRIC, METRICS_NAMESPACE } from '../../functions/order-processor/resource-names.ts';
import { dashboardBody, type DashboardView } from '../../modules/dashboard.ts';

const VIEW: DashboardView = {
  namePrefix: 'order-pipeline-test',
  region: 'eu-west-1',
  functionName: 'fn-name',
  queueName: 'queue-name',
  deadLetterQueueName: 'dlq-name',
  partsQueueName: 'parts-name',
  partsDeadLetterQueueName: 'parts-dlq-name',
  ordersTableName: 'orders-name',
  ingestionsTableName: 'ledger-name',
};

describe('dashboardBody', () => {
  it('lays every widget out inside the 24-column grid without overlapping another', () => {
    // Act
    const { widgets } = dashboardBody(VIEW);
    const cells = widgets.flatMap((w) =>
      Array.from({ length: w.width * w.height }, (_, i) => `${w.x + (i % w.width)},${w.y + Math.floor(i / w.width)}`),
    );

    // Assess
    for (const w of widgets) expect(w.x + w.width, JSON.stringify(w.properties.title)).toBeLessThanOrEqual(24);
    expect(new Set(cells).size).toBe(cells.length);
  });

  it('reads every metric widget from the given region and charts each given name', () => {
    // Act
    const { widgets } = dashboardBody(VIEW);
    const metricWidgets = widgets.filter((w) => w.type === 'metric');
    const charted = JSON.stringify(metricWidgets.map((w) => w.properties.metrics));

    // Assess
    expect(metricWidgets.every((w) => w.properties.region === 'eu-west-1')).toBe(true);
    for (const name of ['fn-name', 'queue-name', 'dlq-name', 'parts-name', 'parts-dlq-name', 'orders-name', 'ledger-name']) expect(charted).toContain(`"${name}"`);
    expect(widgets[0]?.properties.markdown).toContain('# order-pipeline-test');
  });

  it('charts each processor metric exactly once', () => {
    // Act
    const metrics = dashboardBody(VIEW).widgets.flatMap((w) => (w.properties.metrics as unknown[][] | undefined) ?? []);
    const custom = metrics.filter((m) => m[0] === METRICS_NAMESPACE).map((m) => m[1]);

    // Assess
    expect([...custom].sort()).toEqual(Object.values(METRIC).sort());
  });
});
