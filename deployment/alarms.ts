/** The stack's CloudWatch alarms and their states (status, the console). */
import { DescribeAlarmsCommand, type CloudWatchClient, type MetricAlarm } from '@aws-sdk/client-cloudwatch';

/** Every alarm whose name starts with `prefix` (the stack names them `<dashboard name>-…`), by name. */
export async function describeAlarms(cloudwatch: CloudWatchClient, prefix: string): Promise<MetricAlarm[]> {
  const alarms: MetricAlarm[] = [];
  let nextToken: string | undefined;
  do {
    const res = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: prefix, NextToken: nextToken }));
    alarms.push(...(res.MetricAlarms ?? []));
    nextToken = res.NextToken;
  } while (nextToken);
  return alarms.sort((a, b) => (a.AlarmName ?? '').localeCompare(b.AlarmName ?? ''));
}
