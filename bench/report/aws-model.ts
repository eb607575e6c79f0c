/**
 * The AWS picture derived from one run's numbers (pure arithmetic, no measurement): what one
 * invocation processes per second at 1,769 MB, the largest unsplit file in 15 minutes, the cost
 * per million orders, and large files in parts. Every assumption is named here, once, and
 * docs/performance.md prints both the assumptions and the arithmetic.
 */
import type { BenchFile } from '../data.ts';
import type { BenchOptions } from '../options.ts';
import type { BenchResults } from '../results.ts';
import type { ProcessorEntry } from '../runs.ts';
import { defaultMemoryRuns, deployedMemoryRun, idSetAt } from './targets.ts';

/** AWS list prices, us-east-1 (N. Virginia), on-demand, without free tiers. */
export const PRICES = {
  region: 'us-east-1',
  lambdaArmPerGbSecond: 0.0000133334,
  lambdaPerMillionRequests: 0.2,
  /** On-demand write request unit (one per item of up to 1 KB), per million. */
  dynamoPerMillionWru: 0.625,
  /** S3 Standard PUT, COPY, POST, LIST per 1,000 requests. */
  s3PutPerThousand: 0.005,
  /** S3 Standard GET, HEAD and other requests per 1,000 (DELETE is free). */
  s3GetPerThousand: 0.0004,
  /** SQS standard queue, per million requests (64 KB each). */
  sqsPerMillion: 0.4,
} as const;

export const ASSUMPTIONS = {
  /** Lambda allocates one full vCPU at 1,769 MB, proportionally less below. */
  fullVcpuMb: 1769,
  defaultMemoryMb: 1024,
  timeoutSeconds: 900,
  /** Round trip of one BatchWriteItem of 25 items in-region (p50, order of magnitude). */
  batchWriteLatencyMs: 10,
  /** A new on-demand table serves up to 4,000 write request units/s at once, then scales (previous peak × 2). */
  newTableWru: 4_000,
  /** The default per-table on-demand maximum (a service quota, adjustable; warm throughput can pre-warm up to it). */
  tableQuotaWru: 40_000,
  /** Per file: the message EventBridge sends, the receive and the delete by the event-source mapping. */
  sqsRequestsPerFile: 3,
  /** Default part size (FANOUT_CHUNK_MB) and parts in flight (INGEST_MAX_CONCURRENCY). */
  partMb: 64,
  partsInFlight: 5,
} as const;

export interface AwsModel {
  microsPerRow: number;
  cpuRowsPerSecond: number;
  latencyRowsPerSecond: number;
  rowsPerSecond: number;
  rowsPerSecondDefaultMemory: number;
  bytesPerRow: number;
  largestRows: number;
  largestBytes: number;
  /** Memory needed for the largest file: the rest (large run's peak RSS minus its id set) + the id set per row × rows. */
  largestRssBytes: number;
  restBytes: number;
  idBytesPerRow: number;
  rowsPerFile: number;
  cost: { lambdaSeconds: number; gbSeconds: number; lambda: number; lambdaRequests: number; dynamo: number; wru: number; s3: number; s3Put: number; s3Get: number; sqs: number; total: number };
  parts: { rowsPerPart: number; partSeconds: number; rows: { wru: number; inFlight: number; rowsPerSecond: number; largestRows: number }[] };
}

const sum = (r: Record<string, number>, keys: string[]) => keys.reduce((n, k) => n + (r[k] ?? 0), 0);

/** What the model reads of a run's results (BenchResults has all of it). */
export interface AwsModelInputs {
  options: Pick<BenchOptions, 'concurrency'>;
  files: { main: Pick<BenchFile, 'rows' | 'bytes'> };
  instantTable: { processor: Pick<ProcessorEntry, 'microsPerRow' | 'requests'> };
  memory: BenchResults['memory'];
}

export function awsModel(r: AwsModelInputs): AwsModel {
  const A = ASSUMPTIONS;
  const runs = defaultMemoryRuns(r.memory.runs);
  const big = runs.at(-1);
  // The deployed artifact (the bundle, plain node) on the largest file: GC over a big id set included.
  const microsPerRow = big?.microsPerRow ?? r.instantTable.processor.microsPerRow;
  const cpuRowsPerSecond = 1e6 / microsPerRow;
  const latencyRowsPerSecond = (r.options.concurrency * 25) / (A.batchWriteLatencyMs / 1000);
  const rowsPerSecond = Math.min(cpuRowsPerSecond, latencyRowsPerSecond);
  const bytesPerRow = r.files.main.bytes / r.files.main.rows;
  const largestRows = rowsPerSecond * A.timeoutSeconds;
  // Memory needed at that size: the id set grows per row; the rest is what the large run took
  // besides its id set, with the NODE_OPTIONS it is deployed with when that run exists (else with
  // node's defaults).
  const idSet = idSetAt(r, big?.rows)?.bytes ?? 0;
  const idBytesPerRow = idSet / Math.max(1, big?.rows ?? 1);
  const flagged = deployedMemoryRun(r.memory.runs, big?.rows) ?? big;
  const restBytes = (flagged?.maxRssBytes ?? 0) - idSet;
  const largestRssBytes = restBytes + idBytesPerRow * largestRows;

  // Cost per million orders, in files the size of the main run (its requests, measured).
  const rowsPerFile = r.files.main.rows;
  const files = 1e6 / rowsPerFile;
  const requests = r.instantTable.processor.requests;
  const lambdaSeconds = 1e6 / rowsPerSecond;
  const gbSeconds = lambdaSeconds * (A.fullVcpuMb / 1024);
  const lambda = gbSeconds * PRICES.lambdaArmPerGbSecond;
  const lambdaRequests = (files / 1e6) * PRICES.lambdaPerMillionRequests;
  const wru = 1e6 + files * sum(requests, ['PutItem', 'UpdateItem', 'DeleteItem']);
  const dynamo = (wru / 1e6) * PRICES.dynamoPerMillionWru;
  const s3Put = files * sum(requests, ['S3 PUT', 'S3 POST']);
  const s3Get = files * sum(requests, ['S3 GET', 'S3 HEAD']);
  const s3 = (s3Put / 1000) * PRICES.s3PutPerThousand + (s3Get / 1000) * PRICES.s3GetPerThousand;
  const sqs = ((files * A.sqsRequestsPerFile) / 1e6) * PRICES.sqsPerMillion;

  const rowsPerPart = (A.partMb * 1024 * 1024) / bytesPerRow;
  const partRows = (wru: number, inFlight: number) => {
    const rate = Math.min(inFlight * rowsPerSecond, wru);
    return { wru, inFlight, rowsPerSecond: rate, largestRows: rate * A.timeoutSeconds };
  };
  // One part, the fewest parts that reach the table's limit, and the default parts in flight.
  const inFlightCases = (wru: number) => [...new Set([1, Math.max(1, Math.ceil(wru / rowsPerSecond)), A.partsInFlight])].sort((a, b) => a - b);
  return {
    microsPerRow,
    cpuRowsPerSecond,
    latencyRowsPerSecond,
    rowsPerSecond,
    rowsPerSecondDefaultMemory: rowsPerSecond * (A.defaultMemoryMb / A.fullVcpuMb),
    bytesPerRow,
    largestRows,
    largestBytes: largestRows * bytesPerRow,
    largestRssBytes,
    restBytes,
    idBytesPerRow,
    rowsPerFile,
    cost: { lambdaSeconds, gbSeconds, lambda, lambdaRequests, dynamo, wru, s3, s3Put, s3Get, sqs, total: lambda + lambdaRequests + dynamo + s3 + sqs },
    parts: {
      rowsPerPart,
      partSeconds: rowsPerPart / rowsPerSecond,
      rows: [A.newTableWru, A.tableQuotaWru].flatMap((wru) => inFlightCases(wru).map((n) => partRows(wru, n))),
    },
  };
}
