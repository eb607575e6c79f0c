import { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard/index.js';
import {
  CloudwatchMetricAlarm,
  type CloudwatchMetricAlarmConfig,
  type CloudwatchMetricAlarmMetricQuery,
} from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm/index.js';
import type { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table/index.js';
import type { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function/index.js';
import type { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic/index.js';
import type { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue/index.js';
import { Construct } from 'constructs';
import { METRIC, METRICS_NAMESPACE, SERVICE_NAME } from '../functions/order-processor/resource-names.ts';
import { dashboardBody, type DashboardView } from './dashboard.ts';
import type { DeploymentEnvironment } from './environment.ts';

/**
 * What is watched and where notifications go: the stack's constructs (Alerts, Processor,
 * Ingestion, Parts, Tables), typed by the members monitoring uses.
 */
export interface MonitoringProps {
  /** Prefix of every name (`order-pipeline-<stage>`): alarms `<prefix>-<alarm>`, dashboard `<prefix>`. Required. */
  readonly namePrefix: string;
  /** The region the dashboard's widgets read from. Required. */
  readonly environment: Pick<DeploymentEnvironment, 'region'>;
  /** Every alarm's ALARM and OK notifications go to this topic. Required. */
  readonly alerts: { readonly topic: Pick<SnsTopic, 'arn'> };
  /** The processor function (errors, throttles, duration, concurrency). Required. */
  readonly processor: { readonly function: Pick<LambdaFunction, 'functionName'> };
  /** The ingest queue (backlog age, depth) and its dead-letter queue (not empty). Required. */
  readonly ingestion: { readonly queue: Pick<SqsQueue, 'name'>; readonly deadLetterQueue: Pick<SqsQueue, 'name'> };
  /** The parts queue (backlog age, depth) and its dead-letter queue (not empty). Required. */
  readonly parts: { readonly queue: Pick<SqsQueue, 'name'>; readonly deadLetterQueue: Pick<SqsQueue, 'name'> };
  /** The orders table and the ledger (consumed writes, throttling). Required. */
  readonly tables: { readonly orders: Pick<DynamodbTable, 'name'>; readonly ingestions: Pick<DynamodbTable, 'name'> };
  /** Rejected rows / received rows over 5 minutes above which an alarm fires. Required; set from `REJECT_RATIO_ALARM_THRESHOLD`. */
  readonly rejectRatioThreshold: number;
  /** Age in seconds of the oldest ingest (or parts) message above which an alarm fires. Required; set from `QUEUE_AGE_ALARM_SECONDS`. */
  readonly queueAgeAlarmSeconds: number;
}

/** The alarm names, so the CLI and the runbook can refer to them. */
export const ALARM = {
  deadLetterQueue: 'dlq-not-empty',
  partsDeadLetterQueue: 'parts-dlq-not-empty',
  processorErrors: 'processor-errors',
  processorThrottles: 'processor-throttles',
  queueAge: 'ingest-queue-age',
  partsQueueAge: 'parts-queue-age',
  filesFailed: 'files-failed',
  rejectRatio: 'rejected-row-ratio',
  dynamodbThrottling: 'dynamodb-throttling',
  alertsFailed: 'alerts-failed',
} as const;

const FIVE_MINUTES = 300;
/** The processor's custom metrics carry exactly this dimension (Powertools `service`). */
const SERVICE_DIMENSION = { service: SERVICE_NAME };

type AlarmSpec = Omit<CloudwatchMetricAlarmConfig, 'alarmName' | 'alarmActions' | 'okActions' | 'treatMissingData'>;

/** The alarms named in ALARM and the operator's dashboard (dashboard.ts); docs/operations.md explains each alarm. */
export class Monitoring extends Construct {
  readonly alarms: CloudwatchMetricAlarm[] = [];
  readonly dashboard: CloudwatchDashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const topicArn = props.alerts.topic.arn;
    const view: DashboardView = {
      namePrefix: props.namePrefix,
      region: props.environment.region,
      functionName: props.processor.function.functionName,
      queueName: props.ingestion.queue.name,
      deadLetterQueueName: props.ingestion.deadLetterQueue.name,
      partsQueueName: props.parts.queue.name,
      partsDeadLetterQueueName: props.parts.deadLetterQueue.name,
      ordersTableName: props.tables.orders.name,
      ingestionsTableName: props.tables.ingestions.name,
    };

    // Every alarm notifies on entering ALARM and on recovery; no data means nothing is wrong
    // (a quiet pipeline must not page anyone).
    const alarm = (name: string, spec: AlarmSpec) => {
      const created = new CloudwatchMetricAlarm(this, name, {
        alarmName: `${props.namePrefix}-${name}`,
        alarmActions: [topicArn],
        okActions: [topicArn],
        treatMissingData: 'notBreaching',
        ...spec,
      });
      this.alarms.push(created);
      return created;
    };

    // A message in the DLQ is a file that failed 3 times or an event that could not be delivered.
    alarm(ALARM.deadLetterQueue, {
      alarmDescription: 'Messages are waiting in the dead-letter queue: inspect them, fix the cause, then `order-pipeline redrive`.',
      ...above(0, 'AWS/SQS', 'ApproximateNumberOfMessagesVisible', { QueueName: view.deadLetterQueueName }, 'Maximum', 60),
    });

    // A message in the parts DLQ is a part that failed 3 times: its file has been marked FAILED.
    alarm(ALARM.partsDeadLetterQueue, {
      alarmDescription: 'Parts of a large file failed 3 times and their file was marked FAILED: see the FAILED alert and the processor logs, fix the cause, then upload the file again (a redriven part of a FAILED file is dropped).',
      ...above(0, 'AWS/SQS', 'ApproximateNumberOfMessagesVisible', { QueueName: view.partsDeadLetterQueueName }, 'Maximum', 60),
    });

    // Unhandled errors: the handler reports bad files as partial failures, so this means a bug or an outage.
    alarm(ALARM.processorErrors, {
      alarmDescription: 'The order processor failed invocations (not bad rows): check its logs.',
      ...above(0, 'AWS/Lambda', 'Errors', { FunctionName: view.functionName }),
    });

    // Throttles: account concurrency is exhausted; files wait in the queue.
    alarm(ALARM.processorThrottles, {
      alarmDescription: 'The order processor is being throttled: check account concurrency and INGEST_MAX_CONCURRENCY.',
      ...above(0, 'AWS/Lambda', 'Throttles', { FunctionName: view.functionName }),
    });

    // Backlog: files are arriving faster than they are processed, or delivery is paused.
    alarm(ALARM.queueAge, {
      alarmDescription: `The oldest file waiting in the ingest queue is older than ${props.queueAgeAlarmSeconds} s.`,
      ...above(props.queueAgeAlarmSeconds, 'AWS/SQS', 'ApproximateAgeOfOldestMessage', { QueueName: view.queueName }, 'Maximum'),
    });

    // The same for parts: large files are split faster than their parts are processed, or delivery is paused.
    alarm(ALARM.partsQueueAge, {
      alarmDescription: `The oldest part of a large file waiting in the parts queue is older than ${props.queueAgeAlarmSeconds} s.`,
      ...above(props.queueAgeAlarmSeconds, 'AWS/SQS', 'ApproximateAgeOfOldestMessage', { QueueName: view.partsQueueName }, 'Maximum'),
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
        tableMetricQuery('orders_writes', 'WriteThrottleEvents', view.ordersTableName),
        tableMetricQuery('ledger_writes', 'WriteThrottleEvents', view.ingestionsTableName),
        tableMetricQuery('ledger_reads', 'ReadThrottleEvents', view.ingestionsTableName),
        {
          id: 'throttles',
          label: 'DynamoDB throttle events',
          expression: 'FILL(orders_writes, 0) + FILL(ledger_writes, 0) + FILL(ledger_reads, 0)',
          returnData: true,
        },
      ],
    });

    // An alert that could not be published is an outcome nobody was told about: the file's status
    // is in the ledger, but the people who act on alerts do not know to look.
    alarm(ALARM.alertsFailed, {
      alarmDescription: 'Alerts could not be published to the topic: run `order-pipeline status` to see the outcomes nobody was told about, and check the topic policy and key.',
      ...above(0, METRICS_NAMESPACE, METRIC.alertsFailed, SERVICE_DIMENSION),
    });

    // One page for the operator: what the pipeline did, then the health of each piece.
    this.dashboard = new CloudwatchDashboard(this, 'dashboard', {
      dashboardName: props.namePrefix,
      dashboardBody: JSON.stringify(dashboardBody(view)),
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
