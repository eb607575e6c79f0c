/** `order-pipeline dashboard [--html FILE] [--hours N]`: the deployed dashboard's metric widgets. */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { connectTarget, TARGET_HELP, TARGET_OPTIONS } from '../target.ts';
import { getDashboardWidgets, loadWidgetData, timeWindow } from '../../deployment/dashboard-data.ts';
import { dashboardHtml } from '../render/dashboard-html.ts';
import { EXIT, UsageError } from '../exit.ts';
import { compactNumber, sparkline } from '../render/sparkline.ts';
import { bold, dim, out } from '../render/terminal.ts';
import { escapeControls } from '../render/inert.ts';
import { toJson } from '../render/json.ts';

export const summary = 'render the deployed dashboard from GetMetricData: terminal sparklines or --html FILE';

const HELP = `usage: order-pipeline dashboard [--hours N] [--period S] [--html FILE] [--json] [target options]

Reads the deployed CloudWatch dashboard (GetDashboard), fetches every metric of its metric
widgets with GetMetricData, and shows them as sparklines with totals, or writes a self-contained
HTML page with SVG charts (no external assets).
  --hours N    time range ending now (default 3)
  --period S   seconds per point (default: about 48 points over the range, at least 60)
  --html FILE  write the HTML page to FILE instead of printing
  --json       print the series as JSON
${TARGET_HELP}`;

export function defaultPeriod(hours: number): number {
  return Math.max(60, Math.round((hours * 3600) / 48 / 60) * 60);
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...TARGET_OPTIONS,
      hours: { type: 'string', default: '3' },
      period: { type: 'string' },
      html: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    out(HELP);
    return EXIT.ok;
  }
  const hours = Number(values.hours);
  if (!Number.isFinite(hours) || hours <= 0 || hours > 24 * 15) throw new UsageError(`--hours must be a number in (0, 360], not "${values.hours}"`);
  const period = values.period === undefined ? defaultPeriod(hours) : Number(values.period);
  if (!Number.isInteger(period) || period < 1 || (period >= 60 && period % 60 !== 0)) {
    throw new UsageError(`--period must be 1, 5, 10, 30 or a multiple of 60 seconds, not "${values.period}"`);
  }
  const { target, clients } = await connectTarget(values, { quiet: values.json });
  const name = target.outputs.dashboard_name;
  const widgets = await getDashboardWidgets(clients.cloudwatch, name);
  const window = timeWindow(hours, period);
  const data = await loadWidgetData(clients.cloudwatch, widgets, window);

  if (values.json) {
    out(toJson({ dashboard: name, start: window.start, end: window.end, period, widgets: data }));
    return EXIT.ok;
  }
  if (values.html) {
    writeFileSync(values.html, dashboardHtml({ name, target: target.description, window, widgets: data }));
    out(`wrote ${values.html} (${data.length} charts, ${hours} h, one point per ${period} s) — open it in a browser`);
    return EXIT.ok;
  }
  out(bold(`dashboard ${name}`) + dim(` — last ${hours} h, one character per ${period} s, total = sum (Sum) or latest value`));
  for (const w of data) {
    out('');
    // Titles and labels come from the dashboard body stored in CloudWatch: shown escaped.
    out(bold(escapeControls(w.title)));
    const labels = w.series.map((s) => escapeControls(s.spec.label));
    const labelWidth = Math.max(...labels.map((l) => l.length));
    for (const [i, s] of w.series.entries()) {
      const total = s.error ? 'unavailable' : s.total === null ? 'no data' : compactNumber(s.total);
      out(`  ${(labels[i] ?? '').padEnd(labelWidth)}  ${sparkline(s.values)}  ${total}`);
    }
  }
  if (target.kind === 'local') {
    out('');
    out(dim('(locally only the processor\'s own metrics have data: moto does not produce Lambda, SQS or DynamoDB metrics)'));
  }
  return EXIT.ok;
}
