/**
 * The local stand-in for the Lambda service around the processor: the function's execution
 * environments (worker threads running the real handler, lambda/environment-pool.ts), the poller
 * that plays its SQS event-source mapping (lambda/mapping-poller.ts) with the deployed batch size
 * and maximum concurrency, and beside them the function's logs and metrics (function-logs.ts) and
 * the alert e-mails (alert-capture.ts). Reports one event per batch, file, alert and problem.
 */
import type { Message } from '@aws-sdk/client-sqs';
import { decodeMessageBody, fileLedgerKey } from '../functions/order-processor/index.ts';
import type { FunctionDetails, MappingInfo } from '../deployment/event-source-mapping.ts';
import { getLedgerItem, type LedgerItem } from '../deployment/ledger-view.ts';
import type { Clients } from '../tooling/aws-clients.ts';
import { PROJECT_PATHS } from '../tooling/project.ts';
import { AlertCapture } from './alert-capture.ts';
import { FunctionLogs, MetricsForwarder } from './function-logs.ts';
import { readDeliveryState, type LocalOutputs } from './home.ts';
import { EnvironmentPool } from './lambda/environment-pool.ts';
import { functionEnvironment } from './lambda/function-environment.ts';
import { MappingPoller, mappingConcurrency, type BatchReport } from './lambda/mapping-poller.ts';

export type PollerEvent =
  | { type: 'batch'; received: number; succeeded: number; failed: number; ms: number; environment: number | null; concurrent: number }
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

export interface PollerStats {
  batches: number;
  /** The most batches that ran at once. */
  peakConcurrency: number;
  /** The mapping's maximum concurrency, as played locally. */
  concurrency: number;
  /** Execution environments started (cold starts). */
  environments: number;
  metricsForwarded: number;
}

export class LocalPoller {
  private readonly abort = new AbortController();
  private loops: Promise<void>[] = [];
  private pool: EnvironmentPool | null = null;
  private pollers: MappingPoller[] = [];
  private alerts: AlertCapture | null = null;
  private lastEnabled: boolean | null = null;
  private readonly metrics: MetricsForwarder;
  private readonly logs: FunctionLogs;

  constructor(private readonly options: PollerOptions) {
    const onError = (message: string) => options.onEvent({ type: 'error', message });
    this.metrics = new MetricsForwarder(options.clients.cloudwatch, onError);
    this.logs = new FunctionLogs({
      logFile: options.processorLog,
      onEmf: (doc) => this.metrics.forward(doc),
      terminal: options.verbose ? (stream, line) => process[stream].write(line + '\n') : null,
    });
  }

  /** Starts the first execution environment (failing if the handler cannot load), then the loops. */
  async start(): Promise<void> {
    const { fn, outputs, clients, mapping } = this.options;
    const onError = (message: string) => this.options.onEvent({ type: 'error', message });
    // Every mapping of the function draws on one pool, as they share the function's concurrency on
    // AWS; a second queue (another mapping) gets a MappingPoller of its own on the same pool.
    this.pool = new EnvironmentPool({
      handlerModule: this.options.handlerModule ?? PROJECT_PATHS.processorHandler,
      env: functionEnvironment(fn, { endpoint: outputs.endpoint, region: outputs.region }),
      memoryMb: fn.memoryMb,
      maxEnvironments: mappingConcurrency(mapping),
      onOutput: (environment, stream, text) => this.logs.push(environment, stream, text),
    });
    this.pollers = [
      new MappingPoller({
        sqs: clients.sqs,
        queue: { url: outputs.ingest_queue_url, arn: this.options.queueArn, region: outputs.region },
        mapping,
        fn,
        pool: this.pool,
        isEnabled: () => this.deliveryEnabled(),
        ...(this.options.waitSeconds !== undefined ? { waitSeconds: this.options.waitSeconds } : {}),
        onBatch: (report) => this.reportBatch(report),
        onError,
      }),
    ];
    await this.pool.warm();

    if (outputs.alert_capture_queue_url) {
      this.alerts = new AlertCapture({
        sqs: clients.sqs,
        sns: clients.sns,
        queueUrl: outputs.alert_capture_queue_url,
        topicArn: outputs.alerts_topic_arn,
        outboxDir: this.options.outboxDir,
        ...(this.options.waitSeconds !== undefined ? { waitSeconds: this.options.waitSeconds } : {}),
        onAlert: (subject, path) => this.options.onEvent({ type: 'alert', subject, path }),
        onError,
      });
      await this.alerts.loadRecipients();
    }
    const signal = this.abort.signal;
    this.loops = [...this.pollers.map((p) => p.run(signal)), ...(this.alerts ? [this.alerts.run(signal)] : [])];
  }

  /** Stops receiving, lets the batches in flight finish, stops the environments, flushes logs and metrics. */
  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled(this.loops);
    await this.pool?.close();
    this.logs.flush();
    await this.metrics.flush();
  }

  /** Resolves once nothing is pending in metric forwarding (tests, demo). */
  async flushMetrics(): Promise<void> {
    await this.metrics.flush();
  }

  /** Drains the alert capture queue once (used before shutting down so no e-mail is left behind). */
  async drainAlerts(): Promise<void> {
    await this.alerts?.drain();
  }

  stats(): PollerStats {
    return {
      batches: this.pollers.reduce((n, p) => n + p.batches, 0),
      peakConcurrency: Math.max(0, ...this.pollers.map((p) => p.peakConcurrency)),
      concurrency: this.pollers.reduce((n, p) => n + p.concurrency, 0),
      environments: this.pool?.started ?? 0,
      metricsForwarded: this.metrics.forwarded,
    };
  }

  private deliveryEnabled(): boolean {
    const state = readDeliveryState(this.options.deliveryFile);
    const enabled = state ? state.enabled : true;
    if (this.lastEnabled !== null && enabled !== this.lastEnabled) this.options.onEvent({ type: 'delivery', enabled });
    this.lastEnabled = enabled;
    return enabled;
  }

  private async reportBatch(report: BatchReport): Promise<void> {
    const { messages, failedIds } = report;
    this.options.onEvent({
      type: 'batch',
      received: messages.length,
      succeeded: messages.length - failedIds.size,
      failed: failedIds.size,
      ms: report.ms,
      environment: report.environment,
      concurrent: report.concurrent,
    });
    for (const m of messages) await this.reportMessage(m, failedIds.has(m.MessageId ?? ''));
  }

  /** One event per file in the message: its ledger outcome (or why the message is unusable). */
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
      const item = await getLedgerItem(this.options.clients.doc, this.options.outputs.ingestions_table_name, fileLedgerKey(ref)).catch(() => null);
      this.options.onEvent({ type: 'file', key: ref.key, item, receiveCount, failed });
    }
  }
}
