/**
 * Alert capture: SNS has no e-mail locally, so `local up` subscribes an SQS queue to the alerts
 * topic and turns each notification into a readable e-mail file in .local/outbox/ — what a
 * subscriber would have received. Formatting is pure; file I/O is in the small functions below.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The SNS notification as delivered to an SQS subscriber (non-raw delivery). */
export interface SnsNotification {
  messageId: string;
  topicArn: string;
  subject: string;
  message: string;
  timestamp: string;
}

/** Parses an SQS message body carrying an SNS notification; raw delivery falls back to the body as text. */
export function parseSnsNotification(body: string, fallbackTopicArn = ''): SnsNotification {
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    if (parsed && parsed.Type === 'Notification' && typeof parsed.Message === 'string') {
      return {
        messageId: String(parsed.MessageId ?? ''),
        topicArn: String(parsed.TopicArn ?? fallbackTopicArn),
        subject: typeof parsed.Subject === 'string' && parsed.Subject ? parsed.Subject : '(no subject)',
        message: parsed.Message,
        timestamp: String(parsed.Timestamp ?? new Date().toISOString()),
      };
    }
  } catch {
    // not JSON: raw message delivery
  }
  return { messageId: '', topicArn: fallbackTopicArn, subject: '(no subject)', message: body, timestamp: new Date().toISOString() };
}

/** RFC 5322 date, e.g. "Sun, 22 Nov 2026 04:12:03 +0000". */
export function rfc5322Date(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}

/** A header value on one line (no CR/LF injection from subjects). */
function headerValue(value: string): string {
  return value.replace(/[\r\n]+/g, ' ').trim();
}

/** The e-mail an SNS e-mail subscriber would receive, as an RFC 5322 message (UTF-8 text body). */
export function formatAlertEmail(n: SnsNotification, recipients: string[]): string {
  const region = n.topicArn.split(':')[3] ?? 'us-east-1';
  const date = new Date(n.timestamp);
  const headers = [
    `From: AWS Notifications <no-reply@sns.amazonaws.com>`,
    `To: ${recipients.length > 0 ? recipients.join(', ') : 'undisclosed-recipients:;'}`,
    `Subject: ${headerValue(n.subject)}`,
    `Date: ${rfc5322Date(Number.isNaN(date.getTime()) ? new Date() : date)}`,
    ...(n.messageId ? [`Message-ID: <${n.messageId}@${region}.sns.amazonaws.com>`] : []),
    `X-SNS-Topic-Arn: ${n.topicArn}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: 8bit',
  ];
  const body = n.message.replace(/\r?\n/g, '\n').trimEnd();
  const footer = [
    '',
    '--',
    `You are receiving this e-mail because your address is subscribed to ${n.topicArn}.`,
    '(Captured locally by `order-pipeline local up`; on AWS, SNS sends it.)',
  ];
  return [...headers, '', body, ...footer, ''].join('\n');
}

/** File-name-safe slug of a subject: lower-case words joined by dashes, at most 60 characters. */
export function subjectSlug(subject: string): string {
  const slug = subject
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\w\s-]/g, ' ')
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '-')
    .slice(0, 60)
    .replace(/-+$/, '');
  return slug || 'alert';
}

export interface OutboxEntry {
  file: string;
  path: string;
  subject: string;
  date: string;
  to: string;
}

function headerOf(text: string, name: string): string {
  const match = new RegExp(`^${name}: (.*)$`, 'm').exec(text.split('\n\n')[0] ?? '');
  return match?.[1] ?? '';
}

/** The e-mails in the outbox, oldest first. */
export function listOutbox(dir: string): OutboxEntry[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.eml'));
  } catch {
    return [];
  }
  return files.sort().map((file) => {
    const path = join(dir, file);
    const text = readFileSync(path, 'utf8');
    return { file, path, subject: headerOf(text, 'Subject'), date: headerOf(text, 'Date'), to: headerOf(text, 'To') };
  });
}

/** Writes the next NNN-<subject>.eml; returns its path. */
export function writeOutboxEmail(dir: string, subject: string, email: string): string {
  mkdirSync(dir, { recursive: true });
  const next = listOutbox(dir).reduce((max, e) => Math.max(max, Number.parseInt(e.file, 10) || 0), 0) + 1;
  const path = join(dir, `${String(next).padStart(3, '0')}-${subjectSlug(subject)}.eml`);
  writeFileSync(path, email, 'utf8');
  return path;
}

/** Body of an e-mail file (after the blank line ending the headers). */
export function emailBody(text: string): string {
  const at = text.indexOf('\n\n');
  return at === -1 ? '' : text.slice(at + 2);
}
