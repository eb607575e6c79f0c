import { describe, expect, it } from 'vitest';
import { isTlsOnlyDeny, withoutTlsOnlyDeny } from '../../../local/emulator-fixups.ts';
import { parseSampleReadme } from '../../../local/sample-expectations.ts';
import { TerraformProgress } from '../../../tooling/terraform-progress.ts';
import { checkOutputs, normaliseOutputs } from '../../../deployment/target.ts';
import { rawKeyFor } from '../../../deployment/uploads.ts';
import { replayKeyFor } from '../../../cli/commands/replay.ts';
import { describePollerEvent } from '../../../cli/render/poller-report.ts';
import { prefixesOf } from '../../../deployment/ledger-view.ts';

const OUTPUTS = {
  bucket_name: 'b',
  orders_table_name: 'o',
  ingestions_table_name: 'i',
  alerts_topic_arn: 'arn:aws:sns:us-east-1:1:t',
  ingest_queue_url: 'http://q',
  dead_letter_queue_url: 'http://dlq',
  processor_function_name: 'f',
  dashboard_name: 'd',
  region: 'us-east-1',
};

describe('normaliseOutputs', () => {
  it('accepts `terraform output -json` and flat JSON alike', () => {
    // Prepare
    const tf = Object.fromEntries(Object.entries(OUTPUTS).map(([k, v]) => [k, { value: v, type: 'string', sensitive: false }]));

    // Assess
    expect(normaliseOutputs(tf, 'x')).toEqual(OUTPUTS);
    expect(normaliseOutputs(OUTPUTS, 'x')).toEqual(OUTPUTS);
  });

  it('names the missing outputs', () => {
    // Prepare
    const { dashboard_name: _d, region: _r, ...partial } = OUTPUTS;

    // Assess
    expect(() => checkOutputs(partial, 'out.json')).toThrow('out.json lacks the stack output(s) dashboard_name, region');
  });
});

describe('rawKeyFor', () => {
  it.each([
    ['sample-data/orders.csv', '', 'raw-data/orders.csv'],
    ['/tmp/x/orders.csv.gz', 'sub', 'raw-data/sub/orders.csv.gz'],
    ['orders.csv', 'raw-data/a/b/', 'raw-data/a/b/orders.csv'],
  ])('%s with prefix "%s" → %s', (file, prefix, key) => {
    // Assess
    expect(rawKeyFor(file, prefix)).toBe(key);
  });

  it('refuses prefixes that leave raw-data/', () => {
    // Assess
    expect(() => rawKeyFor('a.csv', '../x')).toThrow('--prefix must be a relative folder');
    expect(() => rawKeyFor('a.csv', '/abs')).toThrow('--prefix must be a relative folder');
  });
});

describe('replayKeyFor', () => {
  it.each([
    ['failed-data/2026/11/22/orders-invalid-header.20261122T041105Z-57ca9e2e.csv', 'raw-data/orders-invalid-header.csv'],
    ['archive/2026/11/22/sub/orders.20261122T041105Z-58fb7b43.csv.gz', 'raw-data/sub/orders.csv.gz'],
  ])('%s → %s', (key, raw) => {
    // Assess
    expect(replayKeyFor(key)).toBe(raw);
  });

  it('uses --as when given, and refuses reports and other prefixes', () => {
    // Assess
    expect(replayKeyFor('archive/2026/11/22/a.x.csv', 'fixed.csv')).toBe('raw-data/fixed.csv');
    expect(() => replayKeyFor('failed-data/2026/11/22/a.20261122T041105Z-57ca9e2e.errors.csv')).toThrow('is an error report');
    expect(() => replayKeyFor('processed-data/2026/11/22/a.csv')).toThrow('is neither under archive/ nor under failed-data/');
  });
});

describe('TerraformProgress', () => {
  it('counts created resources against the plan and keeps errors', () => {
    // Prepare
    const progress = new TerraformProgress();

    // Act
    const lines = [
      'Plan: 2 to add, 0 to change, 0 to destroy.',
      'aws_sqs_queue.ingestion_queue_7EB6B0B4: Creating...',
      'aws_sqs_queue.ingestion_queue_7EB6B0B4: Creation complete after 25s [id=x]',
      '│ Error: creating thing',
    ].map((l) => progress.line(l));

    // Assess
    expect(lines).toEqual(['terraform: plan has 2 resources to create', null, 'terraform: 1/2 aws_sqs_queue.ingestion_queue', null]);
    expect(progress.errors).toEqual(['Error: creating thing']);
  });
});

describe('isTlsOnlyDeny / withoutTlsOnlyDeny', () => {
  it('removes only the Deny conditioned on aws:SecureTransport', () => {
    // Prepare
    const tls = { Sid: 'DenyInsecureTransport', Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } };
    const other = { Sid: 'AllowX', Effect: 'Allow', Action: 's3:GetObject' };

    // Assess
    expect(isTlsOnlyDeny(tls)).toBe(true);
    expect(isTlsOnlyDeny(other)).toBe(false);
    expect(withoutTlsOnlyDeny({ Version: '2012-10-17', Statement: [tls, other] })).toEqual({ Version: '2012-10-17', Statement: [other] });
    expect(withoutTlsOnlyDeny({ Statement: [tls] })).toBeNull();
  });
});

describe('parseSampleReadme', () => {
  it('maps the README table to ledger statuses and counts', () => {
    // Prepare
    const md = [
      '| file | what it shows | status | rows | valid | rejected | blank |',
      '|---|---|---|---|---|---|---|',
      '| `a.csv` | fine | VALID | 10 | 10 | 0 | 0 |',
      '| `b.csv` | some bad | PARTIAL | 13 | 7 | 6 | 1 |',
      '| `c.csv` | bad header | REJECTED (`missing required column`) | 0 | 0 | 0 | 0 |',
    ].join('\n');

    // Act
    const expected = parseSampleReadme(md);

    // Assess
    expect(expected).toEqual([
      { file: 'a.csv', status: 'PROCESSED', rows: 10, valid: 10, rejected: 0, blank: 0 },
      { file: 'b.csv', status: 'PARTIAL', rows: 13, valid: 7, rejected: 6, blank: 1 },
      { file: 'c.csv', status: 'FAILED', rows: 0, valid: 0, rejected: 0, blank: 0 },
    ]);
  });
});

describe('describePollerEvent', () => {
  it('prints a file outcome with counts and destination', () => {
    // Act
    const line = describePollerEvent({
      type: 'file',
      key: 'raw-data/a.csv',
      receiveCount: 1,
      failed: false,
      item: { pk: 'p', status: 'PARTIAL', rows: 3, written: 2, rejected: 1, processed_key: 'processed-data/a.csv', errors_key: 'failed-data/a.errors.csv' } as never,
    });

    // Assess
    expect(line).toBe('  PARTIAL   raw-data/a.csv rows 3: written 2, rejected 1 → processed-data/a.csv, failed-data/a.errors.csv');
  });

  it('explains an unusable message and where it is heading', () => {
    // Act
    const line = describePollerEvent({ type: 'invalid-message', messageId: 'm1', receiveCount: 3, reason: 'message body is not JSON' });

    // Assess
    expect(line).toBe('  retry  message m1 (delivery 3): message body is not JSON; after 3 deliveries SQS moves it to the DLQ');
  });
});

describe('prefixesOf', () => {
  it('names the prefixes a file went to', () => {
    // Assess
    expect(prefixesOf({ processed_key: 'processed-data/2026/a.csv', archive_key: 'archive/2026/a.csv' } as never)).toBe('processed-data/ + archive/');
    expect(prefixesOf({ processed_key: 'processed-data/a.csv', archive_key: 'archive/a.csv', errors_key: 'failed-data/a.errors.csv' } as never)).toBe(
      'processed-data/ + archive/ + failed-data/ (errors report)',
    );
    expect(prefixesOf({ failed_key: 'failed-data/a.csv', errors_key: 'failed-data/a.errors.csv' } as never)).toBe('failed-data/ (original, errors report)');
  });
});
