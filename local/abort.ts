/** Waiting and stopping in the local receive loops (mapping pollers, alert capture). */

/** Resolves after `ms`, or at once when `signal` aborts (a stop never waits out a back-off). */
export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });

/** Whether an error is the SDK's answer to an aborted or timed-out request (a stop, not a fault). */
export const isAbort = (e: unknown): boolean => ['AbortError', 'TimeoutError'].includes((e as { name?: string })?.name ?? '');
