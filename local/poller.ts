/**
 * The local stand-in for the Lambda service around the processor: the function's execution
 * environments (worker threads running the real handler, lambda/environment-pool.ts), one poller
 * per SQS event-source mapping (lambda/mapping-poller.ts) — the ingest queue's and, on a stack
 * that splits large files, the parts queue's — with the deployed batch size and maximum
 * concurrency, and beside them the function's logs and metrics (function-logs.ts) and the alert
 * e-mails (alert-capture.ts). Reports one event per batch, file, part, alert and problem.
 */
import type { Message } from '@aws-sdk/client-sqs';
import { decodeMessageBody, escapeControls, fileLedgerKey, type PartPhase } from '../functions/order-processor/index.ts';
import type { FunctionDetails } from '../deployment/event-source-mapping.ts';
import { getLedgerItem, isFinal, type LedgerItem } from '../deployment/ledger-view.ts';
import type { QueueFeed, QueueRole } from '../deployment/processor-queues.ts';
import type { Clients } from '../tooling/aws-clients.ts';
import { PROJECT_PATHS } from '../tooling/project.ts';
import { AlertCapture } from './alert-capture.ts';
import { FunctionLogs, MetricsForwarder } from './function-logs.ts';
import { readDeliveryState, type LocalOutputs } from '../deployment/local-home.ts';
import { EnvironmentPool } from './lambda/environment-pool.ts';
import { functionEnvironment } from './lambda/function-environment.ts';
import { MappingPoller, sharedPoolSize, type BatchReport } from './lambda/mapping-poller.ts';

export type PollerEvent =
  | { type: 'batch'; queue: QueueRole; received: number; succeeded: number; failed: number; ms: number; environment: number | null; concurrent: number }
  /** A file's message was handled: its ledger item after the invocation (final, or PROCESSING while its parts run). */
  | { type: 'file'; key: string; item: LedgerItem | null; receiveCount: number; failed: boolean }
  /**
   * One part of a large file was handled (the parts queue). `part` counts from 0, as the message
   * does; `concurrent`: parts in processing when it started, itself included.
   */
  | {
      type: 'part';
      key: string;
      phase: PartPhase;
      part: number;
      parts: number;
      item: LedgerItem | null;
      receiveCount: number;
      failed: boolean;
      ms: number;
      concurrent: number;
    }
  | { type: 'invalid-message'; queue: QueueRole; messageId: string; receiveCount: number; reason: string }
  | { type: 'alert'; subject: string; path: string }
  | { type: 'delivery'; enabled: boolean }
  | { type: 'error'; message: string };

export interface PollerOptions {
  clients: Clients;
  outputs: LocalOutputs;
  /** The queues feeding the function, each with its mapping: one MappingPoller each. */
  feeds: QueueFeed[];
  fn: FunctionDetails;
  /** .local/delivery.json (pause/resume); absent means enabled. */
  deliveryFile: string;
  outboxDir: string;
  processorLog: string;
  /** Show the handler's own log lines on the terminal too (default: only in the log file). */
  verbose?: boolean;
  handlerModule?: string;
  /** LAMBDA_TASK_ROOT of the function's environments: where its code (and the order schema synth put beside it) is. */
  taskRoot?: string;
  /** Long-poll wait (s). */
  waitSeconds?: number;
  onEvent: (event: PollerEvent) => void;
}

/** One mapping's figures. */
export interface MappingStats {
  batches: number;
  /** The most batches of this mapping that ran at once. */
  peakConcurrency: number;
  /** The mapping's maximum concurrency, as played locally. */
  concurrency: number;
}

export interface PollerStats {
  batches: number;
  /** The most invocations that ran at once, over every mapping. */
  peakConcurrency: number;
  /** The most that may: the sum of the mappings' maximum concurrency. */
  concurrency: number;
  /** Execution environments started (cold starts). */
  environments: number;
  metricsForwarded: number;
  /** Per queue feeding the function (the parts queue only on a stack that has it). */
  queues: Partial<Record<QueueRole, MappingStats>>;
}

export class LocalPoller {
  private readonly abort = new AbortController();
  private loops: Promise<void>[] = [];
  private pool: EnvironmentPool | null = null;
  private pollers: { role: QueueRole; poller: MappingPoller }[] = [];
  private alerts: AlertCapture | null = null;
  /** Files whose final outcome was reported from a part message (several parts may see it). */
  private readonly concluded = new Set<string>();
  private lastEnabled: boolean | null = null;
  private readonly metrics: MetricsForwarder;
  private readonly logs: FunctionLogs;

  constructor(private readonly options: PollerOptions) {
    const onError = (message: string) => options.onEvent({ type: 'error', message });
    this.metrics = new MetricsForwarder(options.clients.cloudwatch, onError);
    this.logs = new FunctionLogs({
      logFile: options.processorLog,
      onEmf: (doc) => this.metrics.forward(doc),
      // The processor's log lines hold keys and cell values: escaped like everything else shown.
      terminal: options.verbose ? (stream, line) => process[stream].write(escapeControls(line) + '\n') : null,
    });
  }

  /** Starts the first execution environment (failing if the handler cannot load), then the loops. */
  async start(): Promise<void> {
    const { fn, outputs, clients, feeds } = this.options;
    const onError = (message: string) => this.options.onEvent({ type: 'error', message });
    // Every mapping of the function draws on one pool, as they share the function's environments
    // on AWS; each queue gets a MappingPoller of its own, capped at its own mapping's maximum.
    this.pool = new EnvironmentPool({
      handlerModule: this.options.handlerModule ?? PROJECT_PATHS.processorHandler,
      env: functionEnvironment(fn, { endpoint: outputs.endpoint, region: outputs.region }, process.env, this.options.taskRoot),
      memoryMb: fn.memoryMb,
      maxEnvironments: sharedPoolSize(feeds.map((f) => f.mapping)),
      onOutput: (environment, stream, text) => this.logs.push(environment, stream, text),
    });
    const pool = this.pool;
    this.pollers = feeds.map((feed) => ({
      role: feed.role,
      poller: new MappingPoller({
        sqs: clients.sqs,
        queue: { url: feed.url, arn: feed.arn, region: outputs.region },
        mapping: feed.mapping,
        fn,
        pool,
        isEnabled: () => this.deliveryEnabled(),
        ...(this.options.waitSeconds !== undefined ? { waitSeconds: this.options.waitSeconds } : {}),
        onBatch: (report) => this.reportBatch(feed.role, report),
        onError,
      }),
    }));
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
    this.loops = [...this.pollers.map((p) => p.poller.run(signal)), ...(this.alerts ? [this.alerts.run(signal)] : [])];
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
      batches: this.pollers.reduce((n, p) => n + p.poller.batches, 0),
      peakConcurrency: this.pool?.peakBusy ?? 0,
      concurrency: this.pollers.reduce((n, p) => n + p.poller.concurrency, 0),
      environments: this.pool?.started ?? 0,
      metricsForwarded: this.metrics.forwarded,
      queues: Object.fromEntries(
        this.pollers.map(({ role, poller }) => [role, { batches: poller.batches, peakConcurrency: poller.peakConcurrency, concurrency: poller.concurrency }]),
      ),
    };
  }

  private deliveryEnabled(): boolean {
    const state = readDeliveryState(this.options.deliveryFile);
    const enabled = state ? state.enabled : true;
    if (this.lastEnabled !== null && enabled !== this.lastEnabled) this.options.onEvent({ type: 'delivery', enabled });
    this.lastEnabled = enabled;
    return enabled;
  }

  private async reportBatch(queue: QueueRole, report: BatchReport): Promise<void> {
    const { messages, failedIds } = report;
    this.options.onEvent({
      type: 'batch',
      queue,
      received: messages.length,
      succeeded: messages.length - failedIds.size,
      failed: failedIds.size,
      ms: report.ms,
      environment: report.environment,
      concurrent: report.concurrent,
    });
    for (const m of messages) await this.reportMessage(queue, m, failedIds.has(m.MessageId ?? ''), report);
  }

  private ledgerItem(ref: Parameters<typeof fileLedgerKey>[0]): Promise<LedgerItem | null> {
    return getLedgerItem(this.options.clients.doc, this.options.outputs.ingestions_table_name, fileLedgerKey(ref)).catch(() => null);
  }

  /**
   * One event per file in the message (its ledger item), per part (which part, and the file's
   * progress), or why the message is unusable; and a file's outcome once, when a part concluded it.
   */
  private async reportMessage(queue: QueueRole, message: Message, failed: boolean, report: BatchReport): Promise<void> {
    const receiveCount = Number(message.Attributes?.ApproximateReceiveCount ?? '1');
    let decoded;
    try {
      decoded = decodeMessageBody(message.Body ?? '');
    } catch (e) {
      this.options.onEvent({ type: 'invalid-message', queue, messageId: message.MessageId ?? '', receiveCount, reason: (e as Error).message });
      return;
    }
    if (decoded.kind === 'part') {
      const { part: p } = decoded;
      const item = await this.ledgerItem(p);
      this.options.onEvent({
        type: 'part',
        key: p.key,
        phase: p.phase,
        part: p.part,
        parts: p.parts,
        item,
        receiveCount,
        failed,
        ms: report.ms,
        concurrent: report.concurrent,
      });
      if (item && isFinal(item) && !this.concluded.has(item.pk)) {
        this.concluded.add(item.pk);
        this.options.onEvent({ type: 'file', key: p.key, item, receiveCount, failed: false });
      }
      return;
    }
    if (decoded.kind !== 'objects') return;
    for (const ref of decoded.objects) {
      const item = await this.ledgerItem(ref);
      this.options.onEvent({ type: 'file', key: ref.key, item, receiveCount, failed });
    }
  }
}
