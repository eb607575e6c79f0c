import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { emailBody, formatAlertEmail, listOutbox, parseSnsNotification, subjectSlug, writeOutboxEmail } from '../../../local/outbox.ts';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:order-pipeline-local-alerts';

function anSnsBody(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    Type: 'Notification',
    MessageId: 'abc-123',
    TopicArn: TOPIC,
    Subject: '[order-pipeline local] FAILED: orders.csv',
    Message: 'File: s3://bucket/raw-data/orders.csv\nOutcome: FAILED',
    Timestamp: '2026-11-22T04:11:05.123Z',
    ...overrides,
  });
}

describe('parseSnsNotification', () => {
  it('reads the SNS envelope delivered to an SQS subscriber', () => {
    // Act
    const n = parseSnsNotification(anSnsBody());

    // Assess
    expect(n).toEqual({
      messageId: 'abc-123',
      topicArn: TOPIC,
      subject: '[order-pipeline local] FAILED: orders.csv',
      message: 'File: s3://bucket/raw-data/orders.csv\nOutcome: FAILED',
      timestamp: '2026-11-22T04:11:05.123Z',
    });
  });

  it('falls back to the raw body (raw message delivery)', () => {
    // Act
    const n = parseSnsNotification('plain text alert', TOPIC);

    // Assess
    expect(n.message).toBe('plain text alert');
    expect(n.subject).toBe('(no subject)');
    expect(n.topicArn).toBe(TOPIC);
  });
});

describe('formatAlertEmail', () => {
  it('writes From/To/Subject/Date headers, a blank line, then the message', () => {
    // Prepare
    const n = parseSnsNotification(anSnsBody());

    // Act
    const email = formatAlertEmail(n, ['ops@example.com', 'oncall@example.com']);

    // Assess
    expect(email).toMatch(
      /^From: AWS Notifications <no-reply@sns\.amazonaws\.com>\nTo: ops@example\.com, oncall@example\.com\nSubject: \[order-pipeline local\] FAILED: orders\.csv\nDate: Sun, 22 Nov 2026 04:11:05 \+0000\n/,
    );
    expect(emailBody(email)).toMatch(/^File: s3:\/\/bucket\/raw-data\/orders\.csv\nOutcome: FAILED\n\n--\n/);
  });

  it('keeps a subject with line breaks on one header line', () => {
    // Prepare
    const n = parseSnsNotification(anSnsBody({ Subject: 'bad\r\nBcc: someone@example.com' }));

    // Act
    const email = formatAlertEmail(n, []);

    // Assess
    expect(email).toContain('Subject: bad Bcc: someone@example.com\n');
    expect(email).toContain('To: undisclosed-recipients:;\n');
  });
});

describe('subjectSlug', () => {
  it.each([
    ['[order-pipeline local] PARTIAL: orders-mixed.csv (6 of 13 rows rejected)', 'order-pipeline-local-partial-orders-mixed-csv-6-of-13-rows-r'],
    ['Zürich ünïcode', 'zurich-unicode'],
    ['!!!', 'alert'],
  ])('%s → %s', (subject, slug) => {
    // Assess
    expect(subjectSlug(subject)).toBe(slug);
  });
});

describe('writeOutboxEmail', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('numbers the e-mails in order and lists them back', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'outbox-'));
    dirs.push(dir);
    const email = (subject: string) => formatAlertEmail(parseSnsNotification(anSnsBody({ Subject: subject })), []);

    // Act
    const first = writeOutboxEmail(dir, 'First alert', email('First alert'));
    const second = writeOutboxEmail(dir, 'Second alert', email('Second alert'));

    // Assess
    expect(first).toBe(join(dir, '001-first-alert.eml'));
    expect(second).toBe(join(dir, '002-second-alert.eml'));
    expect(listOutbox(dir).map((e) => [e.file, e.subject])).toEqual([
      ['001-first-alert.eml', 'First alert'],
      ['002-second-alert.eml', 'Second alert'],
    ]);
    expect(readFileSync(second, 'utf8')).toContain('Subject: Second alert');
  });

  it('lists nothing for a missing directory', () => {
    // Assess
    expect(listOutbox(join(tmpdir(), 'does-not-exist-outbox'))).toEqual([]);
  });
});
