import { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard/index.js';
import {
  CloudwatchMetricAlarm,
  type CloudwatchMetricAlarmConfig,
  type CloudwatchMetricAlarmMetricQuery,
} from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm/index.js';
import { Construct } from 'constructs';
import { METRIC, METRICS_NAMESPACE, SERVICE_NAME } from '../functions/order-processor/settings.ts';

export interface MonitoringProps {
  namePrefix: string;
  region: string;
  topicArn: string;
  functionName: string;
  queueName: string;
  deadLetterQueueName: string;
  ordersTableName: string;
  ingestionsTableName: string;
  rejectRatioThreshold: number;
  queueAgeAlarmSeconds: number;
}

/** The alarm names, so the CLI and the runbook can refer to them. */
export const ALARM = {
  deadLetterQueue: 'dlq-not-empty',
  processorErrors: 'processor-errors',
  processorThrottles: 'processor-throttles',
  queueAge: 'ingest-queue-age',
  filesFailed: 'files-failed',
  rejectRatio: 'rejected-row-ratio',
  dynamodbThrottling: 'dynamodb-throttling',
} as const;

const FIVE_MINUTES = 300;
/** The processor's custom metrics carry exactly this dimension (Powertools `service`). */
const SERVICE_DIMENSION = { service: SERVICE_NAME };

type AlarmSpec = Omit<CloudwatchMetricAlarmConfig, 'alarmName' | 'alarmActions' | 'okActions' | 'treatMissingData'>;

/** Alarms and the dashboard of DESIGN §6. */
export class Monitoring extends Construct {
  readonly alarms: CloudwatchMetricAlarm[] = [];
  readonly dashboard: CloudwatchDashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);

    // Every alarm notifies on entering ALARM and on recovery; no data means nothing is wrong
    // (a quiet pipeline must not page anyone).
    const alarm = (name: string, spec: AlarmSpec) => {
      const created = new CloudwatchMetricAlarm(this, name, {
        alarmName: `${props.namePrefix}-${name}`,
        alarmActions: [props.topicArn],
        okActions: [props.topicArn],
        treatMissingData: 'notBreaching',
        ...spec,
      });
      this.alarms.push(created);
      return created;
    };

    // A message in the DLQ is a file that failed 3 times or an event that could not be delivered.
    alarm(ALARM.deadLetterQueue, {
      alarmDescription: 'Messages are waiting in the dead-letter queue: inspect them, fix the cause, then `order-pipeline redrive`.',
      ...above(0, 'AWS/SQS', 'ApproximateNumberOfMessagesVisible', { QueueName: props.deadLetterQueueName }, 'Maximum', 60),
    });

    // Unhandled errors: the handler reports bad files as partial failures, so this means a bug or an outage.
    alarm(ALARM.processorErrors, {
      alarmDescription: 'The order processor failed invocations (not bad rows): check its logs.',
      ...above(0, 'AWS/Lambda', 'Errors', { FunctionName: props.functionName }),
    });

    // Throttles: account concurrency is exhausted; files wait in the queue.
    alarm(ALARM.processorThrottles, {
      alarmDescription: 'The order processor is being throttled: check account concurrency and INGEST_MAX_CONCURRENCY.',
      ...above(0, 'AWS/Lambda', 'Throttles', { FunctionName: props.functionName }),
    });

    // Backlog: files are arriving faster than they are processed, or delivery is paused.
    alarm(ALARM.queueAge, {
      alarmDescription: `The oldest file waiting in the ingest queue is older than ${props.queueAgeAlarmSeconds} s.`,
      ...above(props.queueAgeAlarmSeconds, 'AWS/SQS', 'ApproximateAgeOfOldestMessage', { QueueName: props.queueName }, 'Maximum'),
    });

    // Whole files rejected (missing columns, not CSV, undecodable): a producer is sending bad files.
    alarm(ALARM.filesFailed, {
      alarmDescription: 'Whole files were rejected: see failed-data/ and the alert e-mails for the reasons.',
      ...above(0, METRICS_NAMESPACE, METRIC.filesFailed, SERVICE_DIMENSION),
    });

    // Data quality: the share of rejected rows, not their count, so big files do not page more.
    alarm(ALARM.rejectRatio, {
      alarmDescription: `More than ${props.rejectRatioThreshold * 100} % of rows were rejected in 5 minutes: see the errors.csv reports in failed-data/.`,
      evaluationPeriods: 1,
      threshold: props.rejectRatioThreshold,
      comparisonOperator: 'GreaterThanThreshold',
      metricQuery: [
        customMetricQuery('rejected', METRIC.rowsRejected),
        customMetricQuery('received', METRIC.rowsReceived),
        {
          id: 'ratio',
          label: 'Rejected row ratio',
          expression: 'IF(received > 0, rejected / received, 0)',
          returnData: true,
        },
      ],
    });

    // On-demand tables still throttle on hot partitions or sudden peaks; writes then slow down.
    alarm(ALARM.dynamodbThrottling, {
      alarmDescription: 'DynamoDB throttled the pipeline: lower INGEST_MAX_CONCURRENCY or WRITE_CONCURRENCY.',
      evaluationPeriods: 1,
      threshold: 0,
      comparisonOperator: 'GreaterThanThreshold',
      metricQuery: [
        tableMetricQuery('orders_writes', 'WriteThrottleEvents', props.ordersTableName),
        tableMetricQuery('ledger_writes', 'WriteThrottleEvents', props.ingestionsTableName),
        tableMetricQuery('ledger_reads', 'ReadThrottleEvents', props.ingestionsTableName),
        {
          id: 'throttles',
          label: 'DynamoDB throttle events',
          expression: 'FILL(orders_writes, 0) + FILL(ledger_writes, 0) + FILL(ledger_reads, 0)',
          returnData: true,
        },
      ],
    });

    // One page for the operator: what the pipeline did, then the health of each piece.
    this.dashboard = new CloudwatchDashboard(this, 'dashboard', {
      dashboardName: props.namePrefix,
      dashboardBody: JSON.stringify(dashboardBody(props)),
    });
  }
}

/** A single-metric alarm that fires when one period's statistic exceeds `threshold`. */
function above(
  threshold: number,
  namespace: string,
  metricName: string,
  dimensions: Record<string, string>,
  statistic = 'Sum',
  period = FIVE_MINUTES,
): AlarmSpec {
  return { namespace, metricName, dimensions, statistic, period, evaluationPeriods: 1, threshold, comparisonOperator: 'GreaterThanThreshold' };
}

function customMetricQuery(id: string, metricName: string): CloudwatchMetricAlarmMetricQuery {
  return {
    id,
    returnData: false,
    metric: { namespace: METRICS_NAMESPACE, metricName, dimensions: SERVICE_DIMENSION, period: FIVE_MINUTES, stat: 'Sum' },
  };
}

function tableMetricQuery(id: string, metricName: string, tableName: string): CloudwatchMetricAlarmMetricQuery {
  return {
    id,
    returnData: false,
    metric: { namespace: 'AWS/DynamoDB', metricName, dimensions: { TableName: tableName }, period: FIVE_MINUTES, stat: 'Sum' },
  };
}

interface Widget {
  type: 'metric' | 'text';
  x: number;
  y: number;
  width: number;
  height: number;
  properties: Record<string, unknown>;
}

/** The dashboard's JSON body (CloudWatch dashboard body structure). */
export function dashboardBody(props: MonitoringProps): { widgets: Widget[] } {
  const custom = (metric: string, stat = 'Sum') => [METRICS_NAMESPACE, metric, 'service', SERVICE_NAME, { stat }];
  const lambda = (metric: string, stat: string) => ['AWS/Lambda', metric, 'FunctionName', props.functionName, { stat }];
  const queue = (metric: string, name: string, label: string) => ['AWS/SQS', metric, 'QueueName', name, { stat: 'Maximum', label }];
  const table = (metric: string, name: string, label: string) => ['AWS/DynamoDB', metric, 'TableName', name, { stat: 'Sum', label }];

  const widgets: Widget[] = [];
  let x = 0;
  let y = 0;
  const add = (title: string, metrics: unknown[][], extra: Record<string, unknown> = {}) => {
    widgets.push({
      type: 'metric',
      x,
      y,
      width: 8,
      height: 6,
      properties: { title, region: props.region, view: 'timeSeries', stacked: false, period: FIVE_MINUTES, metrics, ...extra },
    });
    x += 8;
    if (x >= 24) {
      x = 0;
      y += 6;
    }
  };

  widgets.push({
    type: 'text',
    x: 0,
    y: 0,
    width: 24,
    height: 2,
    properties: {
      markdown: `# ${props.namePrefix}\nFiles dropped under \`raw-data/\` → EventBridge → SQS → \`${props.functionName}\` → DynamoDB. Alarms notify the alerts topic.`,
    },
  });
  y = 2;

  add('Files by outcome', [
    custom(METRIC.filesProcessed),
    custom(METRIC.filesPartial),
    custom(METRIC.filesFailed),
    custom(METRIC.filesDuplicate),
  ]);
  add('Rows', [custom(METRIC.rowsReceived), custom(METRIC.rowsWritten), custom(METRIC.rowsRejected)]);
  add('Bytes processed and file processing time', [
    custom(METRIC.bytesProcessed),
    [METRICS_NAMESPACE, METRIC.fileProcessingTime, 'service', SERVICE_NAME, { stat: 'p95', yAxis: 'right', label: 'FileProcessingTime p95 (ms)' }],
  ]);
  add('Processor invocations, errors, throttles', [
    lambda('Invocations', 'Sum'),
    lambda('Errors', 'Sum'),
    lambda('Throttles', 'Sum'),
    lambda('ConcurrentExecutions', 'Maximum'),
  ]);
  add('Processor duration', [lambda('Duration', 'p50'), lambda('Duration', 'p95'), lambda('Duration', 'Maximum')]);
  add('Ingest queue and DLQ', [
    queue('ApproximateNumberOfMessagesVisible', props.queueName, 'Ingest visible'),
    queue('ApproximateNumberOfMessagesNotVisible', props.queueName, 'Ingest in flight'),
    queue('ApproximateNumberOfMessagesVisible', props.deadLetterQueueName, 'DLQ visible'),
  ]);
  add('Oldest waiting file (s)', [queue('ApproximateAgeOfOldestMessage', props.queueName, 'Ingest oldest message age')]);
  add('DynamoDB writes', [
    table('ConsumedWriteCapacityUnits', props.ordersTableName, 'Orders WCU'),
    table('ConsumedWriteCapacityUnits', props.ingestionsTableName, 'Ledger WCU'),
  ]);
  add('DynamoDB throttling', [
    table('WriteThrottleEvents', props.ordersTableName, 'Orders write throttles'),
    table('WriteThrottleEvents', props.ingestionsTableName, 'Ledger write throttles'),
    table('ReadThrottleEvents', props.ingestionsTableName, 'Ledger read throttles'),
  ]);
  return { widgets };
}
