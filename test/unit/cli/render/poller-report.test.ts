import { describe, expect, it } from 'vitest';
import { describeMapping, describePollerEvent } from '../../../../cli/render/poller-report.ts';
import type { LedgerItem } from '../../../../deployment/ledger-view.ts';
import type { MappingInfo } from '../../../../deployment/event-source-mapping.ts';
import type { PollerEvent } from '../../../../local/poller.ts';

/** A ledger item with the fields a line shows. */
const anItem = (fields: Partial<LedgerItem>): LedgerItem => ({ pk: 'p', status: 'PROCESSING', ...fields }) as LedgerItem;

/** A part event of raw-data/big.csv, part 3 of 8 (the message counts from 0). */
const aPartEvent = (fields: Partial<Extract<PollerEvent, { type: 'part' }>> = {}): PollerEvent => ({
  type: 'part',
  key: 'raw-data/big.csv',
  phase: 'scan',
  part: 2,
  parts: 8,
  item: anItem({ parts: 8, parts_done: 0, phase: 'SCAN', parts_scanned: new Set([0, 1, 2, 5, 6]) }),
  receiveCount: 1,
  failed: false,
  ms: 1234,
  concurrent: 4,
  ...fields,
});

describe('describePollerEvent', () => {
  it('prints a file outcome with counts and destination', () => {
    // Act
    const line = describePollerEvent({
      type: 'file',
      key: 'raw-data/a.csv',
      receiveCount: 1,
      failed: false,
      item: anItem({ status: 'PARTIAL', rows: 3, written: 2, rejected: 1, processed_key: 'processed-data/a.csv', errors_key: 'failed-data/a.errors.csv' }),
    });

    // Assess
    expect(line).toBe('  PARTIAL   raw-data/a.csv rows 3: written 2, rejected 1 → processed-data/a.csv, failed-data/a.errors.csv');
  });

  it('says how many parts a split file had once it is final', () => {
    // Act
    const line = describePollerEvent({
      type: 'file',
      key: 'raw-data/big.csv',
      receiveCount: 1,
      failed: false,
      item: anItem({ status: 'PROCESSED', rows: 9, written: 9, rejected: 0, parts: 8, parts_done: 8, processed_key: 'processed-data/big.csv' }),
    });

    // Assess
    expect(line).toBe('  PROCESSED raw-data/big.csv rows 9: written 9, rejected 0 in 8 parts → processed-data/big.csv');
  });

  it('says a large file was split when its ingest message leaves it in processing', () => {
    // Act
    const line = describePollerEvent({ type: 'file', key: 'raw-data/big.csv', receiveCount: 1, failed: false, item: anItem({ parts: 8, phase: 'SCAN' }) });

    // Assess
    expect(line).toBe('  split  raw-data/big.csv: scanning 8 parts (the parts queue carries on)');
  });

  it('names the part, its phase and file, how many parts ran at once and the file\'s progress', () => {
    // Act
    const line = describePollerEvent(aPartEvent());

    // Assess
    expect(line).toBe('  part 3/8 scan of raw-data/big.csv in 1.2 s (4 parts at once) — scanning 5/8');
  });

  it('shows the file\'s outcome on the part that concluded it', () => {
    // Act
    const line = describePollerEvent(aPartEvent({ phase: 'write', part: 7, concurrent: 1, item: anItem({ status: 'PARTIAL', parts: 8, parts_done: 8 }) }));

    // Assess
    expect(line).toBe('  part 8/8 write of raw-data/big.csv in 1.2 s (1 part at once) — PARTIAL');
  });

  it('says a failed part is redelivered and where it ends after 3 deliveries', () => {
    // Act
    const line = describePollerEvent(aPartEvent({ failed: true, receiveCount: 2, item: anItem({ parts: 8, phase: 'WRITE', last_error: 'S3 SlowDown' }) }));

    // Assess
    expect(line).toBe(
      '  retry  part 3/8 scan of raw-data/big.csv (delivery 2): the handler failed it (S3 SlowDown); SQS will redeliver it, after 3 deliveries to the parts DLQ',
    );
  });

  it('explains an unusable message and which DLQ it is heading for', () => {
    // Act
    const ingest = describePollerEvent({ type: 'invalid-message', queue: 'ingest', messageId: 'm1', receiveCount: 3, reason: 'message body is not JSON' });
    const parts = describePollerEvent({ type: 'invalid-message', queue: 'parts', messageId: 'm2', receiveCount: 1, reason: 'part message version 2 is not 1' });

    // Assess
    expect(ingest).toBe('  retry  message m1 (delivery 3): message body is not JSON; after 3 deliveries SQS moves it to the ingest DLQ');
    expect(parts).toBe('  retry  message m2 (delivery 1): part message version 2 is not 1; after 3 deliveries SQS moves it to the parts DLQ');
  });
});

describe('describeMapping', () => {
  const mapping: MappingInfo = { uuid: 'u', batchSize: 5, enabled: true, state: 'Enabled', reportsBatchItemFailures: true, eventSourceArn: 'arn' };

  it('names each queue\'s batch size and concurrency, the function and the environments they share', () => {
    // Act
    const text = describeMapping({
      feeds: [
        { role: 'ingest', mapping: { ...mapping, maximumConcurrency: 3 } },
        { role: 'parts', mapping: { ...mapping, batchSize: 1, maximumConcurrency: 3 } },
      ],
      fn: { functionName: 'order-pipeline-local-processor' },
    });

    // Assess
    expect(text).toBe(
      'the ingest queue (batch size 5, up to 3 invocations at once) and the parts queue (batch size 1, up to 3 invocations at once); ' +
        'order-pipeline-local-processor in worker threads, up to 6 execution environments',
    );
  });

  it('falls back to the local default concurrency', () => {
    // Act
    const text = describeMapping({ feeds: [{ role: 'ingest', mapping }], fn: { functionName: 'f' } });

    // Assess
    expect(text).toBe('the ingest queue (batch size 5, up to 5 invocations at once); f in worker threads, up to 5 execution environments');
  });
});

describe('describePollerEvent with hostile keys', () => {
  /** What must never reach the terminal raw: controls (ESC, CR, LF, BEL…), bidi, zero-width, separators. */
  const RAW = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;
  const key = 'raw-data/\u001b[2J\u001b]0;owned\u0007in\rvoice\n\u202etxt\u200b.csv';
  const first = 'raw-data/\u001b[31mfirst\u202e.csv';

  it.each<[string, PollerEvent]>([
    ['an outcome', { type: 'file', key, receiveCount: 2, failed: false, item: anItem({ status: 'PARTIAL', rows: 1, written: 1, rejected: 0, processed_key: `processed-data/${key}` }) }],
    ['a DUPLICATE whose reason names the first file', { type: 'file', key, receiveCount: 1, failed: false, item: anItem({ status: 'DUPLICATE', reason: `same content as s3://b/${first}`, failed_key: `failed-data/${key}` }) }],
    ['a failed delivery', { type: 'file', key, receiveCount: 1, failed: true, item: anItem({ last_error: `NoSuchKey: ${key}` }) }],
    ['a split file', { type: 'file', key, receiveCount: 1, failed: false, item: anItem({ parts: 8, phase: 'SCAN' }) }],
    ['a part', aPartEvent({ key })],
    ['an unusable message', { type: 'invalid-message', queue: 'ingest', messageId: 'm\u001b[2J', receiveCount: 3, reason: `bad \u202e${key}` }],
    ['an alert', { type: 'alert', subject: `FAILED: ${key}`, path: `/tmp/${key}.eml` }],
    ['an error', { type: 'error', message: `cannot read ${key}` }],
  ])('shows %s on one line with every control, bidi and zero-width character escaped', (_what, event) => {
    // Act
    const line = describePollerEvent(event) ?? '';
    // Assess
    expect(RAW.exec(line)).toBeNull();
    expect(line).toMatch(/\\u001b\[2J|\\u001b\[31m/);
  });
});
