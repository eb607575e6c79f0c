/** Exit statuses shared by every command (64 = EX_USAGE from sysexits.h). */
export const EXIT = {
  ok: 0,
  /** validate: some rows were rejected; other commands: the operation failed. */
  failure: 1,
  /** validate: some file was rejected as a whole. */
  rejected: 2,
  usage: 64,
} as const;

/** A bad command line: printed without a stack trace, exit status 64. */
export class UsageError extends Error {
  override name = 'UsageError';
}
