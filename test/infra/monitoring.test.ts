import { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard/index.js';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm/index.js';
import { Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { METRIC, METRICS_NAMESPACE, SERVICE_NAME } from '../../functions/order-processor/settings.ts';
import { Monitoring, type MonitoringProps } from '../../modules/monitoring.ts';
import { blocksOfType, onlyBlockOfType, synthConstruct } from './synth.ts';

const TOPIC_ARN = 'arn:aws:sns:eu-west-1:111122223333:alerts';
const props: MonitoringProps = {
  namePrefix: 'order-pipeline-test',
  region: 'eu-west-1',
  topicArn: TOPIC_ARN,
  functionName: 'order-pipeline-test-processor',
  queueName: 'order-pipeline-test-ingest',
  deadLetterQueueName: 'order-pipeline-test-ingest-dlq',
  ordersTableName: 'order-pipeline-test-orders',
  ingestionsTableName: 'order-pipeline-test-ingestions',
  rejectRatioThreshold: 0.1,
  queueAgeAlarmSeconds: 600,
};

describe('Monitoring', () => {
  // GIVEN the monitoring construct
  const synth = synthConstruct((stack) => new Monitoring(stack, 'monitoring', props));
  const alarms = blocksOfType(synth, CloudwatchMetricAlarm.tfResourceType);
  const alarmNamed = (suffix: string) => alarms.find((a) => a.alarm_name === `order-pipeline-test-${suffix}`);

  it('WHEN synthesized THEN every alarm notifies the topic on ALARM and OK and treats missing data as fine', () => {
    // Assess
    expect(alarms).toHaveLength(7);
    for (const alarm of alarms) {
      expect(alarm).toMatchObject({ alarm_actions: [TOPIC_ARN], ok_actions: [TOPIC_ARN], treat_missing_data: 'notBreaching' });
    }
  });

  it.each([
    ['dlq-not-empty', { namespace: 'AWS/SQS', metric_name: 'ApproximateNumberOfMessagesVisible', dimensions: { QueueName: props.deadLetterQueueName }, threshold: 0 }],
    ['processor-errors', { namespace: 'AWS/Lambda', metric_name: 'Errors', dimensions: { FunctionName: props.functionName }, threshold: 0 }],
    ['processor-throttles', { namespace: 'AWS/Lambda', metric_name: 'Throttles', threshold: 0 }],
    ['ingest-queue-age', { namespace: 'AWS/SQS', metric_name: 'ApproximateAgeOfOldestMessage', dimensions: { QueueName: props.queueName }, threshold: 600 }],
    ['files-failed', { namespace: METRICS_NAMESPACE, metric_name: METRIC.filesFailed, dimensions: { service: SERVICE_NAME }, threshold: 0 }],
  ])('WHEN synthesized THEN the %s alarm watches the right metric and threshold', (name, expected) => {
    expect(alarmNamed(name)).toMatchObject({ comparison_operator: 'GreaterThanThreshold', ...expected });
  });

  it('WHEN synthesized THEN the reject-ratio alarm divides RowsRejected by RowsReceived against the threshold', () => {
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

  it('WHEN synthesized THEN the DynamoDB alarm sums throttle events of the orders table and the ledger', () => {
    // Act
    const queries = alarmNamed('dynamodb-throttling')?.metric_query as { metric?: { metric_name: string; dimensions: { TableName: string } } }[];

    // Assess
    expect(queries.filter((q) => q.metric).map((q) => [q.metric?.metric_name, q.metric?.dimensions.TableName])).toEqual([
      ['WriteThrottleEvents', props.ordersTableName],
      ['WriteThrottleEvents', props.ingestionsTableName],
      ['ReadThrottleEvents', props.ingestionsTableName],
    ]);
  });

  it('WHEN synthesized THEN the dashboard shows every processor metric plus Lambda, SQS and DynamoDB health', () => {
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

  it('WHEN synthesized THEN the static matcher finds the DLQ alarm on visible messages', () => {
    expect(Testing.toHaveResourceWithProperties(synth, CloudwatchMetricAlarm.tfResourceType, {
      alarm_name: 'order-pipeline-test-dlq-not-empty',
      metric_name: 'ApproximateNumberOfMessagesVisible',
      statistic: 'Maximum',
      alarm_actions: [TOPIC_ARN],
      ok_actions: [TOPIC_ARN],
    })).toBe(true);
  });
});
