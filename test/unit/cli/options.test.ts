import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../cli/exit.ts';
import { parsePort, parseTimeoutSeconds } from '../../../cli/options.ts';

describe('parsePort', () => {
  it('accepts a port and leaves an absent one undefined', () => {
    // Assess
    expect(parsePort('8080')).toBe(8080);
    expect(parsePort(undefined)).toBeUndefined();
  });

  it.each(['0', '65536', '80.5', 'http'])('refuses %s as a usage error', (raw) => {
    // Assess
    expect(() => parsePort(raw)).toThrow(new UsageError(`--port must be an integer 1–65535, not "${raw}"`));
    expect(() => parsePort(raw)).toThrow(UsageError);
  });
});

describe('parseTimeoutSeconds', () => {
  it('accepts a positive number of seconds, fractions too', () => {
    // Assess
    expect(parseTimeoutSeconds('240')).toBe(240);
    expect(parseTimeoutSeconds('0.5')).toBe(0.5);
  });

  it.each(['0', '-1', 'soon'])('refuses %s as a usage error', (raw) => {
    // Assess
    expect(() => parseTimeoutSeconds(raw)).toThrow(UsageError);
  });
});
