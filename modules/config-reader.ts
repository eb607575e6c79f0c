/**
 * Typed reading of environment variables for loadConfig (config.ts): each method returns the parsed
 * value or, after recording a `VARIABLE="value": expected …` problem, the fallback, so every bad
 * value is reported at once.
 */

/** The environment variables, as `process.env` holds them. */
export type Env = Record<string, string | undefined>;

/** Collects problems while reading variables, so every bad value is reported, not just the first. */
export class Reader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  fail(name: string, value: string, expected: string): void {
    this.problems.push(`${name}=${JSON.stringify(value)}: expected ${expected}`);
  }

  integer(name: string, fallback: number, min: number, max: number, hint = ''): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = /^[+]?\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      this.fail(name, value, `an integer from ${min} to ${max}${hint}`);
      return fallback;
    }
    return parsed;
  }

  oneOf<T extends string | number>(name: string, fallback: T, allowed: readonly T[], parse: (s: string) => T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = parse(value);
    if (!allowed.includes(parsed)) {
      this.fail(name, value, `one of ${allowed.join(', ')}`);
      return fallback;
    }
    return parsed;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const lower = value.toLowerCase();
    if (['true', '1', 'yes'].includes(lower)) return true;
    if (['false', '0', 'no'].includes(lower)) return false;
    this.fail(name, value, 'true or false');
    return fallback;
  }

  matching(name: string, fallback: string, pattern: RegExp, expected: string): string {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!pattern.test(value)) this.fail(name, value, expected);
    return value;
  }
}
