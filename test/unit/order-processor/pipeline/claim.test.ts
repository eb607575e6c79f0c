import { describe, expect, it } from 'vitest';
import { claim } from '../../../../functions/order-processor/pipeline/claim.ts';
import { FileBusyError } from '../../../../functions/order-processor/pipeline/errors.ts';
import { INGESTION_ID, memoryPorts, NOW, objectRef } from './ports.ts';

describe('claim', () => {
  it('opens an attempt whose keys and processed_at come from the first attempt, so a retry rewrites the same objects', async () => {
    // Prepare
    const ref = objectRef({ key: 'raw-data/eu/orders.csv.gz' });
    const { ports, log } = memoryPorts(ref);
    // Act
    const claimed = await claim(ref, { ...ports, contract: { gzip: true } });
    // Assess
    expect(claimed.kind).toBe('attempt');
    if (claimed.kind !== 'attempt') return;
    const { attempt } = claimed;
    expect(attempt).toMatchObject({ pk: 'file#bkt/raw-data/eu/orders.csv.gz#v1', attemptId: 'attempt-1', ingestionId: INGESTION_ID, startedAt: NOW });
    // The ledger item says the first attempt started on 2026-11-21 (memoryPorts): the day folder follows it.
    expect(attempt.keys.archive).toBe(`archive/2026/11/21/eu/orders.${INGESTION_ID}.csv.gz`);
    expect(attempt.contract).toEqual({ gzip: true, sourceKey: ref.key, ingestionId: INGESTION_ID, processedAt: '2026-11-21T23:59:59.000Z', now: NOW });
    expect(log.keys.ingestion_id).toBe(INGESTION_ID);
    expect(log.lines.map((l) => l.message)).toEqual(['Processing file']);
  });

  it('skips a file that already has a final outcome and removes an original that was routed', async () => {
    // Prepare
    const ref = objectRef();
    const { ports, ledger, objects } = memoryPorts(ref);
    ledger.claimAs = 'final';
    ledger.items.set('file#bkt/raw-data/orders.csv#v1', { ...(await ledger.claimFile(ref, { now: NOW, leaseMs: 1 })).item, status: 'PARTIAL', archive_key: 'archive/x.csv' });
    // Act
    const claimed = await claim(ref, ports);
    // Assess
    expect(claimed).toEqual({ kind: 'skipped', reason: 'already PARTIAL' });
    expect(objects.removed).toEqual([ref.key]);
  });

  it('leaves an original in raw-data/ when the final outcome routed no copy (a file whose part failed for good)', async () => {
    // Prepare
    const ref = objectRef();
    const { ports, ledger, objects } = memoryPorts(ref);
    ledger.claimAs = 'final';
    // Act
    const claimed = await claim(ref, ports);
    // Assess
    expect(claimed.kind).toBe('skipped');
    expect(objects.removed).toEqual([]);
  });

  it('throws FileBusyError naming the file and the lease while another attempt holds the claim', async () => {
    // Prepare
    const ref = objectRef();
    const { ports, ledger } = memoryPorts(ref);
    ledger.claimAs = 'busy';
    // Act
    const claiming = claim(ref, ports);
    // Assess
    await expect(claiming).rejects.toThrow(FileBusyError);
    await expect(claim(ref, ports)).rejects.toThrow(/s3:\/\/bkt\/raw-data\/orders\.csv is being processed by another attempt .*lease until 2026-11-22T04:06:12\.000Z/);
  });
});
