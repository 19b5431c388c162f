/** Retrying an operation through transient failures, with exponential backoff. */

/** Options of {@link retryTransient}. */
export interface RetryOptions {
  /** The wait after the first failure, ms; it doubles after each further failure. Default: 200. */
  readonly initialDelayMs?: number;
  /** The longest wait between two attempts, ms. Default: 5000. */
  readonly maxDelayMs?: number;
  /** When aborted, no further attempt is made (a wait under way ends early). Default: never. */
  readonly signal?: AbortSignal;
  /** Before each wait: the transient error, the number of the attempt that failed (1 = the first), the wait. */
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** After failures, when an attempt succeeds: the attempts made in all, ms from the first failure to the success. */
  readonly onRecovered?: (attempts: number, downMs: number) => void;
  /** Waits `ms`, or less once the signal aborts. Default: a setTimeout. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Now, ms, for `downMs` of onRecovered. Default: performance.now(). */
  readonly clock?: () => number;
}

/** The failure of a retried operation whose retries were stopped by the signal. */
export class RetryStopped extends Error {
  /** @param attempts the attempts made, all failed; @param cause the last error. */
  constructor(
    readonly attempts: number,
    override readonly cause: unknown,
  ) {
    super(`stopped retrying after ${attempts} failed attempts`);
    this.name = 'RetryStopped';
  }
}

/**
 * Runs `attempt` until it succeeds; a failure that `isTransient` accepts is retried after an
 * exponentially growing wait, any other failure is thrown at once. Throws {@link RetryStopped}
 * when the signal stops the retries.
 */
export async function retryTransient<T>(attempt: () => Promise<T>, isTransient: (error: unknown) => boolean, options: RetryOptions = {}): Promise<T> {
  const { initialDelayMs = 200, maxDelayMs = 5000, signal, onRetry, onRecovered, sleep = sleepFor, clock = () => performance.now() } = options;
  const stopped = (): boolean => signal?.aborted === true;
  let failures = 0;
  let firstFailureAt = 0;
  for (;;) {
    try {
      const result = await attempt();
      if (failures > 0) onRecovered?.(failures + 1, clock() - firstFailureAt);
      return result;
    } catch (error) {
      if (!isTransient(error)) throw error;
      if (failures === 0) firstFailureAt = clock();
      failures += 1;
      if (stopped()) throw new RetryStopped(failures, error);
      const delayMs = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.min(failures - 1, 30));
      onRetry?.(error, failures, delayMs);
      await sleep(delayMs, signal);
      if (stopped()) throw new RetryStopped(failures, error);
    }
  }
}

/** Resolves after `ms`, or as soon as the signal aborts. */
export function sleepFor(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
