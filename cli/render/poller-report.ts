/**
 * One terminal line per poller event (shared by `local up` and `demo`). Keys, reasons, errors,
 * subjects and paths go through the one escaper: a key cannot clear the screen or forge a line. Pure.
 */
import type { FunctionDetails } from '../../deployment/event-source-mapping.ts';
import { destinationOf } from '../../deployment/ledger-view.ts';
import { escapeControls, quoted } from './inert.ts';
import { deadLetterName, queueName, type QueueFeed } from '../../deployment/processor-queues.ts';
import { mappingConcurrency, sharedPoolSize } from '../../local/lambda/mapping-poller.ts';
import type { PollerEvent } from '../../local/poller.ts';
import { describeParts } from './file-progress.ts';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * How the local poller plays the mappings: `the ingest queue (batch size 5, up to 5 invocations at
 * once) and the parts queue (batch size 1, up to 5 invocations at once); <function> in worker
 * threads, up to 10 execution environments`.
 */
export function describeMapping(stack: { feeds: Pick<QueueFeed, 'role' | 'mapping'>[]; fn: Pick<FunctionDetails, 'functionName'> }): string {
  const queues = stack.feeds.map(
    (f) => `the ${queueName(f.role)} (batch size ${f.mapping.batchSize}, up to ${plural(mappingConcurrency(f.mapping), 'invocation')} at once)`,
  );
  const pool = sharedPoolSize(stack.feeds.map((f) => f.mapping));
  return `${queues.join(' and ')}; ${stack.fn.functionName} in worker threads, up to ${plural(pool, 'execution environment')}`;
}

/** `part 3/8 scan of raw-data/big.csv` (the message counts parts from 0). */
const partName = (e: Extract<PollerEvent, { type: 'part' }>) => `part ${e.part + 1}/${e.parts} ${e.phase} of ${e.key}`;

export function describePollerEvent(e: PollerEvent): string | null {
  // A line is our words around outside text (keys, reasons, errors, paths): the whole line goes
  // through the one escaper, which leaves our words as they are.
  const line = describe(e);
  return line === null ? null : escapeControls(line);
}

function describe(e: PollerEvent): string | null {
  switch (e.type) {
    case 'batch':
      return null;
    case 'file': {
      const item = e.item;
      const attempt = e.receiveCount > 1 ? ` (delivery ${e.receiveCount})` : '';
      if (e.failed) {
        const why = item?.last_error ?? item?.reason ?? 'see the processor log';
        return `  retry  ${e.key}${attempt}: the handler failed it (${why}); SQS will redeliver it`;
      }
      if (!item) return `  done   ${e.key}${attempt}`;
      if (item.status === 'PROCESSING') {
        // A large file: the ingest invocation planned its parts; the parts queue carries on.
        const parts = describeParts(item);
        return `  split  ${e.key}${attempt}${parts ? `: ${parts}` : ''} (the parts queue carries on)`;
      }
      const counts =
        item.rows !== undefined ? ` rows ${item.rows}: written ${item.written ?? 0}, rejected ${item.rejected ?? 0}` : '';
      const parts = describeParts(item);
      const reason = item.status === 'FAILED' || item.status === 'DUPLICATE' ? ` — ${item.reason ?? ''}` : '';
      return `  ${item.status.padEnd(9)} ${e.key}${attempt}${counts}${parts ? ` in ${parts}` : ''}${reason} → ${destinationOf(item)}`;
    }
    case 'part': {
      const attempt = e.receiveCount > 1 ? ` (delivery ${e.receiveCount})` : '';
      if (e.failed) {
        const why = e.item?.last_error ?? 'see the processor log';
        return `  retry  ${partName(e)}${attempt}: the handler failed it (${why}); SQS will redeliver it, after 3 deliveries to the parts DLQ`;
      }
      const progress = e.item ? describeParts(e.item) : null;
      const status = e.item && e.item.status !== 'PROCESSING' ? e.item.status : progress;
      return `  ${partName(e)}${attempt} in ${(e.ms / 1000).toFixed(1)} s (${plural(e.concurrent, 'part')} at once)${status ? ` — ${status}` : ''}`;
    }
    case 'invalid-message':
      return `  retry  message ${e.messageId} (delivery ${e.receiveCount}): ${e.reason}; after 3 deliveries SQS moves it to the ${deadLetterName(e.queue)}`;
    case 'alert':
      return `  alert  ${quoted(e.subject)} → ${e.path}`;
    case 'delivery':
      return e.enabled
        ? '  delivery resumed: the poller receives from the ingest and parts queues again'
        : '  delivery paused: files keep queuing in the ingest queue, parts in the parts queue, until `order-pipeline resume`';
    case 'error':
      return `  error  ${e.message}`;
  }
}
