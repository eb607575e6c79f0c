/** Terminal sparklines. Pure. */
const TICKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;

/**
 * One character per value, scaled between 0 (or the minimum, if negative) and the maximum; null
 * (no data point in that period) is a space. All-zero series draw as the lowest tick.
 */
export function sparkline(values: (number | null)[]): string {
  const numbers = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (numbers.length === 0) return ' '.repeat(values.length);
  const min = Math.min(0, ...numbers);
  const max = Math.max(...numbers);
  const span = max - min;
  return values
    .map((v) => {
      if (v === null || !Number.isFinite(v)) return ' ';
      if (span === 0) return TICKS[0];
      const i = Math.round(((v - min) / span) * (TICKS.length - 1));
      return TICKS[Math.min(TICKS.length - 1, Math.max(0, i))];
    })
    .join('');
}

/** Compact numbers for labels: 950, 1.2k, 3.4M. */
export function compactNumber(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1e9) return `${(n / 1e9).toFixed(1)}G`;
  if (abs >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (abs >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  if (Number.isInteger(n)) return String(n);
  return n.toFixed(abs < 10 ? 2 : 1);
}
