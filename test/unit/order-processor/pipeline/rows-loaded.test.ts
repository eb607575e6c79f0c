import { describe, expect, it, vi } from 'vitest';
import { rowsLoadedBefore, trailingNotes } from '../../../../functions/order-processor/pipeline/rows-loaded.ts';

/** A note that lands only when the test says so. */
function slowNotes() {
  const noted: number[] = [];
  const landing: (() => void)[] = [];
  const note = (rows: number) =>
    new Promise<void>((resolve) => {
      noted.push(rows);
      landing.push(resolve);
    });
  const land = async () => {
    landing.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { noted, note, land };
}

describe('trailingNotes', () => {
  it('keeps one note in flight, never awaited; the next covers every figure told meanwhile', async () => {
    // Prepare
    const slow = slowNotes();
    const tell = trailingNotes(slow.note, () => undefined, 0);
    // Act: 25 starts a note; 50, 75 and 100 come while it is in flight
    tell(25);
    tell(50);
    tell(75);
    tell(100);
    const whileFirstInFlight = [...slow.noted];
    await slow.land();
    await slow.land();
    // Assess
    expect(whileFirstInFlight).toEqual([25]);
    expect(slow.noted).toEqual([25, 100]);
  });

  it('never notes a figure again or lower once it is noted', async () => {
    // Prepare
    const noted: number[] = [];
    const tell = trailingNotes(async (rows) => void noted.push(rows), () => undefined, 0);
    // Act
    for (const rows of [25, 25, 10, 30]) {
      tell(rows);
      await new Promise((resolve) => setImmediate(resolve));
    }
    // Assess
    expect(noted).toEqual([25, 30]);
  });

  it('starts at most one note per interval, the next covering every figure told meanwhile', async () => {
    // Prepare: a clock the test moves
    vi.useFakeTimers();
    try {
      const noted: number[] = [];
      const tell = trailingNotes(async (rows) => void noted.push(rows), () => undefined, 500, () => Date.now());
      // Act
      tell(25);
      await vi.advanceTimersByTimeAsync(0);
      tell(50);
      tell(75);
      await vi.advanceTimersByTimeAsync(499);
      const beforeInterval = [...noted];
      await vi.advanceTimersByTimeAsync(1);
      // Assess
      expect(beforeInterval).toEqual([25]);
      expect(noted).toEqual([25, 75]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('stops after a note fails, reporting it once', async () => {
    // Prepare
    const errors: unknown[] = [];
    let notes = 0;
    const tell = trailingNotes(async () => {
      notes++;
      throw new Error('throttled');
    }, (error) => void errors.push(error), 0);
    // Act
    tell(25);
    await new Promise((resolve) => setImmediate(resolve));
    tell(50);
    await new Promise((resolve) => setImmediate(resolve));
    // Assess
    expect(notes).toBe(1);
    expect(errors).toEqual([new Error('throttled')]);
  });
});

describe('rowsLoadedBefore', () => {
  it('reads part 0 of the noted rows, 0 when none', () => {
    // Act / Assess
    expect(rowsLoadedBefore({ parts_loaded: { '0': 125 } })).toBe(125);
    expect(rowsLoadedBefore({})).toBe(0);
    expect(rowsLoadedBefore(null)).toBe(0);
  });
});
