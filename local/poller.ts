/**
 * The local stand-in for Lambda's SQS event-source mapping (DESIGN §8): long-polls the ingest
 * queue with the deployed mapping's batch size, calls the real handler in-process with the
 * function's deployed environment and an event shaped exactly as Lambda's, deletes what succeeded
 * and leaves failures for redelivery — so retries and the DLQ are the emulator's own SQS redrive.
 * Alongside, it captures alert e-mails from the SNS→SQS capture queue and forwards the EMF
 * metrics the handler prints to the emulator's CloudWatch.
 */
import { mkdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { ListSubscriptionsByTopicCommand } from '@aws-sdk/client-sns';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import { decodeMessageBody } from '../functions/order-processor/index.ts';
import type { Clients } from '../deployment/connect.ts';
import { readDeliveryState } from './delivery-state.ts';
import { emfToPutMetricData, type EmfDocument } from './emf-bridge.ts';
import { getLedgerItem, type LedgerItem } from '../deployment/ledger-view.ts';
import { fileLedgerKey } from '../functions/order-processor/index.ts';
import type { FunctionDetails, MappingInfo } from '../deployment/event-source-mapping.ts';
import { formatAlertEmail, parseSnsNotification, writeOutboxEmail } from './outbox.ts';
import { captureProcessOutput } from './output-capture.ts';
import { lambdaContext, retryVisibilitySeconds, succeededMessages, toSqsEvent } from '../tooling/lambda-events.ts';
import { PROJECT_ROOT, type LocalOutputs } from '../deployment/target.ts';

export type Handler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

export const HANDLER_MODULE = join(PROJECT_ROOT, 'functions', 'order-processor', 'handler.ts');

export type PollerEvent =
  | { type: 'batch'; received: number; succeeded: number; failed: number; ms: number }
  | { type: 'file'; key: string; item: LedgerItem | null; receiveCount: number; failed: boolean }
  | { type: 'invalid-message'; messageId: string; receiveCount: number; reason: string }
  | { type: 'alert'; subject: string; path: string }
  | { type: 'delivery'; enabled: boolean }
  | { type: 'error'; message: string };

export interface PollerOptions {
  clients: Clients;
  outputs: LocalOutputs;
  queueArn: string;
  mapping: MappingInfo;
  fn: FunctionDetails;
  /** .local/delivery.json (pause/resume); absent means enabled. */
  deliveryFile: string;
  outboxDir: string;
  processorLog: string;
  /** Show the handler's own log lines on the terminal too (default: only in the log file). */
  verbose?: boolean;
  handlerModule?: string;
  /** Long-poll wait (s). */
  waitSeconds?: number;
  onEvent: (event: PollerEvent) => void;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });

const isAbort = (e: unknown) => (e as { name?: string })?.name === 'AbortError' || (e as { name?: string })?.name === 'TimeoutError';

/** The Lambda runtime variables a function sees besides its own environment. */
export function lambdaRuntimeEnv(fn: FunctionDetails, region: string): Record<string, string> {
  return {
    AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: fn.version,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.functionName}`,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    _HANDLER: fn.handler,
  };
}

export class LocalPoller {
  private readonly abort = new AbortController();
  private loops: Promise<void>[] = [];
  private pendingMetrics = new Set<Promise<void>>();
  private restoreOutput: (() => void) | null = null;
  private handler: Handler | null = null;
  private recipients: string[] = [];
  private lastEnabled: boolean | null = null;
  metricsForwarded = 0;
  batches = 0;

  constructor(private readonly options: PollerOptions) {}

  /** Loads the handler with the function's environment and starts both loops. */
  async start(): Promise<void> {
    const { fn, outputs, clients } = this.options;
    // The function's deployed environment, as Lambda would set it, pointed at the emulator.
    Object.assign(process.env, fn.environment, lambdaRuntimeEnv(fn, outputs.region), {
      AWS_ENDPOINT_URL: outputs.endpoint,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_SESSION_TOKEN: 'testing',
    });
    // Powertools disables metrics under POWERTOOLS_DEV; the dashboard needs them.
    process.env.POWERTOOLS_METRICS_DISABLED ??= 'false';

    mkdirSync(join(this.options.processorLog, '..'), { recursive: true });
    this.restoreOutput = captureProcessOutput({
      logFile: this.options.processorLog,
      passThrough: this.options.verbose ?? false,
      onEmf: (doc) => this.forwardMetrics(doc),
    });
    const mod = (await import(pathToFileURL(this.options.handlerModule ?? HANDLER_MODULE).href)) as { handler?: Handler };
    if (typeof mod.handler !== 'function') throw new Error(`${this.options.handlerModule ?? HANDLER_MODULE} exports no handler()`);
    this.handler = mod.handler;

    try {
      const subs = await clients.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: outputs.alerts_topic_arn }));
      this.recipients = (subs.Subscriptions ?? []).filter((s) => s.Protocol === 'email').map((s) => s.Endpoint ?? '').filter(Boolean);
    } catch {
      this.recipients = [];
    }
    this.loops = [this.ingestLoop(), ...(outputs.alert_capture_queue_url ? [this.alertLoop(outputs.alert_capture_queue_url)] : [])];
  }

  /** Stops receiving, lets the running batch finish, flushes metrics, restores the output streams. */
  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled(this.loops);
    await Promise.allSettled([...this.pendingMetrics]);
    this.restoreOutput?.();
    this.restoreOutput = null;
  }

  /** Resolves once nothing is pending in metric forwarding (tests, demo). */
  async flushMetrics(): Promise<void> {
    await Promise.allSettled([...this.pendingMetrics]);
  }

  private forwardMetrics(doc: EmfDocument): void {
    for (const input of emfToPutMetricData(doc)) {
      const p = this.options.clients.cloudwatch
        .send(new PutMetricDataCommand(input))
        .then(() => {
          this.metricsForwarded += input.MetricData?.length ?? 0;
        })
        .catch((e: unknown) => this.options.onEvent({ type: 'error', message: `PutMetricData failed: ${(e as Error).message}` }))
        .finally(() => this.pendingMetrics.delete(p));
      this.pendingMetrics.add(p);
    }
  }

  private deliveryEnabled(): boolean {
    const state = readDeliveryState(this.options.deliveryFile);
    const enabled = state ? state.enabled : true;
    if (this.lastEnabled !== null && enabled !== this.lastEnabled) this.options.onEvent({ type: 'delivery', enabled });
    this.lastEnabled = enabled;
    return enabled;
  }

  private async ingestLoop(): Promise<void> {
    const { clients, outputs, mapping } = this.options;
    const signal = this.abort.signal;
    while (!signal.aborted) {
      if (!this.deliveryEnabled()) {
        await sleep(500, signal);
        continue;
      }
      let messages: Message[];
      try {
        const out = await clients.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: outputs.ingest_queue_url,
            MaxNumberOfMessages: Math.min(10, Math.max(1, mapping.batchSize)),
            WaitTimeSeconds: this.options.waitSeconds ?? 2,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
          { abortSignal: signal },
        );
        messages = out.Messages ?? [];
      } catch (e) {
        if (signal.aborted || isAbort(e)) break;
        this.options.onEvent({ type: 'error', message: `ReceiveMessage failed: ${(e as Error).message}` });
        await sleep(1000, signal);
        continue;
      }
      if (messages.length === 0) continue;
      await this.invoke(messages);
    }
  }

  /** One Lambda invocation: the batch, the partial-failure response, delete / back off. */
  private async invoke(messages: Message[]): Promise<void> {
    const { clients, outputs, fn, queueArn } = this.options;
    const started = Date.now();
    const event = toSqsEvent(messages, { arn: queueArn, region: outputs.region });
    const context = lambdaContext({ ...fn, logGroupName: `/aws/lambda/${fn.functionName}` });
    let failures: { itemIdentifier: string }[];
    try {
      const timeoutMs = fn.timeoutSeconds * 1000;
      let timer: NodeJS.Timeout | undefined;
      const response = await Promise.race([
        this.handler!(event, context),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`Task timed out after ${fn.timeoutSeconds} seconds`)), timeoutMs);
        }),
      ]).finally(() => clearTimeout(timer));
      // Without ReportBatchItemFailures Lambda ignores the response: success means all succeeded.
      failures = this.options.mapping.reportsBatchItemFailures ? (response?.batchItemFailures ?? []) : [];
    } catch (e) {
      // A thrown error (or a timeout) fails the whole batch, as on Lambda.
      this.options.onEvent({ type: 'error', message: `handler failed the whole batch: ${(e as Error).message}` });
      failures = messages.map((m) => ({ itemIdentifier: m.MessageId ?? '' }));
    }
    const { succeeded, failed } = succeededMessages(messages, failures);
    if (succeeded.length > 0) {
      await clients.sqs
        .send(
          new DeleteMessageBatchCommand({
            QueueUrl: outputs.ingest_queue_url,
            Entries: succeeded.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
          }),
        )
        .catch((e: unknown) => this.options.onEvent({ type: 'error', message: `DeleteMessageBatch failed: ${(e as Error).message}` }));
    }
    if (failed.length > 0) {
      await clients.sqs
        .send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: outputs.ingest_queue_url,
            Entries: failed.map((m, i) => ({
              Id: String(i),
              ReceiptHandle: m.ReceiptHandle!,
              VisibilityTimeout: retryVisibilitySeconds(Number(m.Attributes?.ApproximateReceiveCount ?? '1')),
            })),
          }),
        )
        .catch((e: unknown) => this.options.onEvent({ type: 'error', message: `ChangeMessageVisibility failed: ${(e as Error).message}` }));
    }
    this.batches += 1;
    this.options.onEvent({ type: 'batch', received: messages.length, succeeded: succeeded.length, failed: failed.length, ms: Date.now() - started });
    const failedIds = new Set(failed.map((m) => m.MessageId));
    for (const m of messages) await this.reportMessage(m, failedIds.has(m.MessageId));
  }

  /** One line per file in the message: its ledger outcome (or why the message is unusable). */
  private async reportMessage(message: Message, failed: boolean): Promise<void> {
    const receiveCount = Number(message.Attributes?.ApproximateReceiveCount ?? '1');
    let decoded;
    try {
      decoded = decodeMessageBody(message.Body ?? '');
    } catch (e) {
      this.options.onEvent({ type: 'invalid-message', messageId: message.MessageId ?? '', receiveCount, reason: (e as Error).message });
      return;
    }
    if (decoded.kind !== 'objects') return;
    for (const ref of decoded.objects) {
      let item: LedgerItem | null = null;
      try {
        item = await getLedgerItem(
          this.options.clients.doc,
          this.options.outputs.ingestions_table_name,
          fileLedgerKey(ref),
        );
      } catch {
        item = null;
      }
      this.options.onEvent({ type: 'file', key: ref.key, item, receiveCount, failed });
    }
  }

  private async alertLoop(queueUrl: string): Promise<void> {
    const { clients } = this.options;
    const signal = this.abort.signal;
    while (!signal.aborted) {
      let messages: Message[];
      try {
        const out = await clients.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: this.options.waitSeconds ?? 2 }),
          { abortSignal: signal },
        );
        messages = out.Messages ?? [];
      } catch (e) {
        if (signal.aborted || isAbort(e)) break;
        this.options.onEvent({ type: 'error', message: `alert capture failed: ${(e as Error).message}` });
        await sleep(1000, signal);
        continue;
      }
      for (const m of messages) await this.captureAlert(queueUrl, m);
    }
  }

  /** One notification → one e-mail in the outbox; deleted from the capture queue once written. */
  private async captureAlert(queueUrl: string, m: Message): Promise<void> {
    const notification = parseSnsNotification(m.Body ?? '', this.options.outputs.alerts_topic_arn);
    const path = writeOutboxEmail(this.options.outboxDir, notification.subject, formatAlertEmail(notification, this.recipients));
    this.options.onEvent({ type: 'alert', subject: notification.subject, path });
    await this.options.clients.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! })).catch(() => undefined);
  }

  /** Drains the alert capture queue once (used before shutting down so no e-mail is left behind). */
  async drainAlerts(): Promise<void> {
    const queueUrl = this.options.outputs.alert_capture_queue_url;
    if (!queueUrl) return;
    for (;;) {
      const out = await this.options.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      const messages = out.Messages ?? [];
      if (messages.length === 0) return;
      for (const m of messages) await this.captureAlert(queueUrl, m);
    }
  }
}
