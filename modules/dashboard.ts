/**
 * The CloudWatch dashboard's body: a pure function of the names it charts, so its layout can be
 * tested without synthesizing. The Monitoring construct (monitoring.ts) resolves the names.
 */
import { METRIC, METRICS_NAMESPACE, SERVICE_NAME } from '../functions/order-processor/resource-names.ts';

/** The period of every widget: the same 5 minutes the alarms evaluate. */
const FIVE_MINUTES = 300;

/** The names the dashboard charts (Terraform references when synthesized by Monitoring). */
export interface DashboardView {
  /** `order-pipeline-<stage>`: the dashboard's title. */
  namePrefix: string;
  /** The region every metric widget reads from. */
  region: string;
  /** The processor function, the four queues and the two tables whose AWS metrics are charted. */
  functionName: string;
  queueName: string;
  deadLetterQueueName: string;
  partsQueueName: string;
  partsDeadLetterQueueName: string;
  ordersTableName: string;
  ingestionsTableName: string;
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
export function dashboardBody(props: DashboardView): { widgets: Widget[] } {
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
      markdown: `# ${props.namePrefix}\nFiles dropped under \`raw-data/\` → EventBridge → SQS → \`${props.functionName}\` → DynamoDB; large files go through the parts queue in parts. Alarms notify the alerts topic.`,
    },
  });
  y = 2;

  add('Files by outcome', [
    custom(METRIC.filesProcessed),
    custom(METRIC.filesPartial),
    custom(METRIC.filesFailed),
    custom(METRIC.filesDuplicate),
  ]);
  add('Rows and orders', [custom(METRIC.rowsReceived), custom(METRIC.rowsWritten), custom(METRIC.rowsRejected), custom(METRIC.ordersWritten), custom(METRIC.ordersRejected)]);
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
  add('Parts queue and DLQ', [
    queue('ApproximateNumberOfMessagesVisible', props.partsQueueName, 'Parts visible'),
    queue('ApproximateNumberOfMessagesNotVisible', props.partsQueueName, 'Parts in flight'),
    queue('ApproximateNumberOfMessagesVisible', props.partsDeadLetterQueueName, 'Parts DLQ visible'),
  ]);
  add('Oldest waiting file and part (s)', [
    queue('ApproximateAgeOfOldestMessage', props.queueName, 'Ingest oldest message age'),
    queue('ApproximateAgeOfOldestMessage', props.partsQueueName, 'Parts oldest message age'),
  ]);
  add('DynamoDB writes', [
    table('ConsumedWriteCapacityUnits', props.ordersTableName, 'Orders WCU'),
    table('ConsumedWriteCapacityUnits', props.ingestionsTableName, 'Ledger WCU'),
  ]);
  add('DynamoDB throttling', [
    table('WriteThrottleEvents', props.ordersTableName, 'Orders write throttles'),
    table('WriteThrottleEvents', props.ingestionsTableName, 'Ledger write throttles'),
    table('ReadThrottleEvents', props.ingestionsTableName, 'Ledger read throttles'),
  ]);
  add('Alerts that could not be published', [custom(METRIC.alertsFailed)]);
  return { widgets };
}
