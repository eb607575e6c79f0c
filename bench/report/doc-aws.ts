/**
 * docs/performance.md, "The AWS picture" and "Large files in parts": aws-model.ts's numbers with
 * the assumptions and the arithmetic written out, so a reader can redo them.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { BenchResults, PartsMeasurement } from '../results.ts';
import { PARTS_PATH } from '../results.ts';
import { ASSUMPTIONS as A, awsModel, PRICES as P } from './aws-model.ts';
import { keyValueTable, markdownTable } from './markdown.ts';
import { defaultMemoryRuns, deployedMemoryRun } from './targets.ts';
import { bytes, fixed, int } from './tables.ts';

const usd = (n: number, digits = 4): string => `$${n.toFixed(digits)}`;
const GB = A.fullVcpuMb / 1024;

export function awsSection(r: BenchResults): string {
  const m = awsModel(r);
  const big = defaultMemoryRuns(r.memory.runs).at(-1);
  const flags = deployedMemoryRun(r.memory.runs, big?.rows)?.nodeOptions ?? '';
  const files = 1e6 / m.rowsPerFile;
  const req = r.instantTable.processor.requests;
  const reqList = Object.entries(req).map(([op, n]) => `${op} ${n}`).join(', ');
  return `## The AWS picture (derived from these numbers, not measured on AWS)

Assumptions, all in \`bench/report/aws-model.ts\`:

- **CPU per row**: the Lambda bundle in plain node on the ${int(big?.rows ?? 0)}-row file against the
  instant table: **${fixed(m.microsPerRow)} µs of node CPU per row**, end to end (S3 read, both passes,
  SDK, HTTP, cleaned CSV, ledger). One Lambda vCPU (arm64, Graviton) is assumed to do the work of
  one core of this machine; if it is slower by a factor *k*, divide the rates by *k*. HTTPS adds TLS
  (AES-GCM on ~1 KB per item, sessions kept alive), not counted here.
- **Memory and CPU**: Lambda gives one full vCPU at ${int(A.fullVcpuMb)} MB (${fixed(GB, 4)} GB), proportionally less below.
- **DynamoDB latency**: a BatchWriteItem of 25 items takes ~${A.batchWriteLatencyMs} ms in-region, so
  WRITE_CONCURRENCY=${r.options.concurrency} requests in flight carry at most ${r.options.concurrency} × 25 / ${A.batchWriteLatencyMs / 1000} s.
- **Prices**: ${P.region}, on-demand list prices without free tiers: Lambda arm64 ${usd(P.lambdaArmPerGbSecond, 10)} per GB-s and
  ${usd(P.lambdaPerMillionRequests, 2)} per million requests; DynamoDB on-demand ${usd(P.dynamoPerMillionWru, 3)} per million write request
  units (one per item of up to 1 KB; the orders written here are ~0.3 KB); S3 Standard ${usd(P.s3PutPerThousand, 3)} per 1,000
  PUT/COPY/POST and ${usd(P.s3GetPerThousand, 4)} per 1,000 GET/HEAD (DELETE free); SQS ${usd(P.sqsPerMillion, 2)} per million requests.
  EventBridge delivers S3's events to the default bus at no charge; storage, CloudWatch Logs and the
  one EMF line per invocation are left out.

### Rows per second of one invocation

${keyValueTable(
  ['step', 'arithmetic'],
  [
    ['CPU bound at 1,769 MB', `1,000,000 / ${fixed(m.microsPerRow)} µs = **${int(m.cpuRowsPerSecond)} rows/s**`],
    ['DynamoDB latency bound', `${r.options.concurrency} × 25 items / ${A.batchWriteLatencyMs} ms = ${int(m.latencyRowsPerSecond)} rows/s`],
    ['one invocation at 1,769 MB', `min of the two = **${int(m.rowsPerSecond)} rows/s**`],
    ['at the default 1,024 MB (0.58 vCPU)', `${int(m.rowsPerSecond)} × 1,024 / 1,769 = ${int(m.rowsPerSecondDefaultMemory)} rows/s`],
  ],
)}

${
  m.rowsPerSecond > A.newTableWru
    ? `One invocation alone writes more than the ${int(A.newTableWru)} write request units per second a new on-demand
table serves at once: on a fresh table its writes are throttled (and retried) until the table has
adapted, unless the table is pre-warmed (warm throughput).
`
    : ''
}
### The largest unsplit file in 15 minutes

Both passes are in the CPU per row above, so one invocation of 900 s (Lambda's maximum timeout)
handles about 900 s × ${int(m.rowsPerSecond)} rows/s = **${int(m.largestRows)} rows**, at this file's
${fixed(m.bytesPerRow, 0)} bytes per row **${bytes(m.largestBytes)}** of CSV. Memory at that size: the duplicate-id set,
~${int(m.idBytesPerRow)} bytes per row, plus the rest the ${int(big?.rows ?? 0)}-row run took besides its id set (${bytes(m.restBytes)}${flags ? `, with \`${flags}\`` : ''},
see *Memory*): ${bytes(m.restBytes)} + ${int(m.largestRows)} × ${int(m.idBytesPerRow)} B ≈ **${bytes(m.largestRssBytes)}**,
${m.largestRssBytes < A.fullVcpuMb * 1024 * 1024 ? 'within' : '**beyond**'} the ${int(A.fullVcpuMb)} MB the function has. The deployed timeout
(LAMBDA_TIMEOUT_SECONDS, default 300 s) and memory (default 1,024 MB) give a third of that
time at 0.58 of the CPU: about ${int(300 * m.rowsPerSecondDefaultMemory)} rows. Larger files are split into parts (below).

### Cost per million orders

In files of ${int(m.rowsPerFile)} rows (${int(files)} files per million), with the requests the processor sent for one such
file in this run (${reqList}):

${markdownTable({
  headers: ['item', 'arithmetic', 'per million orders'],
  rows: [
    ['Lambda compute', `1,000,000 / ${int(m.rowsPerSecond)} rows/s = ${fixed(m.cost.lambdaSeconds, 0)} s × ${fixed(GB, 4)} GB = ${fixed(m.cost.gbSeconds, 0)} GB-s × ${usd(P.lambdaArmPerGbSecond, 10)}`, usd(m.cost.lambda)],
    ['Lambda requests', `${int(files)} invocations × ${usd(P.lambdaPerMillionRequests, 2)} / 1,000,000`, usd(m.cost.lambdaRequests, 6)],
    ['DynamoDB writes', `${int(m.cost.wru)} WRU (one per order + the ledger's writes per file) × ${usd(P.dynamoPerMillionWru, 3)} / 1,000,000`, usd(m.cost.dynamo)],
    ['S3 requests', `${int(m.cost.s3Put)} PUT/POST/COPY × ${usd(P.s3PutPerThousand, 3)} / 1,000 + ${int(m.cost.s3Get)} GET/HEAD × ${usd(P.s3GetPerThousand, 4)} / 1,000`, usd(m.cost.s3, 5)],
    ['SQS', `${int(files)} files × ${A.sqsRequestsPerFile} requests × ${usd(P.sqsPerMillion, 2)} / 1,000,000`, usd(m.cost.sqs, 6)],
    ['**total**', '', `**${usd(m.cost.total)}**`],
  ],
})}

DynamoDB's write request units are ${fixed((m.cost.dynamo / m.cost.total) * 100, 0)} % of the cost: the per-order price is the table's,
and the processor's own share (Lambda) is small as long as its CPU per row stays near the write path's.
`;
}

function partsMeasured(): PartsMeasurement[] {
  if (!existsSync(PARTS_PATH)) return [];
  return JSON.parse(readFileSync(PARTS_PATH, 'utf8')) as PartsMeasurement[];
}

export function partsSection(r: BenchResults): string {
  const m = awsModel(r);
  const p = m.parts;
  const measured = partsMeasured();
  const headers = ['file', 'rows', 'parts', 'parts in flight', 'seconds', 'rows/s', 'outcome', 'same outcome as unsplit', 'note'];
  // The file processed whole (one part) is what the others are compared with.
  const same = (x: PartsMeasurement) => (x.parts === 1 ? '(reference)' : x.sameOutcomeAsUnsplit ? 'yes' : '**no**');
  const measuredTable =
    measured.length > 0
      ? markdownTable({
          headers,
          rows: measured.map((x) => [x.file, int(x.rows), int(x.parts), int(x.partsInFlight), fixed(x.seconds, 1), int(x.rows / x.seconds), x.outcome ?? '', same(x), x.note ?? '']),
        })
      : markdownTable({
          headers,
          rows: [['_to be measured_', '', '', '', '', '', '', '', '`npm run bench:parts` writes bench/parts-local.json; `npm run bench:doc` renders it here']],
        });
  return `## Large files in parts

A file of at least FANOUT_THRESHOLD_MB (default 256 MiB) is processed in parts of about
FANOUT_CHUNK_MB (default ${A.partMb} MiB) by parallel invocations (docs/architecture.md). The model: each part
runs at the rate of one invocation, and the parts in flight add up until the orders table's write
throughput caps them:

  file rows/s = min(parts in flight × ${int(m.rowsPerSecond)} rows/s per part, the table's write request units/s)

Assumed table limits (on-demand): a new table serves up to ${int(A.newTableWru)} write request units/s at once and
then adapts (it doubles its previous peak); the default per-table maximum is ${int(A.tableQuotaWru)} WRU/s (an
adjustable quota), and warm throughput can pre-warm a table to it. Parts in flight are bounded by
INGEST_MAX_CONCURRENCY (default ${A.partsInFlight}) on the parts queue.

One part of ${A.partMb} MiB holds ~${int(p.rowsPerPart)} rows at ${fixed(m.bytesPerRow, 0)} bytes per row and takes ~${fixed(p.partSeconds, 0)} s at
${int(m.rowsPerSecond)} rows/s: well inside one invocation's 900 s (a part may be up to ~${bytes(m.largestBytes)}, the largest unsplit file).

${markdownTable({
  headers: ['table write throughput', 'parts in flight', 'file rows/s', 'largest file in 15 minutes', 'of CSV'],
  rows: p.rows.map((x) => [`${int(x.wru)} WRU/s`, int(x.inFlight), int(x.rowsPerSecond), `${int(x.largestRows)} rows`, bytes(x.largestRows * m.bytesPerRow)]),
})}

"Largest file in 15 minutes" is 900 s × file rows/s: it leaves out the work before the parts start
(finding the part boundaries, the whole-file checks) and the join of the cleaned CSV at the end.
The table, not the processor, is the bound from ${int(Math.ceil(A.newTableWru / m.rowsPerSecond))} part(s) in flight on for a new table and from
${int(Math.ceil(A.tableQuotaWru / m.rowsPerSecond))} at the default quota: more parts in flight only add throttling and retries (the writer retries
them with backoff until WRITE_RETRY_DEADLINE_MS).

Measured locally by \`npm run bench:parts\` (bench/parts-local.ts): the same file processed whole, then in parts, each
on a fresh local stack (moto, ${r.machine.cpus} cores shared by every invocation, so parts in flight compete for the same CPU),
timed from the upload to the file's final ledger status. "Same outcome" compares the ledger's status and
counts, every item of the orders table, the cleaned CSV and the errors report, apart from each run's
ingestion_id and start time (processed_at). Locally one moto process serves every part's writes, so
parts in flight share it rather than add throughput; on AWS each part writes to the table on its own
(the model above):

${measuredTable}
`;
}
