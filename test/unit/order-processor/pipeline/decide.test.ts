import { describe, expect, it } from 'vitest';
import { decide, decideUpFront, verdictFor } from '../../../../functions/order-processor/pipeline/decide.ts';
import type { ScanResult } from '../../../../functions/order-processor/pipeline/scan.ts';
import { attempt, memoryPorts } from './ports.ts';

function scanned(counts: Partial<ScanResult['counts']>, overrides: Partial<ScanResult> = {}): ScanResult {
  const c = { valid: 0, rejected: 0, blank: 0, ...counts };
  return { counts: { rows: c.valid + c.rejected, ...c }, firstErrors: [], rejection: null, headerLine: 1, bytes: 10, fingerprint: 'f'.repeat(64), ...overrides };
}

describe('decideUpFront', () => {
  it('reads a .csv or .csv.gz file', () => {
    // Act / Assess
    expect(decideUpFront({ key: 'raw-data/a.csv' })).toBeNull();
    expect(decideUpFront({ key: 'raw-data/a.CSV.GZ' })).toBeNull();
  });

  it('rejects a file whose name is not a CSV name, on the header line', () => {
    // Act
    const verdict = decideUpFront({ key: 'raw-data/orders.xlsx' });
    // Assess
    expect(verdict).toMatchObject({ kind: 'reject', status: 'FAILED', line: 1, duplicateOf: null });
    expect(verdict?.reason).toMatch(/^the file name "orders\.xlsx" does not end in \.csv or \.csv\.gz/);
  });
});

describe('verdictFor', () => {
  it('writes the rows of a file read to its end, and writes nothing of a file rejected as a whole', () => {
    // Act / Assess
    expect(verdictFor({ kind: 'rows', status: 'PARTIAL', reason: '1 of 4 data rows were rejected' })).toEqual({ kind: 'write', status: 'PARTIAL', reason: '1 of 4 data rows were rejected' });
    expect(verdictFor({ kind: 'rejected', status: 'FAILED', reason: 'line 7 is not UTF-8', line: 7 })).toEqual({
      kind: 'reject',
      status: 'FAILED',
      reason: 'line 7 is not UTF-8',
      line: 7,
      duplicateOf: null,
    });
  });
});

describe('decide', () => {
  it('claims the content of a file with rows to load', async () => {
    // Prepare
    const { ports, ledger } = memoryPorts();
    const file = attempt();
    // Act
    const decision = await decide(file, scanned({ valid: 2 }), ports);
    // Assess
    expect(decision).toEqual({ verdict: { kind: 'write', status: 'PROCESSED', reason: null }, claimedContent: 'f'.repeat(64) });
    expect(ledger.content.get('f'.repeat(64))).toBe(file.pk);
  });

  it('calls the same content under another key a DUPLICATE that names the first file', async () => {
    // Prepare
    const { ports, ledger } = memoryPorts();
    const first = attempt({ key: 'raw-data/first.csv' });
    ledger.items.set(first.pk, { ...(await ledger.claimFile(first.ref, { now: new Date(), leaseMs: 1 })).item, status: 'PROCESSED' });
    ledger.content.set('f'.repeat(64), first.pk);
    // Act
    const decision = await decide(attempt({ key: 'raw-data/copy.csv' }), scanned({ valid: 2, rejected: 1 }), ports);
    // Assess
    expect(decision.claimedContent).toBeNull();
    expect(decision.verdict).toEqual({
      kind: 'reject',
      status: 'DUPLICATE',
      reason: `same content (sha256 ffffffffffff…) as s3://bkt/raw-data/first.csv, ingestion 20261122T040512Z-1a2b3c4d, PROCESSED`,
      line: 1,
      duplicateOf: first.pk,
    });
  });

  it('claims no content for a file with nothing to load', async () => {
    // Prepare
    const { ports, ledger } = memoryPorts();
    // Act
    const decision = await decide(attempt(), scanned({ rejected: 2 }), ports);
    // Assess
    expect(decision.claimedContent).toBeNull();
    expect(ledger.content.size).toBe(0);
  });
});
