import { describe, expect, it } from 'vitest';
import { coalescedNotes, rowsSentBefore } from '../../../../functions/order-processor/pipeline/rows-sent.ts';

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

describe('coalescedNotes', () => {
  it('keeps one note in flight; the next covers every batch queued meanwhile, and each batch waits for a note that covers it', async () => {
    // Prepare
    const slow = slowNotes();
    const beforeSend = coalescedNotes(slow.note);
    const released: number[] = [];
    const batch = (rows: number) => void beforeSend(rows).then(() => released.push(rows));
    // Act: batch 25 starts a note; 50, 75 and 100 are queued while it is in flight
    batch(25);
    await new Promise((resolve) => setImmediate(resolve));
    batch(50);
    batch(75);
    batch(100);
    await slow.land();
    const afterFirst = [...released];
    await slow.land();
    // Assess
    expect(slow.noted).toEqual([25, 100]);
    expect(afterFirst).toEqual([25]);
    expect(released).toEqual([25, 50, 75, 100]);
  });

  it('never notes a figure again or lower once it is noted', async () => {
    // Prepare
    const noted: number[] = [];
    const beforeSend = coalescedNotes(async (rows) => void noted.push(rows));
    // Act
    await beforeSend(25);
    await beforeSend(25);
    await beforeSend(10);
    await beforeSend(30);
    // Assess
    expect(noted).toEqual([25, 30]);
  });

  it('rejects every batch waiting on a note that failed', async () => {
    // Prepare
    const beforeSend = coalescedNotes(async () => Promise.reject(new Error('throttled')));
    // Act / Assess
    await expect(beforeSend(25)).rejects.toThrow('throttled');
    await expect(beforeSend(50)).rejects.toThrow('throttled');
  });
});

describe('rowsSentBefore', () => {
  it('reads part 0 of the noted rows, 0 when none', () => {
    // Act / Assess
    expect(rowsSentBefore({ parts_loaded: { '0': 125 } })).toBe(125);
    expect(rowsSentBefore({})).toBe(0);
    expect(rowsSentBefore(null)).toBe(0);
  });
});
