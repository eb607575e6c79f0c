/** One terminal line per poller event (shared by `local up` and `demo`). Pure. */
import type { FunctionDetails, MappingInfo } from '../../deployment/event-source-mapping.ts';
import { destinationOf } from '../../deployment/ledger-view.ts';
import { mappingConcurrency } from '../../local/lambda/mapping-poller.ts';
import type { PollerEvent } from '../../local/poller.ts';

/** How the local poller plays the mapping: `batch size 5, up to 5 invocations at once, <function> in worker threads`. */
export function describeMapping(stack: { mapping: MappingInfo; fn: Pick<FunctionDetails, 'functionName'> }): string {
  const n = mappingConcurrency(stack.mapping);
  return `batch size ${stack.mapping.batchSize}, up to ${n} invocation${n === 1 ? '' : 's'} at once, ${stack.fn.functionName} in worker threads`;
}

export function describePollerEvent(e: PollerEvent): string | null {
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
      const counts =
        item.rows !== undefined ? ` rows ${item.rows}: written ${item.written ?? 0}, rejected ${item.rejected ?? 0}` : '';
      const reason = item.status === 'FAILED' || item.status === 'DUPLICATE' ? ` — ${item.reason ?? ''}` : '';
      return `  ${item.status.padEnd(9)} ${e.key}${attempt}${counts}${reason} → ${destinationOf(item)}`;
    }
    case 'invalid-message':
      return `  retry  message ${e.messageId} (delivery ${e.receiveCount}): ${e.reason}; after 3 deliveries SQS moves it to the DLQ`;
    case 'alert':
      return `  alert  "${e.subject}" → ${e.path}`;
    case 'delivery':
      return e.enabled
        ? '  delivery resumed: the poller receives from the ingest queue again'
        : '  delivery paused: files keep queuing in the ingest queue until `order-pipeline resume`';
    case 'error':
      return `  error  ${e.message}`;
  }
}
