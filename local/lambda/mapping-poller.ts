/**
 * One SQS event-source mapping, played locally as Lambda runs it: long-polls its queue with the
 * mapping's batch size, hands each batch to a free execution environment, runs up to the mapping's
 * maximum concurrency batches at once, deletes what succeeded and leaves failures for redelivery
 * — so retries and the DLQ are the emulator's own SQS redrive. One instance per mapping; mappings
 * of the same function share its environment pool.
 */
import type { SQSBatchResponse } from 'aws-lambda';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { FunctionDetails, MappingInfo } from '../../deployment/event-source-mapping.ts';
import { toSqsEvent, type QueueInfo } from '../../tooling/lambda-events.ts';
import { retryVisibilitySeconds, succeededMessages } from './batch-result.ts';
import type { EnvironmentPool } from './environment-pool.ts';
import { isAbort, sleep } from '../abort.ts';

/** When the mapping declares no maximum concurrency (Lambda would scale far higher): stay modest on one machine. */
export const DEFAULT_LOCAL_CONCURRENCY = 5;

/** How many batches of this mapping run at once: its ScalingConfig.MaximumConcurrency. */
export const mappingConcurrency = (mapping: MappingInfo): number => mapping.maximumConcurrency ?? DEFAULT_LOCAL_CONCURRENCY;

/**
 * The environments the function needs when these mappings share its pool: each mapping runs up to
 * its own maximum concurrency, independently of the others (as on AWS), so together up to the sum.
 */
export const sharedPoolSize = (mappings: readonly MappingInfo[]): number => mappings.reduce((n, m) => n + mappingConcurrency(m), 0);

export interface BatchReport {
  messages: Message[];
  /** MessageIds of the records that failed (to be redelivered). */
  failedIds: Set<string>;
  /** Set when the whole batch failed (thrown error, timeout, environment crash). */
  error?: string;
  environment: number | null;
  /** Batches running at once when this one started, itself included. */
  concurrent: number;
  ms: number;
}

export interface MappingPollerOptions {
  sqs: SQSClient;
  queue: QueueInfo & { url: string };
  mapping: MappingInfo;
  fn: FunctionDetails;
  pool: EnvironmentPool;
  /** Checked before every receive: false holds delivery (pause). */
  isEnabled: () => boolean;
  /** Long-poll wait (s). */
  waitSeconds?: number;
  onBatch: (report: BatchReport) => void | Promise<void>;
  onError: (message: string) => void;
}

export class MappingPoller {
  readonly concurrency: number;
  private readonly running = new Set<Promise<void>>();
  private freed: (() => void) | null = null;
  batches = 0;
  peakConcurrency = 0;

  constructor(private readonly options: MappingPollerOptions) {
    this.concurrency = mappingConcurrency(options.mapping);
  }

  /** Receives and invokes until `signal` aborts, then waits for the batches in flight. */
  async run(signal: AbortSignal): Promise<void> {
    const { sqs, queue, mapping } = this.options;
    while (!signal.aborted) {
      if (!this.options.isEnabled()) {
        await sleep(500, signal);
        continue;
      }
      // Like Lambda's pollers: receive only what a free execution slot can take.
      while (this.running.size >= this.concurrency && !signal.aborted) {
        await new Promise<void>((resolve) => (this.freed = resolve));
      }
      if (signal.aborted) break;
      let messages: Message[];
      try {
        const out = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queue.url,
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
        this.options.onError(`ReceiveMessage failed: ${(e as Error).message}`);
        await sleep(1000, signal);
        continue;
      }
      if (messages.length === 0) continue;
      const batch = this.invoke(messages).finally(() => {
        this.running.delete(batch);
        this.freed?.();
        this.freed = null;
      });
      this.running.add(batch);
      this.peakConcurrency = Math.max(this.peakConcurrency, this.running.size);
    }
    await Promise.allSettled([...this.running]);
  }

  /** One invocation: the batch, the partial-failure response, delete / back off. */
  private async invoke(messages: Message[]): Promise<void> {
    const { fn, pool, queue } = this.options;
    const started = Date.now();
    const concurrent = this.running.size + 1;
    let environment: number | null = null;
    let failures: { itemIdentifier: string }[];
    let error: string | undefined;
    try {
      const env = await pool.acquire();
      environment = env.id;
      let response: SQSBatchResponse | null;
      try {
        response = await env.invoke(toSqsEvent(messages, queue), { ...fn, logGroupName: `/aws/lambda/${fn.functionName}` }, fn.timeoutSeconds);
      } finally {
        pool.release(env);
      }
      // Without ReportBatchItemFailures Lambda ignores the response: success means all succeeded.
      failures = this.options.mapping.reportsBatchItemFailures ? (response?.batchItemFailures ?? []) : [];
    } catch (e) {
      // A thrown error, a timeout or a crash fails the whole batch, as on Lambda.
      error = (e as Error).message;
      this.options.onError(`handler failed the whole batch: ${error}`);
      failures = messages.map((m) => ({ itemIdentifier: m.MessageId ?? '' }));
    }
    const { succeeded, failed } = succeededMessages(messages, failures);
    await this.settleMessages(succeeded, failed);
    this.batches += 1;
    await this.options.onBatch({
      messages,
      failedIds: new Set(failed.map((m) => m.MessageId ?? '')),
      ...(error !== undefined ? { error } : {}),
      environment,
      concurrent,
      ms: Date.now() - started,
    });
  }

  /** Deletes what succeeded; failed messages come back after a short backoff instead of the deployed visibility timeout. */
  private async settleMessages(succeeded: Message[], failed: Message[]): Promise<void> {
    const { sqs, queue, onError } = this.options;
    if (succeeded.length > 0) {
      await sqs
        .send(new DeleteMessageBatchCommand({ QueueUrl: queue.url, Entries: succeeded.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }))
        .catch((e: unknown) => onError(`DeleteMessageBatch failed: ${(e as Error).message}`));
    }
    if (failed.length > 0) {
      await sqs
        .send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: queue.url,
            Entries: failed.map((m, i) => ({
              Id: String(i),
              ReceiptHandle: m.ReceiptHandle!,
              VisibilityTimeout: retryVisibilitySeconds(Number(m.Attributes?.ApproximateReceiveCount ?? '1')),
            })),
          }),
        )
        .catch((e: unknown) => onError(`ChangeMessageVisibility failed: ${(e as Error).message}`));
    }
  }
}
