import { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard/index.js';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm/index.js';
import { Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { METRIC, METRICS_NAMESPACE, SERVICE_NAME } from '../../functions/order-processor/resource-names.ts';
import { Monitoring, type MonitoringProps } from '../../modules/monitoring.ts';
import { blocksOfType, onlyBlockOfType, synthConstruct } from './synth.ts';

const TOPIC_ARN = 'arn:aws:sns:eu-west-1:111122223333:alerts';
const names = {
  functionName: 'order-pipeline-test-processor',
  queueName: 'order-pipeline-test-ingest',
  deadLetterQueueName: 'order-pipeline-test-ingest-dlq',
  partsQueueName: 'order-pipeline-test-parts',
  partsDeadLetterQueueName: 'order-pipeline-test-parts-dlq',
  ordersTableName: 'order-pipeline-test-orders',
  ingestionsTableName: 'order-pipeline-test-ingestions',
};
// The parts of Alerts, Processor, Ingestion, Parts and Tables monitoring uses, with fixed names.
const props: MonitoringProps = {
  namePrefix: 'order-pipeline-test',
  environment: { region: 'eu-west-1' },
  alerts: { topic: { arn: TOPIC_ARN } },
  processor: { function: { functionName: names.functionName } },
  ingestion: { queue: { name: names.queueName }, deadLetterQueue: { name: names.deadLetterQueueName } },
  parts: { queue: { name: names.partsQueueName }, deadLetterQueue: { name: names.partsDeadLetterQueueName } },
  tables: { orders: { name: names.ordersTableName }, ingestions: { name: names.ingestionsTableName } },
  rejectRatioThreshold: 0.1,
  queueAgeAlarmSeconds: 600,
};

describe('Monitoring', () => {
  // Prepare: the monitoring construct
  const synth = synthConstruct((stack) => new Monitoring(stack, 'monitoring', props));
  const alarms = blocksOfType(synth, CloudwatchMetricAlarm.tfResourceType);
  const alarmNamed = (suffix: string) => alarms.find((a) => a.alarm_name === `order-pipeline-test-${suffix}`);

  it('makes every alarm notify the topic on ALARM and OK and treat missing data as fine', () => {
    // Assess
    expect(alarms).toHaveLength(10);
    for (const alarm of alarms) {
      expect(alarm).toMatchObject({ alarm_actions: [TOPIC_ARN], ok_actions: [TOPIC_ARN], treat_missing_data: 'notBreaching' });
    }
  });

  it.each([
    ['dlq-not-empty', { namespace: 'AWS/SQS', metric_name: 'ApproximateNumberOfMessagesVisible', dimensions: { QueueName: names.deadLetterQueueName }, threshold: 0 }],
    ['processor-errors', { namespace: 'AWS/Lambda', metric_name: 'Errors', dimensions: { FunctionName: names.functionName }, threshold: 0 }],
    ['processor-throttles', { namespace: 'AWS/Lambda', metric_name: 'Throttles', threshold: 0 }],
    ['ingest-queue-age', { namespace: 'AWS/SQS', metric_name: 'ApproximateAgeOfOldestMessage', dimensions: { QueueName: names.queueName }, threshold: 600 }],
    ['parts-dlq-not-empty', { namespace: 'AWS/SQS', metric_name: 'ApproximateNumberOfMessagesVisible', dimensions: { QueueName: names.partsDeadLetterQueueName }, statistic: 'Maximum', period: 60, threshold: 0 }],
    ['parts-queue-age', { namespace: 'AWS/SQS', metric_name: 'ApproximateAgeOfOldestMessage', dimensions: { QueueName: names.partsQueueName }, statistic: 'Maximum', threshold: 600 }],
    ['files-failed', { namespace: METRICS_NAMESPACE, metric_name: METRIC.filesFailed, dimensions: { service: SERVICE_NAME }, threshold: 0 }],
    ['alerts-failed', { namespace: METRICS_NAMESPACE, metric_name: METRIC.alertsFailed, dimensions: { service: SERVICE_NAME }, statistic: 'Sum', period: 300, threshold: 0 }],
  ])('watches the right metric and threshold in the %s alarm', (name, expected) => {
    expect(alarmNamed(name)).toMatchObject({ comparison_operator: 'GreaterThanThreshold', ...expected });
  });

  it('divides RowsRejected by RowsReceived against the threshold in the reject-ratio alarm', () => {
    // Act
    const alarm = alarmNamed('rejected-row-ratio');

    // Assess
    expect(alarm).toMatchObject({ threshold: 0.1, comparison_operator: 'GreaterThanThreshold' });
    expect(alarm?.metric_query).toEqual([
      { id: 'rejected', return_data: false, metric: { namespace: METRICS_NAMESPACE, metric_name: METRIC.rowsRejected, dimensions: { service: SERVICE_NAME }, period: 300, stat: 'Sum' } },
      { id: 'received', return_data: false, metric: { namespace: METRICS_NAMESPACE, metric_name: METRIC.rowsReceived, dimensions: { service: SERVICE_NAME }, period: 300, stat: 'Sum' } },
      { id: 'ratio', label: 'Rejected row ratio', expression: 'IF(received > 0, rejected / received, 0)', return_data: true },
    ]);
  });

  it('sums throttle events of the orders table and the ledger in the DynamoDB alarm', () => {
    // Act
    const queries = alarmNamed('dynamodb-throttling')?.metric_query as { metric?: { metric_name: string; dimensions: { TableName: string } } }[];

    // Assess
    expect(queries.filter((q) => q.metric).map((q) => [q.metric?.metric_name, q.metric?.dimensions.TableName])).toEqual([
      ['WriteThrottleEvents', names.ordersTableName],
      ['WriteThrottleEvents', names.ingestionsTableName],
      ['ReadThrottleEvents', names.ingestionsTableName],
    ]);
  });

  it('shows every processor metric plus Lambda, SQS and DynamoDB health on the dashboard', () => {
    // Act
    const dashboard = onlyBlockOfType(synth, CloudwatchDashboard.tfResourceType);
    const body = JSON.parse(dashboard.dashboard_body as string) as { widgets: { type: string; properties: { metrics?: unknown[][] } }[] };
    const metrics = body.widgets.flatMap((w) => w.properties.metrics ?? []);
    const shown = (namespace: string) => new Set(metrics.filter((m) => m[0] === namespace).map((m) => m[1]));

    // Assess
    expect(dashboard.dashboard_name).toBe('order-pipeline-test');
    expect([...shown(METRICS_NAMESPACE)].sort()).toEqual(Object.values(METRIC).sort());
    expect(metrics.filter((m) => m[0] === METRICS_NAMESPACE).every((m) => m[2] === 'service' && m[3] === SERVICE_NAME)).toBe(true);
    expect(shown('AWS/Lambda')).toEqual(new Set(['Invocations', 'Errors', 'Throttles', 'ConcurrentExecutions', 'Duration']));
    expect(shown('AWS/SQS')).toEqual(new Set(['ApproximateNumberOfMessagesVisible', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateAgeOfOldestMessage']));
    expect(shown('AWS/DynamoDB')).toEqual(new Set(['ConsumedWriteCapacityUnits', 'WriteThrottleEvents', 'ReadThrottleEvents']));
  });

  it('charts the depth, in-flight count, DLQ and oldest message age of the parts queue on the dashboard', () => {
    // Act
    const body = JSON.parse(onlyBlockOfType(synth, CloudwatchDashboard.tfResourceType).dashboard_body as string) as {
      widgets: { properties: { metrics?: unknown[][] } }[];
    };
    const charted = body.widgets.flatMap((w) => w.properties.metrics ?? []).filter((m) => m[0] === 'AWS/SQS').map((m) => `${String(m[1])} ${String(m[3])}`);

    // Assess
    expect(charted).toEqual(expect.arrayContaining([
      `ApproximateNumberOfMessagesVisible ${names.partsQueueName}`,
      `ApproximateNumberOfMessagesNotVisible ${names.partsQueueName}`,
      `ApproximateNumberOfMessagesVisible ${names.partsDeadLetterQueueName}`,
      `ApproximateAgeOfOldestMessage ${names.partsQueueName}`,
    ]));
  });

  it('lets the static matcher find the DLQ alarm on visible messages', () => {
    expect(Testing.toHaveResourceWithProperties(synth, CloudwatchMetricAlarm.tfResourceType, {
      alarm_name: 'order-pipeline-test-dlq-not-empty',
      metric_name: 'ApproximateNumberOfMessagesVisible',
      statistic: 'Maximum',
      alarm_actions: [TOPIC_ARN],
      ok_actions: [TOPIC_ARN],
    })).toBe(true);
  });

  it('alarms on any alert that could not be published, over 5 minutes, notifying on ALARM and OK', () => {
    // Act
    const alarm = alarmNamed('alerts-failed');

    // Assess
    expect(alarm).toMatchObject({
      namespace: 'OrderPipeline',
      metric_name: 'AlertsFailed',
      dimensions: { service: 'order-processor' },
      statistic: 'Sum',
      period: 300,
      evaluation_periods: 1,
      threshold: 0,
      comparison_operator: 'GreaterThanThreshold',
      alarm_actions: [TOPIC_ARN],
      ok_actions: [TOPIC_ARN],
      treat_missing_data: 'notBreaching',
    });
    expect(alarm?.alarm_description).toContain('could not be published');
  });

  it('charts AlertsFailed in a widget of its own on the dashboard', () => {
    // Act
    const body = JSON.parse(onlyBlockOfType(synth, CloudwatchDashboard.tfResourceType).dashboard_body as string) as {
      widgets: { properties: { title?: string; metrics?: unknown[][] } }[];
    };
    const widget = body.widgets.find((w) => w.properties.metrics?.some((m) => m[1] === METRIC.alertsFailed));

    // Assess
    expect(widget?.properties.title).toBe('Alerts that could not be published');
    expect(widget?.properties.metrics).toEqual([[METRICS_NAMESPACE, METRIC.alertsFailed, 'service', SERVICE_NAME, { stat: 'Sum' }]]);
  });
});
