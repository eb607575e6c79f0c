import { describe, expect, it } from 'vitest';
import { ASSUMPTIONS, awsModel, PRICES, type AwsModelInputs } from '../../../../bench/report/aws-model.ts';
import type { MemoryEntry } from '../../../../bench/runs.ts';

const MiB = 1024 * 1024;

/** A memory run of the Lambda bundle, as bench/runs.ts reports it. */
function memoryRun(rows: number, maxRssBytes: number, microsPerRow: number, nodeOptions = ''): MemoryEntry {
  const ok = { ok: true, checks: [] };
  return {
    rows,
    fileBytes: rows * 125,
    loadMs: 80,
    seconds: (rows * microsPerRow) / 1e6,
    rowsPerSecond: 1e6 / microsPerRow,
    cpuMs: (rows * microsPerRow) / 1000,
    microsPerRow,
    rssBeforeBytes: 74 * MiB,
    maxRssBytes,
    peak: { heapTotalBytes: 0, heapUsedBytes: 0, externalBytes: 0 },
    nodeOptions,
    ledger: null,
    conservation: ok,
  };
}

/** What awsModel reads of a run's results. */
function inputs(microsPerRow: number): AwsModelInputs {
  return {
    options: { concurrency: 4 },
    files: { main: { rows: 100_000, bytes: 12_500_000 } },
    instantTable: { processor: { microsPerRow: 999, requests: { BatchWriteItem: 4000, PutItem: 1, UpdateItem: 2, 'S3 GET': 2, 'S3 HEAD': 1, 'S3 PUT': 6, 'S3 POST': 2 } } },
    memory: {
      runs: [memoryRun(100_000, 160 * MiB, microsPerRow), memoryRun(1_000_000, 400 * MiB, microsPerRow), memoryRun(1_000_000, 200 * MiB, microsPerRow * 1.2, '--max-old-space-size=160')],
      idSet: [
        { rows: 100_000, bytes: 10 * MiB },
        { rows: 1_000_000, bytes: 90 * MiB },
      ],
    },
  };
}

describe('awsModel', () => {
  it('takes the CPU per row of the largest default memory run and the smaller of the CPU and latency bounds', () => {
    // Act
    const cpuBound = awsModel(inputs(200));
    const latencyBound = awsModel(inputs(50));

    // Assess
    expect(cpuBound.microsPerRow).toBe(200);
    expect(cpuBound.cpuRowsPerSecond).toBe(5000);
    expect(cpuBound.latencyRowsPerSecond).toBe((4 * 25) / (ASSUMPTIONS.batchWriteLatencyMs / 1000));
    expect(cpuBound.rowsPerSecond).toBe(5000);
    expect(latencyBound.rowsPerSecond).toBe(latencyBound.latencyRowsPerSecond);
    expect(cpuBound.rowsPerSecondDefaultMemory).toBeCloseTo((5000 * 1024) / 1769, 6);
  });

  it('sizes the largest unsplit file from 900 s and its memory from the id set plus the heap-capped rest', () => {
    // Act
    const m = awsModel(inputs(200));

    // Assess
    expect(m.largestRows).toBe(5000 * 900);
    expect(m.largestBytes).toBeCloseTo(5000 * 900 * 125, 0);
    expect(m.restBytes).toBe(110 * MiB);
    expect(m.largestRssBytes).toBeCloseTo(110 * MiB + ((90 * MiB) / 1e6) * 4_500_000, 0);
  });

  it('prices a million orders from the run time, the write request units and the requests per file', () => {
    // Act
    const { cost } = awsModel(inputs(200));

    // Assess: 10 files of 100,000 rows.
    expect(cost.lambdaSeconds).toBe(200);
    expect(cost.lambda).toBeCloseTo(200 * (1769 / 1024) * PRICES.lambdaArmPerGbSecond, 12);
    expect(cost.wru).toBe(1_000_000 + 10 * 3);
    expect(cost.s3Put).toBe(10 * 8);
    expect(cost.s3Get).toBe(10 * 3);
    expect(cost.total).toBeCloseTo(cost.lambda + cost.lambdaRequests + cost.dynamo + cost.s3 + cost.sqs, 12);
  });

  it('caps the rows per second of a file in parts at the table write throughput', () => {
    // Act
    const { parts } = awsModel(inputs(200));

    // Assess
    const newTable = parts.rows.filter((r) => r.wru === ASSUMPTIONS.newTableWru);
    expect(newTable.every((r) => r.rowsPerSecond === Math.min(r.inFlight * 5000, ASSUMPTIONS.newTableWru))).toBe(true);
    expect(parts.rowsPerPart).toBeCloseTo((64 * MiB) / 125, 6);
    expect(parts.partSeconds).toBeCloseTo((64 * MiB) / 125 / 5000, 6);
  });
});
