import { describe, expect, it, vi } from 'vitest';
import { retryTransient, RetryStopped, sleepFor, type RetryOptions } from '../../src/sinks/retry.ts';

class Transient extends Error {}
const isTransient = (error: unknown): boolean => error instanceof Transient;

/** Retry options in virtual time: waits are recorded and advance the clock at once. */
function virtualTime(extra: Partial<RetryOptions> = {}): { options: RetryOptions; delays: number[]; retried: number[]; recovered: [number, number][] } {
  const delays: number[] = [], retried: number[] = [], recovered: [number, number][] = [];
  let now = 1_000;
  const options: RetryOptions = {
    sleep: async (ms) => void (delays.push(ms), (now += ms)),
    clock: () => now,
    onRetry: (_error, attempt) => retried.push(attempt),
    onRecovered: (attempts, downMs) => recovered.push([attempts, downMs]),
    ...extra,
  };
  return { options, delays, retried, recovered };
}

/** An operation that fails transiently `failures` times, then answers. */
function failingTimes(failures: number): () => Promise<string> {
  let calls = 0;
  return async () => {
    calls += 1;
    if (calls <= failures) throw new Transient(`down (${calls})`);
    return 'written';
  };
}

describe('the retry schedule, in virtual time', () => {
  it('waits 200 ms doubling up to 5 s between attempts, and says how long it was down once it succeeds', async () => {
    const { options, delays, retried, recovered } = virtualTime();
    await expect(retryTransient(failingTimes(9), isTransient, options)).resolves.toBe('written');
    expect(delays).toEqual([200, 400, 800, 1600, 3200, 5000, 5000, 5000, 5000]);
    expect(retried).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(recovered).toEqual([[10, delays.reduce((a, b) => a + b, 0)]]);
  });

  it('takes its first wait and its cap from the options', async () => {
    const { options, delays } = virtualTime({ initialDelayMs: 50, maxDelayMs: 300 });
    await retryTransient(failingTimes(5), isTransient, options);
    expect(delays).toEqual([50, 100, 200, 300, 300]);
  });

  it('throws a failure that is not transient at once, without waiting', async () => {
    const { options, delays } = virtualTime();
    const broken = async (): Promise<never> => {
      throw new RangeError('Cannot write: column too long');
    };
    await expect(retryTransient(broken, isTransient, options)).rejects.toThrow(RangeError);
    expect(delays).toEqual([]);
  });

  it('stops with the number of attempts made and the last error when the signal aborts during a wait', async () => {
    const stop = new AbortController();
    const { options, delays } = virtualTime({ signal: stop.signal });
    const waits = options.sleep!;
    const stopping: RetryOptions = { ...options, sleep: async (ms, signal) => (await waits(ms, signal), delays.length === 3 ? stop.abort() : undefined) };
    const failure = await retryTransient(failingTimes(100), isTransient, stopping).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RetryStopped);
    expect((failure as RetryStopped).attempts).toBe(3);
    expect(String((failure as RetryStopped).cause)).toMatch(/down \(3\)/);
  });

  it('ends a wait early when the signal aborts, with no time passing', async () => {
    vi.useFakeTimers();
    try {
      const stop = new AbortController();
      let over = false;
      const waiting = sleepFor(60_000, stop.signal).then(() => (over = true));
      await Promise.resolve();
      expect(over).toBe(false);
      stop.abort();
      await waiting;
      expect(over).toBe(true);
      expect(vi.getTimerCount()).toBe(0); // its timer went with it
    } finally {
      vi.useRealTimers();
    }
  });
});
