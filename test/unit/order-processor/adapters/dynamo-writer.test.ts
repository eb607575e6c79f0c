import { describe, expect, it } from 'vitest';
import {
  DynamoBatchWriter,
  isRetryableError,
  MAX_BATCH_SIZE,
  orderAttributes,
  WriteFailedError,
  type WriteItem,
} from '../../../../functions/order-processor/adapters/dynamo-writer.ts';

const item = (id: string | number): WriteItem => ({ order_id: String(id), quantity: 1 });
const keyOf = (i: WriteItem) => String(i.order_id);

/** A fake clock whose sleep advances time, so backoff runs instantly and deterministically. */
function fakeTime() {
  const state = { now: 0, sleeps: [] as number[] };
  return {
    state,
    now: () => state.now,
    sleep: async (ms: number) => {
      state.sleeps.push(ms);
      state.now += ms;
    },
  };
}

function throttling(): Error {
  const e = new Error('Rate exceeded');
  e.name = 'ThrottlingException';
  return e;
}

describe('DynamoBatchWriter', () => {
  it('sends batches of at most 25 and confirms every item', async () => {
    // Prepare
    const batches: WriteItem[][] = [];
    const writer = new DynamoBatchWriter(async (items) => {
      batches.push(items);
      return [];
    }, { keyOf });
    // Act
    for (let i = 0; i < 60; i++) await writer.put(item(i));
    await writer.flush();
    // Assess
    expect(batches.map((b) => b.length)).toEqual([25, 25, 10]);
    expect(writer.written).toBe(60);
    expect(batches.every((b) => b.length <= MAX_BATCH_SIZE)).toBe(true);
  });

  it('tells onConfirmed the items confirmed so far after each answer, without waiting on it', async () => {
    // Prepare: the second answer leaves 5 items unprocessed (retried)
    const told: number[] = [];
    let calls = 0;
    const writer = new DynamoBatchWriter(
      async (items) => {
        calls++;
        return calls === 2 ? items.slice(0, 5) : [];
      },
      { keyOf, concurrency: 1, baseDelayMs: 0, onConfirmed: (confirmed) => void told.push(confirmed) },
    );
    // Act
    for (let i = 0; i < 60; i++) await writer.put(item(i));
    await writer.flush();
    // Assess: 25, then 20 of 25, then the 5 retried, then 10
    expect(told).toEqual([25, 45, 50, 60]);
    expect(writer.written).toBe(60);
  });

  it('never puts the same key twice in one batch (flushes first)', async () => {
    // Prepare
    const batches: WriteItem[][] = [];
    const writer = new DynamoBatchWriter(async (items) => {
      batches.push(items);
      return [];
    }, { keyOf });
    // Act
    await writer.put(item('a'));
    await writer.put(item('b'));
    await writer.put(item('a'));
    await writer.flush();
    // Assess
    expect(batches.map((b) => b.map(keyOf))).toEqual([['a', 'b'], ['a']]);
    for (const b of batches) expect(new Set(b.map(keyOf)).size).toBe(b.length);
  });

  it('keeps at most `concurrency` requests in flight and pauses the producer', async () => {
    // Prepare
    let inFlight = 0;
    let maxInFlight = 0;
    const releases: (() => void)[] = [];
    const writer = new DynamoBatchWriter(
      async () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise<void>((r) => releases.push(r));
        inFlight--;
        return [];
      },
      { keyOf, concurrency: 2 },
    );
    // Act: 3 full batches; the third dispatch must wait for a slot
    for (let i = 0; i < 50; i++) await writer.put(item(i));
    let producerDone = false;
    const third = (async () => {
      // Act / Assess
      for (let i = 50; i < 75; i++) await writer.put(item(i));
      producerDone = true;
    })();
    await new Promise((r) => setTimeout(r, 10));
    // Assess: the producer is blocked while 2 requests are in flight
    expect(producerDone).toBe(false);
    expect(inFlight).toBe(2);
    releases.shift()?.();
    await third;
    expect(producerDone).toBe(true);
    const flushed = writer.flush();
    while (releases.length > 0 || inFlight > 0) {
      releases.shift()?.();
      await new Promise((r) => setTimeout(r, 1));
    }
    await flushed;
    expect(maxInFlight).toBe(2);
    expect(writer.written).toBe(75);
  });

  it('retries UnprocessedItems with full-jitter backoff until all are written', async () => {
    // Prepare
    const time = fakeTime();
    const sent: string[][] = [];
    let calls = 0;
    const writer = new DynamoBatchWriter(
      async (items) => {
        sent.push(items.map(keyOf));
        calls++;
        return calls <= 2 ? items.slice(0, 3) : [];
      },
      { keyOf, sleep: time.sleep, now: time.now, random: () => 0.5, baseDelayMs: 100 },
    );
    // Act
    for (let i = 0; i < 10; i++) await writer.put(item(i));
    await writer.flush();
    // Assess
    expect(writer.written).toBe(10);
    expect(sent.map((s) => s.length)).toEqual([10, 3, 3]);
    expect(time.state.sleeps).toEqual([50, 100]); // random 0.5 × cap (100, 200)
  });

  it('retries throttling errors and counts only confirmed items', async () => {
    // Prepare
    const time = fakeTime();
    let calls = 0;
    const writer = new DynamoBatchWriter(
      async () => {
        calls++;
        if (calls < 4) throw throttling();
        return [];
      },
      { keyOf, sleep: time.sleep, now: time.now, random: () => 1 },
    );
    // Act
    await writer.put(item(1));
    await writer.flush();
    // Assess
    expect(calls).toBe(4);
    expect(writer.written).toBe(1);
  });

  it('gives up with a clear WriteFailedError once the deadline passes', async () => {
    // Prepare
    const time = fakeTime();
    const writer = new DynamoBatchWriter(
      async () => {
        throw throttling();
      },
      { keyOf, sleep: time.sleep, now: time.now, random: () => 1, retryDeadlineMs: 1000, baseDelayMs: 100 },
    );
    // Act
    await writer.put(item(1));
    const result = writer.flush();
    // Assess
    await expect(result).rejects.toThrow(WriteFailedError);
    await expect(result).rejects.toThrow(/did not complete within 1000 ms.*ThrottlingException/);
    expect(time.state.now).toBeLessThanOrEqual(1000);
    expect(writer.written).toBe(0);
  });

  it('fails at once on a non-retryable error and reports it on the next put', async () => {
    // Prepare
    const writer = new DynamoBatchWriter(
      async () => {
        const e = new Error('Requested resource not found');
        e.name = 'ResourceNotFoundException';
        throw e;
      },
      { keyOf },
    );
    // Act
    for (let i = 0; i < 25; i++) await writer.put(item(i));
    await new Promise((r) => setTimeout(r, 5));
    // Assess
    await expect(writer.put(item('x'))).rejects.toThrow(/non-retryable.*ResourceNotFoundException/);
  });
});

describe('isRetryableError', () => {
  it.each([
    [Object.assign(new Error('x'), { name: 'ThrottlingException' }), true],
    [Object.assign(new Error('x'), { name: 'ProvisionedThroughputExceededException' }), true],
    [Object.assign(new Error('x'), { $fault: 'server' }), true],
    [Object.assign(new Error('x'), { $metadata: { httpStatusCode: 503 } }), true],
    [Object.assign(new Error('x'), { code: 'ECONNRESET' }), true],
    [Object.assign(new Error('x'), { name: 'ValidationException', $fault: 'client' }), false],
    ['string', false],
  ])('%o → %s', (error, expected) => {
    // Act / Assess
    expect(isRetryableError(error)).toBe(expected);
  });
});

describe('orderAttributes', () => {
  it('writes strings as S, numbers as N in their shortest exact text and booleans as BOOL, leaving out undefined', () => {
    // Act
    const attributes = orderAttributes({ order_id: 'A-1', quantity: 3, unit_price: 19.99, total_amount: 59.97, source_line: 2, customer_name: undefined, note: '', gift: false });
    // Assess
    expect(attributes).toEqual({
      order_id: { S: 'A-1' },
      quantity: { N: '3' },
      unit_price: { N: '19.99' },
      total_amount: { N: '59.97' },
      source_line: { N: '2' },
      note: { S: '' },
      gift: { BOOL: false },
    });
  });

  it.each([
    [{ order_id: 'A-1', tags: ['x'] }, /attribute tags is a object; an order item holds strings, numbers and booleans only/],
    [{ order_id: 'A-1', quantity: Number.NaN }, /attribute quantity is NaN; expected a finite number/],
    [{ order_id: 'A-1', quantity: Infinity }, /attribute quantity is Infinity/],
    [{ order_id: 'A-1', total_amount: 2 ** 53 + 2 }, /attribute total_amount is 9007199254740994; expected a finite number within ±2\^53/],
  ])('refuses what lib-dynamodb would refuse or an order never holds (%o)', (item, message) => {
    // Act / Assess
    expect(() => orderAttributes(item)).toThrow(message);
  });
});
