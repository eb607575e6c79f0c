/**
 * `order-pipeline validate <file…> [--schema SCHEMA.json] [--json]`: the processor's CSV contract
 * run locally, no AWS. A dry run before uploading: same reader, same rules, same reasons, same caps
 * (MAX_FILE_MB, MAX_FILE_LINES from the environment), under the order schema given (--schema, else
 * ORDER_SCHEMA, else the built-in order-schema.json).
 *
 * The report streams: human output keeps the first 10 errors per file and counts the rest;
 * --json spools each file's errors to a temporary file while the file is read (its counts come
 * first in the JSON object, so they must be known before its errors are printed) and copies them
 * out after. Memory stays flat however many rows are rejected.
 */
import { once } from 'node:events';
import { closeSync, createReadStream, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
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

type RowError = FileReport['errors'][number];

export const summary = 'check order CSV files against the contract locally (no AWS)';

const USAGE = `usage: order-pipeline validate <file…> [--schema SCHEMA.json] [--json]

Reads each file (.csv or .csv.gz) with the processor's CSV contract and reports, per file,
VALID / PARTIAL / REJECTED with row counts and the rejected rows (file:line column: reason).

options:
  --schema FILE  the order schema to check against (docs/csv-format.md "The schema file");
                 default: ORDER_SCHEMA, else the built-in order-schema.json
  --json         print a JSON array, one object per file:
                 {"file","status","rows","valid","rejected","blank","reason",
                  "schema":{"name","version","fingerprint"},"errors":[{"line","order_id","column","reason"}]}
  -h, --help     show this help

environment (the same settings as the processor; docs/csv-format.md "Limits"):
  ORDER_SCHEMA    the order schema file when --schema is not given
  MAX_FILE_MB     largest file in MB once decompressed (default 16384)
  MAX_FILE_LINES  most lines per file (default 100000000)

exit status: 0 all files VALID, 1 some rows rejected, 2 some file REJECTED, 64 usage error`;

/** How many row errors the human output shows per file (--json lists all). */
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
 * them all. `unknownColumns`: what the schema does with unknown columns (docs/csv-format.md).
 */
export function formatHuman(report: FileReport, unknownColumns: 'ignore' | 'keep' | 'reject' = 'ignore'): string {
  const counts = `rows ${report.rows}, valid ${report.valid}, rejected ${report.rejected}, blank ${report.blank}`;
  const lines = [`${report.status.padEnd(8)} ${report.file}: ${counts}`];
  if (report.reason) lines.push(`  reason: ${report.reason}`);
  if (report.unknownColumns.length > 0) {
    const what = unknownColumns === 'keep' ? 'kept unknown columns (stored as strings)' : 'ignored unknown columns';
    lines.push(`  ${what}: ${report.unknownColumns.map((c) => JSON.stringify(c)).join(', ')}`);
  }
  const shown = report.errors.slice(0, SHOWN_ERRORS);
  for (const error of shown) {
    lines.push(`  ${report.file}:${error.line} ${error.column ?? '(row)'}: ${error.reason}`);
  }
  const more = report.rejected - shown.length;
  if (more > 0) lines.push(`  … and ${more} more rejected row${more === 1 ? '' : 's'} (use --json for all)`);
  return lines.join('\n');
}

// ---------- --json, streamed ----------
// The text is exactly JSON.stringify(reports, null, 2) (a test compares them), written in pieces.

const indent = (text: string, spaces: number): string => text.replace(/\n/g, `\n${' '.repeat(spaces)}`);

/** One error as an element of a file's "errors" array (written out by hand: the values are all primitives). */
export function jsonErrorElement({ line, order_id, column, reason }: RowError): string {
  const j = JSON.stringify;
  return `      {\n        "line": ${j(line)},\n        "order_id": ${j(order_id)},\n        "column": ${j(column)},\n        "reason": ${j(reason)}\n      }`;
}

/** A file's object up to `"errors": ` (the counts and the schema that checked it), as an element of the top-level array. */
export function jsonFileHead(report: FileReport, schema: SchemaIdentity): string {
  const { file, status, rows, valid, rejected, blank, reason } = report;
  const { name, version, fingerprint } = schema;
  const head = JSON.stringify({ file, status, rows, valid, rejected, blank, reason, schema: { name, version, fingerprint }, errors: [] }, null, 2);
  return `  ${indent(head.slice(0, head.lastIndexOf('[]')), 2)}`;
}

async function write(text: string | Uint8Array): Promise<void> {
  if (!process.stdout.write(text)) await once(process.stdout, 'drain');
}

/** A file's error elements, kept on disk (not in memory) until its counts are known. */
class ErrorSpool {
  private readonly dir = mkdtempSync(join(tmpdir(), 'order-pipeline-validate-'));
  readonly path = join(this.dir, 'errors.json');
  private readonly fd = openSync(this.path, 'w');
  private buffered: string[] = [];
  private bufferedChars = 0;
  count = 0;

  add(error: RowError): void {
    const text = (this.count > 0 ? ',\n' : '') + jsonErrorElement(error);
    this.count++;
    this.buffered.push(text);
    this.bufferedChars += text.length;
    if (this.bufferedChars > 1 << 16) this.flush();
  }

  flush(): void {
    if (this.buffered.length > 0) writeSync(this.fd, this.buffered.join(''));
    this.buffered = [];
    this.bufferedChars = 0;
  }

  /** Copies the spooled elements to stdout. */
  async copyOut(): Promise<void> {
    this.flush();
    for await (const chunk of createReadStream(this.path)) await write(chunk as Buffer);
  }

  dispose(): void {
    closeSync(this.fd);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function validateAsJson(file: string, limits: ContractLimits, loaded: LoadedSchema, first: boolean): Promise<FileReport> {
  const spool = new ErrorSpool();
  try {
    const report = await validateFile(file, { maxErrors: 0, limits, schema: loaded.schema, onError: (error) => spool.add(error) });
    await write(`${first ? '' : ','}\n${jsonFileHead(report, loaded.schema.identity)}`);
    // A file rejected as a whole lists no rows (report.rejected is then 0).
    if (report.rejected > 0 && spool.count > 0) {
      await write('[\n');
      await spool.copyOut();
      await write('\n    ]\n  }');
    } else {
      await write('[]\n  }');
    }
    return report;
  } finally {
    spool.dispose();
  }
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
  return `schema ${JSON.stringify(name)} version ${version} (fingerprint ${fingerprint}) from ${file}`;
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
      await write(formatHuman(report, loaded.schema.unknownColumns) + '\n');
    }
  }
  if (json) await write('\n]\n');
  return exitStatusFor(statuses);
}
