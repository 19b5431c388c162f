/** What both stages of a scaled-out run share: one epoch per assignment. */
import type { Logger } from '../../core/log.ts';
import { TransactionAborted } from '../../sinks/change-topic-sink.ts';
import { WriteFenced } from '../../sinks/result-sink.ts';
import { AssignmentChanged, type Assignment, type StageConsumer } from '../../sources/stage-consumer.ts';

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
