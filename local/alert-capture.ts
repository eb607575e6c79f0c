/**
 * Alert capture: SNS sends no e-mail locally, so `local up` subscribes an SQS queue to the alerts
 * topic; this loop turns each notification on it into an e-mail file in the outbox (outbox.ts).
 */
import { ListSubscriptionsByTopicCommand, type SNSClient } from '@aws-sdk/client-sns';
import { DeleteMessageCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { isAbort, sleep } from './abort.ts';
import { formatAlertEmail, parseSnsNotification, writeOutboxEmail } from './outbox.ts';

export interface AlertCaptureOptions {
  sqs: SQSClient;
  sns: SNSClient;
  queueUrl: string;
  topicArn: string;
  outboxDir: string;
  waitSeconds?: number;
  onAlert: (subject: string, path: string) => void;
  onError: (message: string) => void;
}

export class AlertCapture {
  private recipients: string[] = [];

  constructor(private readonly options: AlertCaptureOptions) {}

  /** The topic's e-mail subscribers, for the e-mails' `To:` line. */
  async loadRecipients(): Promise<void> {
    try {
      const subs = await this.options.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: this.options.topicArn }));
      this.recipients = (subs.Subscriptions ?? []).filter((s) => s.Protocol === 'email').map((s) => s.Endpoint ?? '').filter(Boolean);
    } catch {
      this.recipients = [];
    }
  }

  /** Captures alerts until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const { sqs, queueUrl } = this.options;
    while (!signal.aborted) {
      let messages: Message[];
      try {
        const out = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: this.options.waitSeconds ?? 2 }),
          { abortSignal: signal },
        );
        messages = out.Messages ?? [];
      } catch (e) {
        if (signal.aborted || isAbort(e)) break;
        this.options.onError(`alert capture failed: ${(e as Error).message}`);
        await sleep(1000, signal);
        continue;
      }
      for (const m of messages) await this.capture(m);
    }
  }

  /** Drains the capture queue once (before shutting down, so no e-mail is left behind). */
  async drain(): Promise<void> {
    for (;;) {
      const out = await this.options.sqs.send(new ReceiveMessageCommand({ QueueUrl: this.options.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      const messages = out.Messages ?? [];
      if (messages.length === 0) return;
      for (const m of messages) await this.capture(m);
    }
  }

  /** One notification → one e-mail in the outbox; deleted from the capture queue once written. */
  private async capture(m: Message): Promise<void> {
    const { sqs, queueUrl, topicArn, outboxDir } = this.options;
    const notification = parseSnsNotification(m.Body ?? '', topicArn);
    const path = writeOutboxEmail(outboxDir, notification.subject, formatAlertEmail(notification, this.recipients));
    this.options.onAlert(notification.subject, path);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! })).catch(() => undefined);
  }
}
