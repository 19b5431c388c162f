/** What both stages of a scaled-out run share: one epoch per assignment, and bounded writes. */
import type { Logger } from '../core/log.ts';
import { TransactionAborted } from '../sinks/change-topic-sink.ts';
import { WriteFenced } from '../sinks/result-sink.ts';
import { AssignmentChanged, type Assignment, type StageConsumer } from '../sources/stage-consumer.ts';

/**
 * Runs `epoch` for each assignment of the consumer until the signal aborts. An epoch ends when
 * the partitions move, or when a write finds they moved (an aborted transaction, a fenced
 * flush): then nothing of it counts past what was committed, and the next epoch rebuilds the
 * state of the partitions it owns from the log.
 */
export async function forEachAssignment(consumer: StageConsumer, signal: AbortSignal, epoch: (assignment: Assignment) => Promise<void>, log: Logger): Promise<void> {
  while (!signal.aborted) {
    const assignment = await consumer.assigned(signal);
    if (signal.aborted) return;
    try {
      await epoch(assignment);
    } catch (error) {
      if (!(error instanceof AssignmentChanged || error instanceof TransactionAborted || error instanceof WriteFenced)) throw error;
      log.info(`${error.message}; rebuilding the state of the partitions owned now`);
    }
  }
}

/** Writes that may run while the next batch is read, at most `max` at a time. */
export interface BoundedWrites {
  /** Resolves when another write may start; a source waits for it before it reads on. */
  ready(): Promise<void>;
  /** Runs a write after the others; once one fails, the later ones fail with it unrun (no gaps). */
  run(write: () => Promise<void>): Promise<void>;
  /** Resolves when every write started has finished, failed or not. */
  settled(): Promise<void>;
}

/** Bounded, ordered writes: the source reads the next batch while at most `max` wait. */
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
