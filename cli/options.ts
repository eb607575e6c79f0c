/** Option values shared by several commands, checked with a usage error that names the option. */
import { UsageError } from './exit.ts';

/** `--port N`: a TCP port, 1–65535 (undefined when not given). */
export function parsePort(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--port must be an integer 1–65535, not "${raw}"`);
  return port;
}

/** `--timeout S`: a positive number of seconds. */
export function parseTimeoutSeconds(raw: string): number {
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--timeout must be a positive number of seconds, not "${raw}"`);
  return seconds;
}
