/**
 * `order-pipeline validate <file…> [--schema SCHEMA.json] [--json]`: the processor's CSV contract
 * run locally, no AWS. A dry run before uploading: same reader, same rules, same reasons, same caps
 * (MAX_FILE_MB, MAX_FILE_LINES from the environment), under the order schema given (--schema, else
 * ORDER_SCHEMA, else the built-in order-schema.json).
 *
 * Memory stays flat however many rows are rejected: human output keeps the first 10 errors per
 * file and counts the rest; --json lists the first JSON_MAX_ERRORS and counts the rest.
 */
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import {
  DEFAULT_LIMITS,
  InvalidLimitError,
  limitsFromEnv,
  orderSchemaFor,
  SchemaFileError,
  validateFile,
  type ContractLimits,
  type FileReport,
  type LoadedSchema,
  type SchemaIdentity,
} from '../../functions/order-processor/index.ts';
import { EXIT, UsageError } from '../exit.ts';
import { escapeControls, inertLines } from '../render/inert.ts';

export const summary = 'check order CSV files against the contract locally (no AWS)';

const USAGE = `usage: order-pipeline validate <file…> [--schema SCHEMA.json] [--json]

Reads each file (.csv or .csv.gz) with the processor's CSV contract and reports, per file,
VALID / PARTIAL / REJECTED with row counts and the rejected rows (file:line column: reason).

options:
  --schema FILE  the order schema to check against (docs/csv-format.md "The schema file");
                 default: ORDER_SCHEMA, else the built-in order-schema.json
  --json         print a JSON array, one object per file:
                 {"file","status","rows","valid","rejected","blank","reason",
                  "schema":{"name","version","fingerprint"},"errors":[{"line","order_id","column","reason"}],"errors_omitted"}
                 listing the first 10,000 rejected rows of a file (errors_omitted: how many more)
  -h, --help     show this help

environment (the same settings as the processor; docs/csv-format.md "Limits"):
  ORDER_SCHEMA    the order schema file when --schema is not given
  MAX_FILE_MB     largest file in MB once decompressed (default ${DEFAULT_LIMITS.maxFileMb})
  MAX_FILE_LINES  most lines per file (default ${DEFAULT_LIMITS.maxFileLines})

exit status: 0 all files VALID, 1 some rows rejected, 2 some file REJECTED, 64 usage error`;

/** How many row errors the human output shows per file (--json: JSON_MAX_ERRORS). */
const SHOWN_ERRORS = 10;

function parse(argv: string[]): { files: string[]; json: boolean; help: boolean; schema: string | undefined } {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean', default: false },
        schema: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    return { files: positionals, json: values.json ?? false, help: values.help ?? false, schema: values.schema };
  } catch (err) {
    throw new UsageError(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
  }
}

/** The exit status for a set of reports: the worst outcome wins. */
export function exitStatusFor(reports: readonly Pick<FileReport, 'status'>[]): number {
  if (reports.some((r) => r.status === 'REJECTED')) return EXIT.rejected;
  if (reports.some((r) => r.status === 'PARTIAL')) return EXIT.failure;
  return EXIT.ok;
}

/**
 * The human report of one file; `report.errors` holds the first errors, `report.rejected` counts
 * them all. Unknown columns: those a `keep` schema keeps, with their attribute names, and the
 * ones ignored (docs/csv-format.md "Unknown columns").
 */
export function formatHuman(report: FileReport): string {
  const rejectedOrders = report.ordersRejected ? `, orders rejected ${report.ordersRejected}` : '';
  const orders = report.orders === undefined ? '' : `, orders ${report.orders}${rejectedOrders}`;
  const counts = `rows ${report.rows}, valid ${report.valid}, rejected ${report.rejected}, blank ${report.blank}${orders}`;
  const lines = [`${report.status.padEnd(8)} ${report.file}: ${counts}`];
  if (report.reason) lines.push(`  reason: ${report.reason}`);
  const kept = report.keptColumns ?? [];
  if (kept.length > 0) {
    lines.push(`  kept unknown columns (stored as strings, in the cleaned CSV): ${kept.map((k) => `${JSON.stringify(k.column)} as ${k.attribute}`).join(', ')}`);
  }
  const ignored = report.unknownColumns.filter((c) => !kept.some((k) => k.column === c));
  if (ignored.length > 0) {
    const why = report.keptColumns ? " (named like the pipeline's own attributes)" : '';
    lines.push(`  ignored unknown columns${why}: ${ignored.map((c) => JSON.stringify(c)).join(', ')}`);
  }
  const shown = report.errors.slice(0, SHOWN_ERRORS);
  for (const error of shown) {
    lines.push(`  ${report.file}:${error.line} ${error.column ?? '(row)'}: ${error.reason}`);
  }
  const more = report.rejected - shown.length;
  if (more > 0) lines.push(`  … and ${more} more rejected row${more === 1 ? '' : 's'} (--json lists up to ${JSON_MAX_ERRORS.toLocaleString('en-US')} per file)`);
  // The file name, columns and reasons are outside text: each line through the one escaper.
  return lines.map(escapeControls).join('\n');
}

// ---------- --json ----------
// The text is exactly JSON.stringify(reports, null, 2) (a test compares them), written a file at a
// time, through the one escaper (which keeps it the same JSON value).

/**
 * How many rejected rows --json lists per file (docs/csv-format.md, its opening section). The counts
 * always cover every row (rows = valid + rejected); `errors_omitted` says how many rejected rows
 * are not listed. A file with more rejected rows than this has a systematic problem that its
 * first errors show, and listing them all made a 1 MB file of one-character rows write 84 MB.
 */
export const JSON_MAX_ERRORS = 10_000;

/** One file's object in the --json array. */
export interface JsonFileReport extends Pick<FileReport, 'file' | 'status' | 'rows' | 'valid' | 'rejected' | 'blank' | 'orders' | 'reason' | 'errors'> {
  /** The order schema that checked the file. */
  schema: Pick<SchemaIdentity, 'name' | 'version' | 'fingerprint'>;
  errors_omitted: number;
}

export function jsonFileReport(report: FileReport, identity: SchemaIdentity): JsonFileReport {
  const { file, status, rows, valid, rejected, blank, reason } = report;
  const { name, version, fingerprint } = identity;
  const errors = report.errors.slice(0, JSON_MAX_ERRORS);
  // A file rejected as a whole lists no rows (report.rejected is then 0).
  const errors_omitted = Math.max(0, rejected - errors.length);
  const orders = report.orders === undefined ? {} : { orders: report.orders, orders_rejected: report.ordersRejected ?? 0 };
  return { file, status, rows, valid, rejected, blank, ...orders, reason, schema: { name, version, fingerprint }, errors, errors_omitted };
}

async function write(text: string | Uint8Array): Promise<void> {
  if (!process.stdout.write(text)) await once(process.stdout, 'drain');
}

async function validateAsJson(file: string, limits: ContractLimits, loaded: LoadedSchema, first: boolean): Promise<FileReport> {
  const report = await validateFile(file, { maxErrors: JSON_MAX_ERRORS, limits, schema: loaded.schema });
  const element = JSON.stringify(jsonFileReport(report, loaded.schema.identity), null, 2).replace(/\n/g, '\n  ');
  await write(`${first ? '' : ','}\n  ${inertLines(element)}`);
  return report;
}

function limitsOrUsageError(): ContractLimits {
  try {
    return limitsFromEnv(process.env);
  } catch (err) {
    if (err instanceof InvalidLimitError) throw new UsageError(err.message);
    throw err;
  }
}

/** The schema line of the human output. */
export function formatSchema({ schema, file }: LoadedSchema): string {
  const { name, version, fingerprint } = schema.identity;
  return escapeControls(`schema ${JSON.stringify(name)} version ${version} (fingerprint ${fingerprint}) from ${file}`);
}

/** A broken schema file is a usage error: its message names the file, the place in it and what is expected. */
function schemaOrUsageError(given: string | undefined): LoadedSchema {
  try {
    return orderSchemaFor(given, process.env);
  } catch (err) {
    if (err instanceof SchemaFileError) throw new UsageError(err.message);
    throw err;
  }
}

export async function run(argv: string[]): Promise<number> {
  const { files, json, help, schema } = parse(argv);
  if (help) {
    process.stdout.write(USAGE + '\n');
    return EXIT.ok;
  }
  if (files.length === 0) throw new UsageError(`no files given\n\n${USAGE}`);
  const limits = limitsOrUsageError();
  const loaded = schemaOrUsageError(schema);

  const statuses: Pick<FileReport, 'status'>[] = [];
  if (json) await write('[');
  for (const [i, file] of files.entries()) {
    if (json) {
      const { status } = await validateAsJson(file, limits, loaded, i === 0);
      statuses.push({ status });
    } else {
      if (i === 0) await write(`${formatSchema(loaded)}\n`);
      const report = await validateFile(file, { maxErrors: SHOWN_ERRORS, limits, schema: loaded.schema });
      statuses.push({ status: report.status });
      await write(formatHuman(report) + '\n');
    }
  }
  if (json) await write('\n]\n');
  return exitStatusFor(statuses);
}
