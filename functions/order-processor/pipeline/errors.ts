/** The ways processing a file fails on purpose: each fails the SQS record so it is retried. */

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

/** A conditional ledger write found the file no longer this attempt's (taken over, or already final). */
export class LedgerConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LedgerConflictError';
  }
}

/** The object version a step reads no longer exists (deleted or overwritten before it was read). */
export class ObjectGoneError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ObjectGoneError';
  }
}

/** `Name: message`, for logs and the ledger's last_error / alert_error (clipped: an item has a size limit). */
export function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, 1000);
}
