/** The two ways processing a file fails on purpose: both fail the SQS record so it is retried. */

/** Another attempt holds a live claim on the file: retry later (not a data problem). */
export class FileBusyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FileBusyError';
  }
}

/** An internal invariant broke (row counts differ between passes, or written ≠ valid). */
export class ConservationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConservationError';
  }
}

/** `Name: message`, for logs and the ledger's last_error / alert_error (clipped: an item has a size limit). */
export function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, 1000);
}
