import { describe, expect, it } from 'vitest';
import { DEFAULTS, WHOLE_FILE_MODEL, wholeFileThresholdMb } from '../../../functions/order-processor/defaults.ts';

describe('wholeFileThresholdMb', () => {
  it('is half of what one invocation reads and writes in its timeout: 107 MiB at the default 1,024 MB and 300 s', () => {
    // 10,000 rows/s × 130 B = 1.24 MiB/s with a whole vCPU; × 1,024 / 1,769 × 300 s × 0.5 = 107.6
    expect(wholeFileThresholdMb(DEFAULTS.LAMBDA_MEMORY_MB, DEFAULTS.LAMBDA_TIMEOUT_SECONDS)).toBe(107);
  });

  it('grows with the timeout in proportion', () => {
    expect(wholeFileThresholdMb(1024, 600)).toBe(215);
    expect(wholeFileThresholdMb(1024, 900)).toBe(322);
  });

  it('grows with memory up to one whole vCPU (1,769 MB), and no further: the processor uses one', () => {
    expect(wholeFileThresholdMb(512, 300)).toBeLessThan(wholeFileThresholdMb(1024, 300));
    expect(wholeFileThresholdMb(1769, 900)).toBe(557);
    expect(wholeFileThresholdMb(10_240, 900)).toBe(557);
  });

  it('is at least 1 MiB, the smallest threshold the configuration accepts', () => {
    expect(wholeFileThresholdMb(128, 1)).toBe(1);
  });

  it('follows the model it is given', () => {
    expect(wholeFileThresholdMb(1769, 100, { ...WHOLE_FILE_MODEL, rowsPerSecond: 2 ** 20 / 130, safetyFactor: 1 })).toBe(100);
  });
});
