/** Bounded, ordered writes: what every runtime uses to write while the source reads on. */

/** Writes that may run while the next batch is read, at most `max` at a time. */
export interface BoundedWrites {
  /** Resolves when another write may start; a source waits for it before it reads on. */
  ready(): Promise<void>;
  /** Runs a write after the others; once one fails, the later ones fail with it unrun (no gaps). */
  run(write: () => Promise<void>): Promise<void>;
  /** Resolves when every write started has finished, failed or not. */
  settled(): Promise<void>;
}

/** Bounded, ordered writes: the source reads the next batch while at most `max` (default 2) wait. */
export function boundedWrites(max = 2): BoundedWrites {
  let last: Promise<void> = Promise.resolve();
  const pending: Promise<unknown>[] = [];
  return {
    ready: async () => {
      while (pending.length >= max) await Promise.race(pending).catch(() => {});
    },
    run: (write) => {
      const done = last.then(write);
      last = done;
      const tracked = done.finally(() => pending.splice(pending.indexOf(tracked), 1));
      tracked.catch(() => {});
      pending.push(tracked);
      return done;
    },
    settled: () => last.then(() => undefined, () => undefined),
  };
}
