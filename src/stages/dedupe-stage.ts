/**
 * Stage 1 of a scaled-out run, for the orders partitions this instance owns: parse, filter,
 * dedupe by `order_id`, and send the retract/insert changes to the changes topic, keyed by
 * group, in Kafka transactions that also commit the orders' offsets.
 */
import { lastValueFrom, mergeMap, type SchedulerLike } from 'rxjs';
import { createCounters, type PipelineCounters } from '../core/batch.ts';
import type { DaySelection } from '../core/business-day.ts';
import { createDedupeState } from '../core/dedupe-state.ts';
import { formatCount, formatDuration } from '../cli/format.ts';
import { dedupeStage } from '../pipeline.ts';
import { changeTopicSink } from '../sinks/change-topic-sink.ts';
import { replayPartitions } from '../sources/partition-replay.ts';
import { AssignmentChanged, stageConsumer } from '../sources/stage-consumer.ts';
import { boundedWrites, forEachAssignment } from './epochs.ts';

/** Options of {@link runDedupeStage}. */
export interface DedupeStageOptions {
  readonly brokers: string;
  readonly ordersTopic: string;
  readonly changesTopic: string;
  /** The consumer group of this stage. */
  readonly group: string;
  /** This instance's id: its static group membership and its transactional id. */
  readonly instanceId: string;
  readonly days: DaySelection;
  readonly zone: string;
  readonly counters: PipelineCounters;
  readonly signal: AbortSignal;
  readonly log: (line: string) => void;
  /** Time for "today" and reject stamps. Default: asyncScheduler. */
  readonly scheduler?: SchedulerLike;
}

/** Runs the dedupe stage until the signal aborts. */
export async function runDedupeStage(options: DedupeStageOptions): Promise<void> {
  const { brokers, ordersTopic, changesTopic, group, instanceId, counters, signal, log } = options;
  const consumer = await stageConsumer({ brokers, topic: ordersTopic, group, instanceId, log });
  const sink = await changeTopicSink({ brokers, changesTopic, ordersTopic, transactionalId: `${group}-${instanceId}` });
  try {
    await forEachAssignment(
      consumer,
      signal,
      async (assignment) => {
        const began = performance.now();
        const from = await consumer.committed(assignment.partitions);
        // The state of these partitions is a function of what was read of them: read it again.
        const dedupeState = createDedupeState();
        const replay = createCounters();
        const upTo = new Map([...from].map(([partition, next]) => [partition, next - 1]));
        await lastValueFrom(replayPartitions({ brokers, topic: ordersTopic, upTo }).pipe(dedupeStage({ ...options, counters: replay, dedupeState, announceState: false })), { defaultValue: undefined });
        if (consumer.assignment().generation !== assignment.generation) throw new AssignmentChanged(ordersTopic);
        log(`tradeflow: dedupe stage owns ${ordersTopic} partitions ${assignment.partitions.join(', ')}; state rebuilt from ${formatCount(replay.read)} messages in ${formatDuration(performance.now() - began)}`);
        const writes = boundedWrites();
        try {
          await lastValueFrom(
            consumer.batches(assignment, from, () => writes.ready(), signal).pipe(
              dedupeStage({ ...options, dedupeState, announceState: false }),
              mergeMap((batch) => writes.run(() => sink.write(batch, consumer.client))),
            ),
            { defaultValue: undefined },
          );
        } finally {
          await writes.settled(); // the next epoch reads the committed offsets: none may be in flight
        }
      },
      log,
    );
  } finally {
    await consumer.close();
    await sink.close();
  }
}
