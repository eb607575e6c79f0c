/**
 * `order-pipeline validate <file…> [--json]`: the processor's CSV contract run locally, no AWS.
 * A dry run before uploading: same reader, same rules, same reasons.
 */
import { parseArgs } from 'node:util';
import { validateFile, type FileReport } from '../../functions/order-processor/index.ts';
import { EXIT, UsageError } from '../exit.ts';

export const summary = 'check order CSV files against the contract locally (no AWS)';

const USAGE = `usage: order-pipeline validate <file…> [--json]

Reads each file (.csv or .csv.gz) with the processor's CSV contract and reports, per file,
VALID / PARTIAL / REJECTED with row counts and the rejected rows (file:line column: reason).

options:
  --json      print a JSON array, one object per file:
              {"file","status","rows","valid","rejected","blank","reason","errors":[{"line","order_id","column","reason"}]}
  -h, --help  show this help

exit status: 0 all files VALID, 1 some rows rejected, 2 some file REJECTED, 64 usage error`;

/** How many row errors the human output shows per file (--json lists all). */
const SHOWN_ERRORS = 10;

function parse(argv: string[]): { files: string[]; json: boolean; help: boolean } {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    return { files: positionals, json: values.json ?? false, help: values.help ?? false };
  } catch (err) {
    throw new UsageError(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
  }
}

/** The exit status for a set of reports: the worst outcome wins. */
export function exitStatusFor(reports: readonly FileReport[]): number {
  if (reports.some((r) => r.status === 'REJECTED')) return EXIT.rejected;
  if (reports.some((r) => r.status === 'PARTIAL')) return EXIT.failure;
  return EXIT.ok;
}

/** The exact JSON shape of one file (unknownColumns is human-output only). */
function toJson(report: FileReport): object {
  const { file, status, rows, valid, rejected, blank, reason, errors } = report;
  return {
    file,
    status,
    rows,
    valid,
    rejected,
    blank,
    reason,
    errors: errors.map(({ line, order_id, column, reason: why }) => ({ line, order_id, column, reason: why })),
  };
}

export function formatHuman(report: FileReport): string {
  const counts = `rows ${report.rows}, valid ${report.valid}, rejected ${report.rejected}, blank ${report.blank}`;
  const lines = [`${report.status.padEnd(8)} ${report.file}: ${counts}`];
  if (report.reason) lines.push(`  reason: ${report.reason}`);
  if (report.unknownColumns.length > 0) {
    lines.push(`  ignored unknown columns: ${report.unknownColumns.map((c) => JSON.stringify(c)).join(', ')}`);
  }
  for (const error of report.errors.slice(0, SHOWN_ERRORS)) {
    lines.push(`  ${report.file}:${error.line} ${error.column ?? '(row)'}: ${error.reason}`);
  }
  const more = report.errors.length - SHOWN_ERRORS;
  if (more > 0) lines.push(`  … and ${more} more rejected row${more === 1 ? '' : 's'} (use --json for all)`);
  return lines.join('\n');
}

export async function run(argv: string[]): Promise<number> {
  const { files, json, help } = parse(argv);
  if (help) {
    process.stdout.write(USAGE + '\n');
    return EXIT.ok;
  }
  if (files.length === 0) throw new UsageError(`no files given\n\n${USAGE}`);

  const reports: FileReport[] = [];
  for (const file of files) {
    const report = await validateFile(file);
    reports.push(report);
    if (!json) process.stdout.write(formatHuman(report) + '\n');
  }
  if (json) process.stdout.write(JSON.stringify(reports.map(toJson), null, 2) + '\n');
  return exitStatusFor(reports);
}
