/**
 * Stage 1 of a scaled-out run, for the orders partitions this instance owns: parse, filter,
 * dedupe by `order_id`, and send the retract/insert changes to the changes topic, keyed by
 * group, in Kafka transactions that also commit the orders' offsets.
 */
import type { Logger } from '../core/log.ts';
import { lastValueFrom, mergeMap, tap, type SchedulerLike } from 'rxjs';
import { createCounters, type PipelineCounters } from '../core/batch.ts';
import type { DaySelection } from '../core/business-day.ts';
import { createDedupeState, trackedOrders, type Contribution, type DedupeState } from '../core/dedupe-state.ts';
import { partitionsToRebuild } from '../core/partition-positions.ts';
import { byPartition, partitionLane, type PartitionLane } from '../operators/by-partition.ts';
import { formatCount, formatDuration } from '../core/format.ts';
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
  readonly log: Logger;
  /** Called once with a reading of how many orders this stage's states track now (for /metrics). Default: none. */
  readonly exposeState?: (trackedOrders: () => number) => void;
  /** Time for "today" and reject stamps. Default: asyncScheduler. */
  readonly scheduler?: SchedulerLike;
}

/** The state of one orders partition, kept from one rebalance to the next. */
interface PartitionState {
  /** The live lane: its counters are the run's. */
  readonly lane: PartitionLane<Contribution>;
  /** The same state fed while it is rebuilt: nothing counted, nothing sent. */
  readonly rebuild: PartitionLane<Contribution>;
  /** The next offset this state has not seen. */
  next: number;
  readonly dedupeState: DedupeState;
}

/** Runs the dedupe stage until the signal aborts. */
export async function runDedupeStage(options: DedupeStageOptions): Promise<void> {
  const { brokers, ordersTopic, changesTopic, group, instanceId, signal, log, counters } = options;
  let inFlight = (): Promise<void> => Promise.resolve();
  // The partitions are let go only once the transactions in flight are done: committing the
  // offsets of a partition another instance already reads from would count its orders twice.
  const consumer = await stageConsumer({ brokers, topic: ordersTopic, group, instanceId, log, counters, beforeRevoke: () => inFlight() });
  const sink = await changeTopicSink({ brokers, changesTopic, ordersTopic, transactionalId: `${group}-${instanceId}`, counters });
  // Per partition, so that a rebalance rebuilds only the partitions that are new to this
  // instance (or that someone else moved on meanwhile), not all of them.
  const states = new Map<number, PartitionState>();
  const newState = (): PartitionState => {
    const dedupeState = createDedupeState();
    return {
      lane: partitionLane(dedupeStage({ ...options, dedupeState, announceState: false })),
      rebuild: partitionLane(dedupeStage({ ...options, counters: createCounters(), dedupeState, announceState: false })),
      next: 0,
      dedupeState,
    };
  };
  options.exposeState?.(() => [...states.values()].reduce((sum, state) => sum + trackedOrders(state.dedupeState), 0));
  try {
    await forEachAssignment(
      consumer,
      signal,
      async (assignment) => {
        const began = performance.now();
        const from = await consumer.committed(assignment.partitions);
        for (const partition of states.keys()) if (!assignment.partitions.includes(partition)) states.delete(partition);
        const stale = partitionsToRebuild(new Map([...states].map(([partition, state]) => [partition, state.next])), assignment.partitions, from);
        for (const partition of stale) states.set(partition, newState());
        const upTo = new Map(stale.map((partition) => [partition, (from.get(partition) ?? 0) - 1]));
        const lanesOf = (pick: (state: PartitionState) => PartitionLane<Contribution>): Map<number, PartitionLane<Contribution>> =>
          new Map([...states].map(([partition, state]) => [partition, pick(state)]));
        let replayed = 0;
        await lastValueFrom(replayPartitions({ brokers, topic: ordersTopic, upTo }).pipe(tap((batch) => (replayed += batch.items.length)), byPartition(lanesOf((state) => state.rebuild))), { defaultValue: undefined });
        for (const partition of stale) states.get(partition)!.next = from.get(partition) ?? 0;
        if (consumer.assignment().generation !== assignment.generation) throw new AssignmentChanged(ordersTopic);
        const kept = assignment.partitions.filter((partition) => !stale.includes(partition));
        log.info(
          `dedupe stage owns ${ordersTopic} partitions ${assignment.partitions.join(', ')}; ` +
            `state rebuilt from ${formatCount(replayed)} messages in ${formatDuration(performance.now() - began)}${kept.length > 0 ? ` (kept: ${kept.join(', ')})` : ''}`,
        );
        const writes = boundedWrites();
        inFlight = () => writes.settled();
        try {
          await lastValueFrom(
            consumer.batches(assignment, from, () => writes.ready(), signal).pipe(
              tap((batch) => {
                for (const { partition, offset } of batch.progress) states.get(partition)!.next = offset + 1;
              }),
              byPartition(lanesOf((state) => state.lane)),
              mergeMap((batch) =>
                writes.run(async () => {
                  if (consumer.assignment().generation !== assignment.generation) throw new AssignmentChanged(ordersTopic);
                  await sink.write(batch, consumer.client);
                }),
              ),
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
