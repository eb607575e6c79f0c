/** What the event-source mapping does with an invocation's result. Pure. */

/** Messages that succeeded (not named in the batchItemFailures response) and those that failed. */
export function succeededMessages<T extends { MessageId?: string | undefined }>(
  messages: T[],
  failures: { itemIdentifier: string }[] | undefined,
): { succeeded: T[]; failed: T[] } {
  const failedIds = new Set((failures ?? []).map((f) => f.itemIdentifier));
  const succeeded: T[] = [];
  const failed: T[] = [];
  for (const m of messages) (failedIds.has(m.MessageId ?? '') ? failed : succeeded).push(m);
  return { succeeded, failed };
}

/**
 * Backoff before a failed message becomes visible again locally: 1 s, 2 s, 4 s … capped at 30 s.
 * (The deployed visibility timeout is ≥ 6 × the function timeout, minutes; locally that would make
 * a retry, and the walk to the DLQ, needlessly slow.)
 */
export function retryVisibilitySeconds(receiveCount: number): number {
  return Math.min(30, 2 ** Math.max(0, receiveCount - 1));
}
