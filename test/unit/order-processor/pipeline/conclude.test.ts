import { describe, expect, it } from 'vitest';
import type { FileCounts } from '../../../../functions/order-processor/contract/types.ts';
import { conclude, destinationsOf, nothingRead, type FileFigures } from '../../../../functions/order-processor/pipeline/conclude.ts';
import type { Verdict } from '../../../../functions/order-processor/pipeline/decide.ts';
import { ConservationError } from '../../../../functions/order-processor/pipeline/errors.ts';
import { attempt, INGESTION_ID, memoryPorts, NOW } from './ports.ts';

const counts = (valid: number, rejected: number, blank = 0): FileCounts => ({ rows: valid + rejected, valid, rejected, blank });
const error = { line: 3, order_id: 'A-2', column: 'quantity', reason: 'quantity "x" is not a whole number' };

function tally(c: FileCounts, written: number, overrides: Partial<FileFigures> = {}): FileFigures {
  return { counts: c, written, firstErrors: c.rejected ? [error] : [], bytes: 50, fingerprint: 'f'.repeat(64), ...overrides };
}

const PROCESSED: Verdict = { kind: 'write', status: 'PROCESSED', reason: null };
const PARTIAL: Verdict = { kind: 'write', status: 'PARTIAL', reason: '1 of 3 data rows were rejected' };

describe('destinationsOf', () => {
  const keys = attempt().keys;

  it.each([
    ['loaded rows', PROCESSED, counts(2, 0), { original: keys.archive, errors: null, processed: keys.processed }],
    ['loaded rows and rejected some', PARTIAL, counts(2, 1), { original: keys.archive, errors: keys.errors, processed: keys.processed }],
    ['rejected every row', { kind: 'write', status: 'FAILED', reason: 'all' }, counts(0, 2), { original: keys.failed, errors: keys.errors, processed: null }],
    ['was rejected as a whole', { kind: 'reject', status: 'DUPLICATE', reason: 'same', line: 1, duplicateOf: 'x' }, counts(2, 0), { original: keys.failed, errors: keys.errors, processed: null }],
    ['is left where it is', { kind: 'leave', status: 'FAILED', reason: 'gone' }, counts(0, 0), { original: null, errors: null, processed: null }],
  ] as const)('routes a file that %s', (_what, verdict, c, expected) => {
    // Act / Assess
    expect(destinationsOf(verdict as Verdict, keys, c)).toEqual(expected);
  });
});

describe('conclude', () => {
  it('archives a processed file, records the outcome, counts it once and removes the original, without an alert', async () => {
    // Prepare
    const file = attempt();
    const { ports, objects, ledger, alerts, metrics, log } = memoryPorts(file.ref);
    // Act
    const outcome = await conclude(file, PROCESSED, tally(counts(3, 0, 1), 3), ports);
    // Assess
    expect(outcome).toMatchObject({ status: 'PROCESSED', rows: 3, written: 3, rejected: 0, blank: 1, original: `s3://bkt/${file.keys.archive}`, processed: `s3://bkt/${file.keys.processed}`, errorsReport: null });
    expect(objects.copies).toEqual([{ from: file.ref.key, to: file.keys.archive }]);
    expect(alerts.sent).toEqual([]);
    expect(ledger.finished).toEqual([
      {
        pk: file.pk,
        attemptId: 'attempt-1',
        outcome: expect.objectContaining({ status: 'PROCESSED', rows: 3, written: 3, archive_key: file.keys.archive, failed_key: null, processed_key: file.keys.processed, fingerprint: 'f'.repeat(64), finished_at: NOW.toISOString(), duration_ms: 0 }),
      },
    ]);
    expect(ledger.finished[0]?.outcome).not.toHaveProperty('alert_error');
    expect(metrics.sum('FilesProcessed')).toBe(1);
    expect(metrics.sum('RowsWritten')).toBe(3);
    expect(metrics.sum('BytesProcessed')).toBe(100); // the object's size: more than what was read
    expect(objects.removed).toEqual([file.ref.key]);
    expect(log.lines.find((l) => l.message === 'File handled')?.extra).toMatchObject({ status: 'PROCESSED', destination: file.keys.archive });
  });

  it('alerts on a partial file before recording it', async () => {
    // Prepare
    const file = attempt();
    const { ports, alerts, ledger } = memoryPorts(file.ref);
    // Act
    await conclude(file, PARTIAL, tally(counts(2, 1), 2), ports);
    // Assess
    expect(alerts.sent).toHaveLength(1);
    expect(alerts.sent[0]).toMatchObject({ subject: '[order-pipeline test] PARTIAL: orders.csv (1 of 3 rows rejected)', attributes: { status: 'PARTIAL', ingestion_id: INGESTION_ID } });
    expect(alerts.sent[0]?.body).toContain(`Errors report:   "s3://bkt/${file.keys.errors}"`);
    expect(ledger.finished[0]?.outcome).toMatchObject({ status: 'PARTIAL', errors_key: file.keys.errors, first_errors: [error] });
  });

  it('counts every data row of a duplicate as rejected and routes it to failed-data/', async () => {
    // Prepare
    const file = attempt();
    const { ports, ledger } = memoryPorts(file.ref);
    const verdict: Verdict = { kind: 'reject', status: 'DUPLICATE', reason: 'same content', line: 1, duplicateOf: 'file#bkt/raw-data/first.csv#v0' };
    // Act
    const outcome = await conclude(file, verdict, tally(counts(4, 0), 0), ports);
    // Assess
    expect(outcome).toMatchObject({ status: 'DUPLICATE', rows: 4, written: 0, rejected: 4, duplicateOf: 'file#bkt/raw-data/first.csv#v0', original: `s3://bkt/${file.keys.failed}` });
    expect(ledger.finished[0]?.outcome).toMatchObject({ failed_key: file.keys.failed, archive_key: null, duplicate_of: 'file#bkt/raw-data/first.csv#v0' });
  });

  it('leaves a file that is gone or too large where it is: nothing copied or removed, an alert sent', async () => {
    // Prepare
    const file = attempt();
    const { ports, objects, alerts, ledger } = memoryPorts(file.ref);
    // Act
    await conclude(file, { kind: 'leave', status: 'FAILED', reason: 'too large' }, nothingRead(), ports);
    // Assess
    expect(objects.copies).toEqual([]);
    expect(objects.removed).toEqual([]);
    expect(alerts.sent).toHaveLength(1);
    expect(ledger.finished[0]?.outcome).toMatchObject({ status: 'FAILED', rows: 0, failed_key: null, errors_key: null, fingerprint: null });
  });

  it('concludes when the alert cannot be sent: logged with its text, counted in AlertsFailed, recorded on the ledger item', async () => {
    // Prepare
    const file = attempt();
    const { ports, alerts, ledger, metrics, log, objects } = memoryPorts(file.ref);
    alerts.failWith = Object.assign(new Error('Service Unavailable'), { name: 'InternalErrorException' });
    // Act
    const outcome = await conclude(file, PARTIAL, tally(counts(2, 1), 2), ports);
    // Assess
    expect(outcome.status).toBe('PARTIAL');
    expect(ledger.finished[0]?.outcome).toMatchObject({ status: 'PARTIAL', alert_error: 'InternalErrorException: Service Unavailable' });
    expect(metrics.sum('AlertsFailed')).toBe(1);
    expect(metrics.sum('FilesPartial')).toBe(1);
    const logged = log.lines.find((l) => l.level === 'error');
    expect(logged?.message).toBe('Alert could not be sent; the outcome is recorded without it');
    expect(logged?.extra).toMatchObject({ error: 'InternalErrorException: Service Unavailable', alert_subject: '[order-pipeline test] PARTIAL: orders.csv (1 of 3 rows rejected)' });
    expect((logged?.extra as { alert_body: string }).alert_body).toContain('What to do next:');
    expect(objects.removed).toEqual([file.ref.key]);
  });

  it('refuses to conclude, before anything is moved, when rows ≠ written + rejected', async () => {
    // Prepare
    const file = attempt();
    const { ports, objects, ledger } = memoryPorts(file.ref);
    // Act
    const concluding = conclude(file, PROCESSED, tally(counts(3, 0), 2), ports);
    // Assess
    await expect(concluding).rejects.toThrow(ConservationError);
    await expect(conclude(file, PROCESSED, tally(counts(3, 0), 2), ports)).rejects.toThrow('rows 3 ≠ written 2 + rejected 0');
    expect(objects.copies).toEqual([]);
    expect(ledger.finished).toEqual([]);
  });

  it('counts nothing and keeps the original when recording the outcome fails', async () => {
    // Prepare
    const file = attempt();
    const { ports, ledger, metrics, objects } = memoryPorts(file.ref);
    ledger.finish = async () => {
      throw new Error('ledger item was taken over by another attempt');
    };
    // Act
    const concluding = conclude(file, PROCESSED, tally(counts(1, 0), 1), ports);
    // Assess
    await expect(concluding).rejects.toThrow('taken over');
    expect(metrics.added).toEqual([]);
    expect(objects.removed).toEqual([]);
  });
});
