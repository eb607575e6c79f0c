import { describe, expect, it } from 'vitest';
import { parseBenchArgs, UsageError } from '../../../bench/options.ts';

describe('parseBenchArgs', () => {
  it('uses the full sizes by default', () => {
    // Act
    const options = parseBenchArgs([], {});

    // Assess
    expect(options).toMatchObject({ quick: false, rows: 100_000, bigRows: 1_000_000, motoRows: 50_000, concurrency: 4, record: undefined });
  });

  it('uses the small sizes with --quick or BENCH_QUICK=1, and explicit sizes still win', () => {
    // Act
    const flag = parseBenchArgs(['--quick'], {});
    const env = parseBenchArgs(['--rows', '7000'], { BENCH_QUICK: '1' });

    // Assess
    expect(flag).toMatchObject({ quick: true, rows: 5_000, bigRows: 20_000, motoRows: 2_000 });
    expect(env).toMatchObject({ quick: true, rows: 7_000, bigRows: 20_000 });
  });

  it('rejects a size that is not a whole number', () => {
    // Act
    const parse = () => parseBenchArgs(['--big-rows', '1e3x'], {});

    // Assess
    expect(parse).toThrow(UsageError);
    expect(parse).toThrow('--big-rows "1e3x": expected a whole number ≥ 1');
  });

  it('records only when asked, or never with --no-record, and not both', () => {
    // Act / Assess
    expect(parseBenchArgs(['--record'], {})).toMatchObject({ record: true });
    expect(parseBenchArgs(['--no-record'], {})).toMatchObject({ record: false });
    expect(() => parseBenchArgs(['--record', '--no-record'], {})).toThrow(UsageError);
  });
});
