/** `order-pipeline status [--json] [--limit N]`: recent ingestions, queue depths, alarm states. */
import { parseArgs } from 'node:util';
import { DescribeAlarmsCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { connectTarget, TARGET_HELP, TARGET_OPTIONS } from '../target.ts';
import { EXIT, UsageError } from '../exit.ts';
import { destinationOf, recentIngestions } from '../../deployment/ledger-view.ts';
import { queueDepth } from '../../deployment/queues.ts';
import { renderTable } from '../render/table.ts';
import { bold, green, out, red, yellow } from '../render/terminal.ts';
import { deliveryState } from '../../deployment/delivery.ts';

export const summary = 'recent ingestions (ledger), ingest/DLQ depths, delivery and alarm states';

const HELP = `usage: order-pipeline status [--json] [--limit N] [target options]

Shows the newest file ingestions from the ledger (today and yesterday, UTC), the ingest queue and
DLQ depths (visible / in flight), whether delivery is paused, and the state of every alarm.
  --limit N   how many ingestions (default 20)
  --json      one JSON object instead of tables
${TARGET_HELP}`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...TARGET_OPTIONS,
      json: { type: 'boolean', default: false },
      limit: { type: 'string', default: '20' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    out(HELP);
    return EXIT.ok;
  }
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive integer, not "${values.limit}"`);
  const connection = await connectTarget(values, { quiet: values.json });
  const { target, clients } = connection;
  const o = target.outputs;

  const [ingestions, ingest, dlq, alarms, delivery] = await Promise.all([
    recentIngestions(clients.doc, o.ingestions_table_name, { limit }),
    queueDepth(clients.sqs, o.ingest_queue_url),
    queueDepth(clients.sqs, o.dead_letter_queue_url),
    describeAlarms(clients.cloudwatch, `${o.dashboard_name}-`),
    deliveryState(connection),
  ]);

  if (values.json) {
    out(
      JSON.stringify(
        {
          target: target.kind,
          ...(target.endpoint ? { endpoint: target.endpoint } : {}),
          delivery,
          queues: { ingest, dead_letter: dlq },
          alarms: alarms.map((a) => ({ name: a.AlarmName, state: a.StateValue, reason: a.StateReason ?? null })),
          ingestions,
        },
        null,
        2,
      ),
    );
    return EXIT.ok;
  }

  out(bold(`Recent ingestions (newest first, ${ingestions.length} shown)`));
  if (ingestions.length === 0) out('  none today or yesterday');
  else
    out(
      renderTable(
        ['started (UTC)', 'file', 'status', 'rows', 'written', 'rejected', 'where it went / why'],
        ingestions.map((i) => [
          (i.started_at ?? '').replace('T', ' ').slice(0, 19),
          i.key,
          i.status,
          i.rows ?? '-',
          i.written ?? '-',
          i.rejected ?? '-',
          i.status === 'FAILED' || i.status === 'DUPLICATE' ? `${i.reason ?? ''}` : i.status === 'PROCESSING' ? `attempt ${i.attempts ?? 1}${i.last_error ? `: ${i.last_error}` : ''}` : destinationOf(i),
        ]),
      ),
    );
  out('');
  out(bold('Queues'));
  out(
    renderTable(
      ['queue', 'visible', 'in flight', 'delayed'],
      [
        ['ingest', ingest.visible, ingest.inFlight, ingest.delayed],
        ['dead-letter', dlq.visible, dlq.inFlight, dlq.delayed],
      ],
    ),
  );
  out(`delivery: ${delivery.enabled ? green('enabled') : yellow('PAUSED')} — ${delivery.detail}`);
  if (dlq.visible > 0) out(red(`${dlq.visible} message(s) in the DLQ: inspect with \`order-pipeline status --json\`, fix, then \`order-pipeline redrive\``));
  out('');
  out(bold('Alarms'));
  if (alarms.length === 0) out(`  no alarms named ${o.dashboard_name}-*`);
  else
    out(
      renderTable(
        ['alarm', 'state', 'since'],
        alarms.map((a) => [
          a.AlarmName ?? '',
          a.StateValue === 'ALARM' ? red('ALARM') : a.StateValue === 'OK' ? green('OK') : (a.StateValue ?? ''),
          a.StateUpdatedTimestamp?.toISOString().replace('T', ' ').slice(0, 19) ?? '-',
        ]),
      ),
    );
  if (target.kind === 'local') out('(the emulator does not evaluate alarms: local states stay as created)');
  return EXIT.ok;
}

async function describeAlarms(cloudwatch: import('@aws-sdk/client-cloudwatch').CloudWatchClient, prefix: string): Promise<MetricAlarm[]> {
  const alarms: MetricAlarm[] = [];
  let nextToken: string | undefined;
  do {
    const res = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: prefix, NextToken: nextToken }));
    alarms.push(...(res.MetricAlarms ?? []));
    nextToken = res.NextToken;
  } while (nextToken);
  return alarms.sort((a, b) => (a.AlarmName ?? '').localeCompare(b.AlarmName ?? ''));
}
