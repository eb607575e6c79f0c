/**
 * The last-receive guard (docs/architecture.md): on a message's last receive, work still running
 * shortly before the function's timeout must end its file FAILED itself — Lambda's timeout kills
 * the invocation without a catch, and the file would otherwise stay PROCESSING, its message in the
 * DLQ, with no alert naming it. Used by a part (parts/handle-part.ts) and a whole file
 * (process-file.ts).
 */

/** The work did not finish within the function's time on its last receive. */
export class DeadlineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeadlineError';
  }
}

/** Runs `onDeadline` once after `ms` unless stopped first; `stop` waits for a run in progress. */
export function deadlineGuard(ms: number, what: string, onDeadline: (error: Error) => Promise<void>): { readonly fired: boolean; stop(): Promise<void> } {
  let fired = false;
  let running: Promise<void> = Promise.resolve();
  const timer = setTimeout(() => {
    fired = true;
    const seconds = Math.round(ms / 1000);
    running = onDeadline(new DeadlineError(`${what} did not finish within the function's time (${seconds} s left when it started on its last receive)`));
  }, Math.max(0, ms));
  timer.unref?.();
  return {
    get fired() {
      return fired;
    },
    async stop() {
      clearTimeout(timer);
      await running;
    },
  };
}

