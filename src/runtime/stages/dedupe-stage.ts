/**
 * Stage 1 of a scaled-out run, for the orders partitions this instance owns: parse, filter,
 * dedupe by `order_id`, and send the retract/insert changes to the changes topic, keyed by
 * group, in Kafka transactions that also commit the orders' offsets.
 */
import { asyncScheduler, lastValueFrom, map, tap, type SchedulerLike } from 'rxjs';
import { createCounters, type Batch, type PipelineCounters, type RawRecord } from '../../core/batch.ts';
import type { Logger } from '../../core/log.ts';
import type { DaySelection } from '../../core/business-day.ts';
import { createDedupeState, trackedOrders, type Contribution, type DedupeState } from '../../core/dedupe-state.ts';
import { captureDedupe, encodeCapture, restoreDedupe, type DedupeCapture } from '../../core/dedupe-snapshot.ts';
import { partitionsToRebuild } from '../../core/partition-positions.ts';
import { asNextOffset, START, type NextOffset } from '../../core/positions.ts';
import type { MessageReader } from '../../core/change-envelope.ts';
import type { ChannelMap } from '../../core/channel.ts';
import type { FeedCheck } from '../../core/feed-check.ts';
import { snapshotToRestore } from '../../core/partition-snapshot.ts';
import { stateFingerprint } from '../../core/state-fingerprint.ts';
import { partitionCount } from '../../kafka/topics.ts';
import { byPartition, partitionLane, type PartitionLane } from '../../operators/by-partition.ts';
import { formatCount, formatDuration } from '../../core/format.ts';
import { dedupeStage } from '../../pipeline.ts';
import { changeTopicSink } from '../../sinks/change-topic-sink.ts';
import { replayPartitions } from '../../sources/partition-replay.ts';
import { AssignmentChanged, stageConsumer, type Assignment } from '../../sources/stage-consumer.ts';
import { boundedWrites } from '../bounded-writes.ts';
import { runTask } from '../task.ts';
import { forEachAssignment } from './epochs.ts';
import { partitionSnapshots, snapshotsTopicOf, type FoundSnapshots } from './partition-snapshots.ts';

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
  /** Reads each message: the shop's layout and format. Default: the tutorial's JSON orders. */
  readonly read?: MessageReader;
  /** The shop's channels, which key each change by its group. Default: the tutorial's. */
  readonly channels?: ChannelMap;
  /** Judges the first messages this instance reads live (never those it reads again). Default: none. */
  readonly feedCheck?: FeedCheck;
  /**
   * How often the state of each owned partition is snapshotted (and at a revoke and a clean
   * stop), so that its next owner replays only the tail of its log. Default: 60,000 ms; 0: never,
   * a moved partition is rebuilt from its whole log.
   */
  readonly snapshotIntervalMs?: number;
  /** Where the snapshots go. Default: `<group>-snapshots`. */
  readonly snapshotsTopic?: string;
  /** Called inside each transaction (the fault specs' hook, see `changeTopicSink`). Default: nothing. */
  readonly inside?: (step: 'changes') => void | Promise<void>;
  /** How many partitions the orders topic has, when the caller asked already. Default: asked of the broker (one more client). */
  readonly ordersPartitions?: number;
}

/** The state of one orders partition, kept from one rebalance to the next. */
interface PartitionState {
  /** The live lane: its counters are the run's. */
  readonly lane: PartitionLane<Contribution>;
  /** The same state fed while it is rebuilt: nothing counted, nothing sent. */
  readonly rebuild: PartitionLane<Contribution>;
  /** The next offset this state has not seen. */
  next: NextOffset;
  /** The next offset this instance's last committed transaction covers (where `next` agrees with the log). */
  written: NextOffset;
  /** The position of its newest snapshot (saved or restored); -1 when none. */
  saved: number;
  /** The slot of that snapshot: the next one goes into the other. */
  slot: 0 | 1;
  readonly dedupeState: DedupeState;
}

/** A partition's state copied at a point where it agrees with its position, to be saved after the write that covers it. */
interface Capture {
  readonly partition: number;
  readonly state: PartitionState;
  readonly position: number;
  readonly orders: number;
  readonly copy: DedupeCapture;
}

/**
 * Saving a snapshot costs about a tenth of what reading a message again costs, per order (both
 * measured on this machine): at a revoke, a partition is saved only when its tail since its
 * newest snapshot is at least a tenth of the orders it tracks.
 */
const REVOKE_SAVE_TAIL = 10;

/** Runs the dedupe stage until the signal aborts. */
export async function runDedupeStage(options: DedupeStageOptions): Promise<void> {
  const { brokers, ordersTopic, changesTopic, group, instanceId, signal, log, counters, snapshotIntervalMs = 60_000 } = options;
  const now = (): number => (options.scheduler ?? asyncScheduler).now();
  // What else than the log a state depends on: a snapshot taken for other days is not used (it keeps raw order_channel values: no channel map).
  const fingerprint = stateFingerprint(options.days);
  const snapshots = snapshotIntervalMs > 0 ? await partitionSnapshots(brokers, options.snapshotsTopic ?? snapshotsTopicOf(group), options.ordersPartitions ?? (await partitionCount(brokers, ordersTopic)), (line) => log.info(line, { topic: options.snapshotsTopic ?? snapshotsTopicOf(group) })) : undefined;
  // Per partition, so that a rebalance rebuilds only the partitions that are new to this
  // instance (or that someone else moved on meanwhile), not all of them.
  const states = new Map<number, PartitionState>();
  let owned: readonly number[] = [];
  let saving: Promise<void> = Promise.resolve();
  let lastSaveAt = now();
  /** Copies the states that moved on since their snapshot; only where state and position agree. */
  const capture = (partitions: readonly number[], agreed: (state: PartitionState) => boolean): Capture[] =>
    partitions.flatMap((partition) => {
      const state = states.get(partition);
      if (state === undefined || state.next === state.saved || !agreed(state)) return [];
      return [{ partition, state, position: state.next, orders: trackedOrders(state.dedupeState), copy: captureDedupe(state.dedupeState) }];
    });
  /** Saves captures one after the other; a failure is told and left for the next interval. */
  const save = async (captures: readonly Capture[]): Promise<{ orders: number; ms: number }> => {
    const began = performance.now();
    let orders = 0;
    for (const { partition, state, position, orders: count, copy } of captures) {
      const slot = state.slot === 0 ? 1 : 0;
      try {
        await snapshots!.save({ partition, position, orders: count, fingerprint, slot }, await encodeCapture(copy));
        if (position > state.saved) Object.assign(state, { saved: position, slot });
        orders += count;
      } catch (error) {
        log.warn(`cannot save the snapshot of ${ordersTopic} partition ${partition} (${error instanceof Error ? error.message : String(error)}); a moved partition replays more of its log until the next one`, { topic: ordersTopic, partition });
      }
    }
    return { orders, ms: performance.now() - began };
  };
  /**
   * At a revoke or a clean stop, after the last write: a snapshot of the owned partitions exactly
   * where they were written. At a revoke the whole group waits for it, so a partition whose newest
   * snapshot is close behind is left as it is: its next owner reads the short tail faster than
   * this instance would save the state (REVOKE_SAVE_TAIL).
   */
  const saveOwned = async (why: 'revoke' | 'stop'): Promise<void> => {
    await saving;
    if (snapshots === undefined) return;
    const worth = (state: PartitionState): boolean => why === 'stop' || state.saved < 0 || (state.next - state.saved) * REVOKE_SAVE_TAIL >= trackedOrders(state.dedupeState);
    const captures = capture(owned, (state) => state.next === state.written && worth(state));
    if (captures.length === 0) return;
    const { orders, ms } = await save(captures);
    lastSaveAt = now();
    log.info(`dedupe stage saved the snapshots of partitions ${captures.map((c) => c.partition).join(', ')} (${formatCount(orders)} orders) in ${formatDuration(ms)}${why === 'revoke' ? ' before letting them go' : ''}`, { topic: ordersTopic, partitions: captures.map((c) => c.partition), orders, durationMs: ms });
  };
  let inFlight = (): Promise<void> => Promise.resolve();
  // The partitions are let go only once the transactions in flight are done: committing the
  // offsets of a partition another instance already reads from would count its orders twice.
  // Then their snapshots are saved, so that their next owner replays nothing of their logs.
  const consumer = await stageConsumer({ brokers, topic: ordersTopic, group, instanceId, log, counters, beforeRevoke: () => inFlight().then(() => saveOwned('revoke')) });
  const sink = await changeTopicSink({ brokers, changesTopic, ordersTopic, transactionalId: `${group}-${instanceId}`, counters, ...(options.channels && { channels: options.channels }), ...(options.inside && { inside: options.inside }) });
  const newState = (dedupeState = createDedupeState()): PartitionState => ({
    lane: partitionLane(dedupeStage({ ...options, dedupeState })),
    rebuild: partitionLane(dedupeStage({ ...withoutFeedCheck(options), counters: createCounters(), dedupeState })),
    next: START,
    written: START,
    saved: -1,
    slot: 1,
    dedupeState,
  });
  /** Each owned partition's lane, the live or the rebuilding one. */
  const lanesOf = (pick: (state: PartitionState) => PartitionLane<Contribution>): Map<number, PartitionLane<Contribution>> =>
    new Map([...states].map(([partition, state]) => [partition, pick(state)]));
  /**
   * Brings the states of the partitions new to this instance (or moved on by someone else) to
   * their committed offsets: from their newest usable snapshot, then the tail of their log.
   */
  const rebuild = async (assignment: Assignment, from: ReadonlyMap<number, NextOffset>, began: number): Promise<void> => {
    for (const partition of states.keys()) if (!assignment.partitions.includes(partition)) states.delete(partition);
    const stale = partitionsToRebuild(new Map([...states].map(([partition, state]) => [partition, state.next])), assignment.partitions, from);
    const found = snapshots === undefined ? new Map<number, FoundSnapshots>() : await snapshots.load(stale.filter((partition) => (from.get(partition) ?? 0) > 0));
    const restoredFrom = new Map<number, { position: number; orders: number }>();
    const unusable = new Map<number, string>();
    for (const partition of stale) {
      const committed = from.get(partition) ?? 0;
      const choice = found.has(partition) ? restorable(found.get(partition)!, committed, fingerprint) : undefined;
      if (choice?.state === undefined) {
        states.set(partition, newState());
        if (choice !== undefined) unusable.set(partition, choice.reason);
        continue;
      }
      const state = newState(choice.state);
      Object.assign(state, { next: choice.position, saved: choice.position, slot: choice.slot });
      states.set(partition, state);
      restoredFrom.set(partition, { position: choice.position, orders: trackedOrders(choice.state) });
    }
    const until = new Map(stale.map((partition) => [partition, from.get(partition) ?? START]));
    const replayedOf = new Map<number, number>();
    let replayed = 0;
    await lastValueFrom(
      replayPartitions({ brokers, topic: ordersTopic, until, from: new Map([...restoredFrom].map(([partition, { position }]) => [partition, asNextOffset(position)])) }).pipe(
        tap((batch) => {
          replayed += batch.items.length;
          for (const { partition } of batch.items) replayedOf.set(partition, (replayedOf.get(partition) ?? 0) + 1);
        }),
        byPartition(lanesOf((state) => state.rebuild)),
      ),
      { defaultValue: undefined },
    );
    for (const partition of stale) Object.assign(states.get(partition)!, { next: from.get(partition) ?? START, written: from.get(partition) ?? START });
    if (consumer.assignment().generation !== assignment.generation) throw new AssignmentChanged(ordersTopic);
    const took = formatDuration(performance.now() - began);
    for (const [partition, { position, orders }] of restoredFrom) {
      log.info(`restored ${ordersTopic} partition ${partition} from snapshot at offset ${position} (${formatCount(orders)} orders), replayed ${formatCount(replayedOf.get(partition) ?? 0)} messages in ${took}`, { topic: ordersTopic, partition, offset: position, orders, replayed: replayedOf.get(partition) ?? 0 });
    }
    for (const [partition, reason] of unusable) {
      log.warn(`cannot restore ${ordersTopic} partition ${partition} from a snapshot (${reason}); rebuilt it from its log, ${formatCount(replayedOf.get(partition) ?? 0)} messages`, { topic: ordersTopic, partition, replayed: replayedOf.get(partition) ?? 0 });
    }
    const kept = assignment.partitions.filter((partition) => !stale.includes(partition));
    log.info(
      `dedupe stage owns ${ordersTopic} partitions ${assignment.partitions.join(', ')}; ` +
        `state rebuilt from ${formatCount(replayed)} messages in ${took}${kept.length > 0 ? ` (kept: ${kept.join(', ')})` : ''}`,
    );
  };
  options.exposeState?.(() => [...states.values()].reduce((sum, state) => sum + trackedOrders(state.dedupeState), 0));
  let stoppedCleanly = false;
  try {
    await forEachAssignment(
      consumer,
      signal,
      async (assignment) => {
        const began = performance.now();
        const from = await consumer.committed(assignment.partitions);
        owned = assignment.partitions;
        const writes = boundedWrites();
        inFlight = () => writes.settled();
        await runTask<RawRecord, { batch: Batch<Contribution>; captures: readonly Capture[] }>(
          {
            restore: () => rebuild(assignment, from, began),
            step: (batches) =>
              batches.pipe(
                tap((batch) => {
                  for (const { partition, next } of batch.progress) states.get(partition)!.next = next;
                }),
                byPartition(lanesOf((state) => state.lane)),
                // Now, between two batches, every state agrees with its position: the moment to copy them.
                map((batch) => ({ batch, captures: snapshots !== undefined && now() - lastSaveAt >= snapshotIntervalMs ? ((lastSaveAt = now()), capture(assignment.partitions, () => true)) : [] })),
              ),
            write: async ({ batch }) => {
              if (consumer.assignment().generation !== assignment.generation) throw new AssignmentChanged(ordersTopic);
              await sink.write(batch, consumer.client);
              for (const { partition, next } of batch.progress) states.get(partition)!.written = next;
            },
            // Saved only once the transaction that covers them has committed: a snapshot is never past the committed offset.
            commit: ({ captures }) => {
              if (captures.length === 0) return;
              saving = saving.then(() => save(captures).then(({ orders, ms }) => log.info(`dedupe stage saved the snapshots of partitions ${captures.map((c) => c.partition).join(', ')} (${formatCount(orders)} orders) in ${formatDuration(ms)}`, { topic: ordersTopic, partitions: captures.map((c) => c.partition), orders, durationMs: ms })));
            },
          },
          (flow) => consumer.batches(assignment, from, flow.ready, flow.signal),
          { signal, writes }, // the next epoch reads the committed offsets: none may be in flight when it ends
        );
      },
      log,
    );
    stoppedCleanly = true;
  } finally {
    if (stoppedCleanly) await saveOwned('stop');
    await saving;
    await consumer.close();
    await sink.close();
    await snapshots?.close();
  }
}

/** The state of a partition from its newest usable snapshot, or why there is none. */
function restorable(found: FoundSnapshots, committed: number, fingerprint: string): { state: DedupeState; position: number; slot: 0 | 1 } | { state?: undefined; reason: string } {
  const choice = snapshotToRestore(found.snapshots, found.broken, committed, fingerprint);
  if (choice.snapshot === undefined) return { reason: choice.reason };
  try {
    return { state: restoreDedupe(choice.snapshot.body), position: choice.snapshot.meta.position, slot: choice.snapshot.meta.slot };
  } catch (error) {
    return { reason: `its snapshot does not read: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** The options without the feed check: what a state rebuilt from the log is fed, which is no news about the feed. */
function withoutFeedCheck({ feedCheck: _judged, ...options }: DedupeStageOptions): Omit<DedupeStageOptions, 'feedCheck'> {
  return options;
}
