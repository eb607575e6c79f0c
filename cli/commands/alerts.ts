/** `order-pipeline alerts [--show N|--all]`: the alert e-mails captured by the local pipeline. */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { EXIT, UsageError } from '../exit.ts';
import { listOutbox } from '../../local/outbox.ts';
import { renderTable } from '../render/table.ts';
import { localPaths } from '../../deployment/local-home.ts';
import { out } from '../render/terminal.ts';
import { inertLines } from '../render/inert.ts';
import { toJson } from '../render/json.ts';

export const summary = 'list the alert e-mails captured locally (.local/outbox/); --show N prints one';

const HELP = `usage: order-pipeline alerts [--show N | --all] [--json]

Lists the alert e-mails the local pipeline captured from the alerts topic (.local/outbox/*.eml —
SNS sends no e-mail on the emulator; on AWS they go to the addresses in ALERT_EMAILS).
  --show N   print e-mail number N in full
  --all      print every e-mail in full
  --json     list as JSON`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      show: { type: 'string' },
      all: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      target: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    out(HELP);
    return EXIT.ok;
  }
  if (values.target && values.target !== 'local') {
    throw new UsageError('alerts are captured only locally; on AWS they arrive by e-mail to the ALERT_EMAILS subscribers');
  }
  const dir = localPaths().outbox;
  const entries = listOutbox(dir);
  if (values.json) {
    out(toJson(entries.map((e) => ({ ...e, text: readFileSync(e.path, 'utf8') }))));
    return EXIT.ok;
  }
  if (entries.length === 0) {
    out(`no alert e-mails in ${dir} (alerts are sent for partial, failed and duplicate files)`);
    return EXIT.ok;
  }
  if (values.show !== undefined) {
    const n = Number(values.show);
    const entry = entries.find((e) => Number.parseInt(e.file, 10) === n);
    if (!entry) throw new UsageError(`no e-mail number ${values.show}; there are ${entries.length}`);
    // The processor renders alerts inert, but anyone who may publish to the topic can write one.
    out(inertLines(readFileSync(entry.path, 'utf8')));
    return EXIT.ok;
  }
  if (values.all) {
    for (const e of entries) out(`===== ${e.file}\n${inertLines(readFileSync(e.path, 'utf8'))}`);
    return EXIT.ok;
  }
  out(renderTable(['#', 'date', 'subject', 'file'], entries.map((e) => [Number.parseInt(e.file, 10), e.date, e.subject, e.path])));
  out('\nread one with `order-pipeline alerts --show N`');
  return EXIT.ok;
}
