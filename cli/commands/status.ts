/** `order-pipeline status [--json] [--limit N]`: recent ingestions, queue depths, alarm states. */
import { parseArgs } from 'node:util';
import { connectTarget, TARGET_HELP, TARGET_OPTIONS } from '../target.ts';
import { EXIT, UsageError } from '../exit.ts';
import { describeAlarms } from '../../deployment/alarms.ts';
import { recentIngestions } from '../../deployment/ledger-view.ts';
import { deadLetterName, processorQueues, queueName, type QueueRole } from '../../deployment/processor-queues.ts';
import { queueDepth, type QueueDepth } from '../../deployment/queues.ts';
import { ordersCell, outcomeDetail, partsCell } from '../render/file-progress.ts';
import { toJson } from '../render/json.ts';
import { renderTable } from '../render/table.ts';
import { bold, dim, green, out, red, yellow } from '../render/terminal.ts';
import { deliveryState } from '../../deployment/delivery.ts';

export const summary = 'recent ingestions (ledger) with the progress of large files, queue/DLQ depths, delivery and alarm states';

const HELP = `usage: order-pipeline status [--json] [--limit N] [target options]

Shows the newest file ingestions from the ledger (today and yesterday, UTC) — for a large file
processed in parts, how many parts and how far it has come (\`scanning 5/8\`, \`parts 3/8 written\`) —,
the depths (visible / in flight) of the ingest queue, the parts queue and their DLQs, whether
delivery is paused, and the state of every alarm. A deployment made before large files were split
into parts has no parts queue: status says so and shows the ingest queue alone.
  --limit N   how many ingestions (default 20)
  --json      one JSON object instead of tables
${TARGET_HELP}`;

/** The keys of \`queues\` in --json: the ingest queue's kept from before parts existed. */
const JSON_KEYS: Record<QueueRole, { queue: string; deadLetter: string }> = {
  ingest: { queue: 'ingest', deadLetter: 'dead_letter' },
  parts: { queue: 'parts', deadLetter: 'parts_dead_letter' },
};

interface QueueRow {
  role: QueueRole;
  queue: QueueDepth;
  deadLetter: QueueDepth;
}

/** What to do about messages in a DLQ (docs/operations.md). */
const DLQ_ADVICE: Record<QueueRole, string> = {
  ingest: 'inspect with `order-pipeline status --json`, fix, then `order-pipeline redrive`',
  parts: 'a part of a large file failed 3 times — see docs/operations.md ("A file stuck in parts"), then `order-pipeline redrive`',
};

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

  const queues = processorQueues(o);
  const [ingestions, depths, alarms, delivery] = await Promise.all([
    recentIngestions(clients.doc, o.ingestions_table_name, { limit }),
    Promise.all(
      queues.map(async (q): Promise<QueueRow> => ({
        role: q.role,
        queue: await queueDepth(clients.sqs, q.url),
        deadLetter: await queueDepth(clients.sqs, q.deadLetterUrl),
      })),
    ),
    describeAlarms(clients.cloudwatch, `${o.dashboard_name}-`),
    deliveryState(connection),
  ]);

  if (values.json) {
    out(
      toJson({
        target: target.kind,
        ...(target.endpoint ? { endpoint: target.endpoint } : {}),
        delivery,
        queues: Object.fromEntries(depths.flatMap((d) => [[JSON_KEYS[d.role].queue, d.queue], [JSON_KEYS[d.role].deadLetter, d.deadLetter]])),
        alarms: alarms.map((a) => ({ name: a.AlarmName, state: a.StateValue, reason: a.StateReason ?? null })),
        ingestions,
      }),
    );
    return EXIT.ok;
  }

  out(bold(`Recent ingestions (newest first, ${ingestions.length} shown)`));
  if (ingestions.length === 0) out('  none today or yesterday');
  else
    out(
      renderTable(
        ['started (UTC)', 'file', 'status', 'parts', 'rows', 'written', 'orders', 'rejected', 'schema', 'where it went / why / how far'],
        ingestions.map((i) => [
          (i.started_at ?? '').replace('T', ' ').slice(0, 19),
          i.key,
          i.status,
          partsCell(i),
          i.rows ?? '-',
          i.written ?? '-',
          // Orders written (and rejected whole, when any): an order of several lines counts once (older items: one per row).
          ordersCell(i),
          i.rejected ?? '-',
          i.schema_name === undefined ? '-' : `${i.schema_name} v${i.schema_version ?? '?'}`,
          outcomeDetail(i),
        ]),
      ),
    );
  out('');
  out(bold('Queues'));
  out(
    renderTable(
      ['queue', 'visible', 'in flight', 'delayed'],
      depths.flatMap((d) => [
        [queueName(d.role), d.queue.visible, d.queue.inFlight, d.queue.delayed],
        [deadLetterName(d.role), d.deadLetter.visible, d.deadLetter.inFlight, d.deadLetter.delayed],
      ]),
    ),
  );
  out(`delivery: ${delivery.enabled ? green('enabled') : yellow('PAUSED')} — ${delivery.detail}`);
  for (const d of depths) {
    if (d.deadLetter.visible > 0) out(red(`${d.deadLetter.visible} message(s) in the ${deadLetterName(d.role)}: ${DLQ_ADVICE[d.role]}`));
  }
  out('');
  out(bold('Alarms'));
  if (alarms.length === 0) out(`  no alarms named ${o.dashboard_name}-*`);
  else
    out(
      renderTable(
        ['alarm', 'state', 'since'],
        alarms.map((a) => [
          a.AlarmName ?? '',
          a.StateValue === 'ALARM' ? { text: 'ALARM', paint: red } : a.StateValue === 'OK' ? { text: 'OK', paint: green } : (a.StateValue ?? ''),
          a.StateUpdatedTimestamp?.toISOString().replace('T', ' ').slice(0, 19) ?? '-',
        ]),
      ),
    );
  if (target.kind === 'local') out('(the emulator does not evaluate alarms: local states stay as created)');
  return EXIT.ok;
}
