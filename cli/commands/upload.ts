/** `order-pipeline upload <file…> [--wait] [--prefix sub/]`: drop files into raw-data/. */
import { existsSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { connectTarget, TARGET_HELP, TARGET_OPTIONS } from '../target.ts';
import { deliveryState } from '../../deployment/delivery.ts';
import { EXIT, UsageError } from '../exit.ts';
import { parseTimeoutSeconds } from '../options.ts';
import { destinationOf, isFinal, type LedgerItem } from '../../deployment/ledger-view.ts';
import { describeParts, partsCell } from '../render/file-progress.ts';
import { toJson } from '../render/json.ts';
import { formatBytes, ProgressBar, WaitProgress } from '../render/progress.ts';
import { renderTable } from '../render/table.ts';
import { err, out } from '../render/terminal.ts';
import { rawKeyFor, uploadFile, waitForOutcomes, type Uploaded } from '../../deployment/uploads.ts';

export const summary = 'put files into raw-data/ (multipart for large ones); --wait follows each to its outcome';

const HELP = `usage: order-pipeline upload FILE… [--wait] [--timeout SECONDS] [--prefix SUB/] [--json] [target options]

Puts each FILE into s3://<bucket>/raw-data/[SUB/]<file name> (multipart uploads of 8 MiB parts
for large files, with a progress bar on stderr).
  --wait           follow each file through the ingestion ledger to its outcome and print it;
                   a large file processed in parts shows its progress meanwhile (parts scanned,
                   parts written: redrawn in place on a terminal, a line per change otherwise)
  --timeout S      how long --wait waits for all files (default 300)
  --prefix SUB/    a folder under raw-data/
  --json           print the outcomes as JSON (one array)
${TARGET_HELP}

Exit status: 0 uploaded (and, with --wait, every file handled and none FAILED); 1 a file FAILED,
did not reach an outcome in time, or could not be uploaded; 64 usage error.`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...TARGET_OPTIONS,
      wait: { type: 'boolean', default: false },
      timeout: { type: 'string', default: '300' },
      prefix: { type: 'string', default: '' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    out(HELP);
    return EXIT.ok;
  }
  if (positionals.length === 0) throw new UsageError(`no file given\n${HELP}`);
  for (const file of positionals) {
    if (!existsSync(file) || !statSync(file).isFile()) throw new UsageError(`${file}: no such file`);
  }
  const timeoutSeconds = parseTimeoutSeconds(values.timeout);
  let keys: string[];
  try {
    keys = positionals.map((f) => rawKeyFor(f, values.prefix));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }

  const connection = await connectTarget(values);
  const { target, clients } = connection;
  const bucket = target.outputs.bucket_name;
  const uploaded: Uploaded[] = [];
  let failures = 0;
  for (const [i, file] of positionals.entries()) {
    const key = keys[i]!;
    const progress = new ProgressBar(key, statSync(file).size);
    try {
      const result = await uploadFile(clients.s3, bucket, file, key, (loaded) => progress.update(loaded));
      progress.finish(`uploaded ${file} → s3://${bucket}/${key} (${formatBytes(result.size)}${result.versionId ? `, version ${result.versionId}` : ''})`);
      uploaded.push(result);
    } catch (e) {
      progress.finish(`FAILED to upload ${file}: ${(e as Error).message}`);
      failures += 1;
    }
  }
  if (!values.wait) return failures > 0 ? EXIT.failure : EXIT.ok;

  const delivery = await deliveryState(connection).catch(() => null);
  if (delivery && !delivery.enabled) {
    err(`note: delivery is PAUSED (${delivery.detail}): the files wait in the ingest queue until \`order-pipeline resume\``);
  }
  const progress = new WaitProgress();
  // The last item seen of each file, final or not: what to say of a file still in processing at the deadline.
  let latest: readonly (LedgerItem | null)[] = [];
  const items = await waitForOutcomes(clients.doc, target.outputs.ingestions_table_name, bucket, uploaded, {
    timeoutMs: timeoutSeconds * 1000,
    onTick: (done, total, current) => {
      latest = current;
      progress.update(
        done,
        total,
        uploaded.map((u, i) => {
          const item = current[i];
          return { key: u.key, progress: item && !isFinal(item) ? describeParts(item) : null };
        }),
      );
    },
  });
  progress.clear();
  const outcomes = uploaded.map((u, i) => ({ uploaded: u, item: items[i] ?? null }));
  if (values.json) {
    out(toJson(outcomes.map(({ uploaded: u, item }) => ({ file: u.file, key: u.key, version_id: u.versionId, outcome: item?.status ?? 'PENDING', ledger: item }))));
  } else {
    out(
      renderTable(
        ['file', 'outcome', 'parts', 'rows', 'written', 'rejected', 'where it went / why'],
        outcomes.map(({ uploaded: u, item }, i) => [
          u.key,
          item?.status ?? pendingOutcome(latest[i] ?? null, timeoutSeconds),
          item ? partsCell(item) : '-',
          item?.rows ?? '-',
          item?.written ?? '-',
          item?.rejected ?? '-',
          item ? (item.status === 'FAILED' || item.status === 'DUPLICATE' ? `${item.reason ?? ''} → ${destinationOf(item)}` : destinationOf(item)) : 'check `order-pipeline status` (paused? DLQ?)',
        ]),
      ),
    );
  }
  const bad = outcomes.filter((o) => !o.item || o.item.status === 'FAILED').length;
  return failures + bad > 0 ? EXIT.failure : EXIT.ok;
}

/** A file without an outcome at the deadline: not seen at all, or still in processing (and how far). */
function pendingOutcome(item: LedgerItem | null, timeoutSeconds: number): string {
  if (!item) return `not handled within ${timeoutSeconds} s`;
  const parts = describeParts(item);
  return `still ${item.status} after ${timeoutSeconds} s${parts ? ` (${parts})` : ''}`;
}
