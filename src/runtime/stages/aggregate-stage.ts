/**
 * Stage 2 of a scaled-out run, for the changes partitions this instance owns: the per-channel,
 * per-day aggregate of the groups those partitions carry, flushed into the result table with
 * the offsets it covers, fenced so that only a partition's owner writes its groups; now and then
 * with a snapshot of each partition's groups in the same transaction (and at a revoke and a clean
 * stop in a fenced transaction of its own), which a new owner restores.
 */
import type { Logger } from '../../core/log.ts';
import type { ChannelMap } from '../../core/channel.ts';
import type { Knex } from 'knex';
import { asyncScheduler, concat, map, tap, type SchedulerLike } from 'rxjs';
import type { PipelineCounters } from '../../core/batch.ts';
import type { Contribution } from '../../core/dedupe-state.ts';
import type { DaySelection } from '../../core/business-day.ts';
import { firstLineOf } from '../../core/first-line.ts';
import { formatCount, formatDuration } from '../../core/format.ts';
import { TUTORIAL_CHANNELS } from '../../core/channel.ts';
import { keepLatestDay } from '../../core/group-table.ts';
import { stateFingerprint } from '../../core/state-fingerprint.ts';
import { groupKeyText } from '../../core/group-key.ts';
import { START, type NextOffset } from '../../core/positions.ts';
import { decodeChanges } from '../../operators/decode-changes.ts';
import type { Flush } from '../../core/flush.ts';
import { aggregateStage } from '../../pipeline.ts';
import type { ResultSink } from '../../sinks/result-sink.ts';
import { WriteFenced } from '../../sinks/result-sink.ts';
import { claimPartitions, stillOwned } from '../../sinks/owned-writes.ts';
import { loadGroupSnapshots, saveGroupSnapshot, saveSnapshotsWhereCovered, type GroupSnapshot } from '../../sinks/snapshot-writes.ts';
import { replayPartitions } from '../../sources/partition-replay.ts';
import { AssignmentChanged, stageConsumer } from '../../sources/stage-consumer.ts';
import { boundedWrites } from '../bounded-writes.ts';
import { runTask } from '../task.ts';
import { forEachAssignment } from './epochs.ts';
import { captureGroups, restoreFrom, snapshotsToSave, type OwnedGroups } from './group-snapshots.ts';

/** Options of {@link runAggregateStage}. */
export interface AggregateStageOptions {
  readonly brokers: string;
  readonly changesTopic: string;
  /** The consumer group of this stage. */
  readonly group: string;
  /** This instance's id: its static group membership. */
  readonly instanceId: string;
  readonly db: Knex;
  /**
   * Writes a flush; the stage passes the guard that refuses it when a partition has moved.
   * (The database sink with its retries, built with that guard.)
   */
  readonly openSink: (guard: (trx: Knex.Transaction) => Promise<void>) => ResultSink;
  readonly days: DaySelection;
  readonly zone: string;
  readonly counters: PipelineCounters;
  readonly flushIntervalMs: number;
  readonly flushRows: number;
  readonly signal: AbortSignal;
  readonly log: Logger;
  /** The shop's channels, which name each group. Default: the tutorial's. */
  readonly channels?: ChannelMap;
  /** Called after each flush is written. */
  readonly onFlush?: (flush: Flush) => void;
  /** Time for flushes and `flink_current_time`. Default: asyncScheduler. */
  readonly scheduler?: SchedulerLike;
  /**
   * How often the groups of each owned partition are snapshotted into the sink database, in the
   * transaction of a flush (and at a revoke and a clean stop), so that its next owner reads only
   * the changes since. Default: 60,000 ms; 0: never, a partition is rebuilt from its whole log.
   */
  readonly snapshotIntervalMs?: number;
}

/** Runs the aggregate stage until the signal aborts. */
export async function runAggregateStage(options: AggregateStageOptions): Promise<void> {
  const { brokers, changesTopic, group, instanceId, db, signal, log, onFlush, counters, snapshotIntervalMs = 60_000 } = options;
  const channels = options.channels ?? TUTORIAL_CHANNELS;
  const now = (): number => (options.scheduler ?? asyncScheduler).now();
  // What else than the log the groups depend on (their keys carry channel codes): a snapshot taken for other days or channels is not used.
  const fingerprint = stateFingerprint(options.days, channels);
  const key = `kafka:${changesTopic}:${group}`;
  // What this instance last wrote per owned partition: a flush commits only if the table agrees.
  let expected = new Map<number, NextOffset>();
  let owned: OwnedGroups | undefined;
  /**
   * At a revoke (after the writes in flight) and a clean stop: the snapshots of the partitions
   * that moved past their newest one, so that their next owner replays nothing even when nothing
   * flowed since the last flush (a flush with nothing to write saves none itself).
   */
  const saveOwned = async (why: 'revoke' | 'stop'): Promise<void> => {
    const state = owned;
    if (state === undefined || snapshotIntervalMs === 0) return;
    const snapshots = snapshotsToSave(state, expected, fingerprint);
    if (snapshots.length === 0) return;
    const partitions = snapshots.map((snapshot) => snapshot.partition);
    try {
      if (!(await saveSnapshotsWhereCovered(db, key, snapshots))) throw new Error('another instance wrote them since');
      for (const snapshot of snapshots) state.saved.set(snapshot.partition, snapshot.position);
      log.info(`aggregate stage saved the snapshots of partitions ${partitions.join(', ')} ${why === 'revoke' ? 'before letting them go' : 'at the stop'}`, { topic: changesTopic, partitions });
    } catch (error) {
      log.warn(`cannot save the snapshots of ${changesTopic} partitions ${partitions.join(', ')} (${firstLineOf(error)}); their next owner replays their logs since the last ones`, { topic: changesTopic, partitions });
    }
  };
  let inFlight = (): Promise<void> => Promise.resolve();
  // The partitions are let go once the flushes in flight are written, with their snapshots saved.
  const consumer = await stageConsumer({ brokers, topic: changesTopic, group, instanceId, log, counters, beforeRevoke: () => inFlight().then(() => saveOwned('revoke')) });
  let wrote = false;
  // The snapshots that go with the flush being written (writes run one at a time).
  let snapshotsOfWrite: readonly GroupSnapshot[] = [];
  const sink = options.openSink(async (trx) => {
    if (!(await stillOwned(trx, key, expected))) throw new WriteFenced(`partitions of ${changesTopic} were written by another instance`);
    // In the fenced flush's transaction: a snapshot is exactly what the table holds for its partition.
    for (const snapshot of snapshotsOfWrite) await saveGroupSnapshot(trx, key, snapshot);
    wrote = true;
  });
  let lastSaveAt = now();
  try {
    await forEachAssignment(
      consumer,
      signal,
      async (assignment) => {
        const began = performance.now();
        const from = await claimPartitions(db, key, assignment.partitions);
        expected = new Map(from);
        const { table, partitionOf, restored, unusable } = restoreFrom(snapshotIntervalMs > 0 ? await loadGroupSnapshots(db, key, assignment.partitions) : new Map(), from, fingerprint, options.channels);
        if (options.days.kind === 'live') keepLatestDay(table);
        // Per partition, the next offset the table has not seen as of the last flush out of the operator, and of its newest snapshot.
        const position = new Map(assignment.partitions.map((partition) => [partition, restored.get(partition)?.position ?? START]));
        const saved = new Map(position);
        const entered = new Map(position);
        owned = { table, partitionOf, entered, position, saved };
        const writes = boundedWrites();
        inFlight = () => writes.settled();
        let live = false;
        let replayed = 0;
        const replayedOf = new Map<number, number>();
        const seen = (partition: number, changes: readonly { day: string; channel: string | null }[]): void => {
          for (const change of changes) partitionOf.set(groupKeyText(change.day, channels.of(change.channel).code), partition);
        };
        // The groups of these partitions as the table has them: their snapshots, and the changes after them read again.
        const replay = replayPartitions({ brokers, topic: changesTopic, until: from, from: new Map(position), readCommitted: true }).pipe(
          tap((batch) => {
            replayed += batch.items.length;
            for (const { partition } of batch.items) replayedOf.set(partition, (replayedOf.get(partition) ?? 0) + 1);
          }),
          decodeChanges({ keepRejects: false, seen }),
          tap({
            complete: () => {
              live = true;
              const took = formatDuration(performance.now() - began);
              for (const [partition, { position: at, groups }] of restored) {
                log.info(`restored ${changesTopic} partition ${partition} from snapshot at offset ${at} (${formatCount(groups)} groups), replayed ${formatCount(replayedOf.get(partition) ?? 0)} messages in ${took}`, { topic: changesTopic, partition, offset: at, groups, replayed: replayedOf.get(partition) ?? 0 });
              }
              for (const [partition, reason] of unusable) {
                log.warn(`cannot restore ${changesTopic} partition ${partition} from a snapshot (${reason}); rebuilt it from its log, ${formatCount(replayedOf.get(partition) ?? 0)} messages`, { topic: changesTopic, partition, replayed: replayedOf.get(partition) ?? 0 });
              }
              log.info(`aggregate stage owns ${changesTopic} partitions ${assignment.partitions.join(', ')}; state rebuilt from ${formatCount(replayed)} messages in ${took}`);
            },
          }),
        );
        await runTask<Contribution, { flush: Flush; replayed: boolean; snapshots: readonly GroupSnapshot[] }>(
          {
            step: (changes) =>
              changes.pipe(
                tap((batch) => {
                  for (const { partition, next } of batch.progress) entered.set(partition, next);
                }),
                aggregateStage({ ...options, groups: table }),
                map((flush) => {
                  // Now, as the flush leaves the operator, the table holds exactly what the flushes so far cover: the moment to copy it.
                  for (const { partition, next } of flush.progress) position.set(partition, next);
                  const due = live && snapshotIntervalMs > 0 && (signal.aborted || now() - lastSaveAt >= snapshotIntervalMs);
                  const moved = new Map([...position].filter(([partition, next]) => saved.get(partition) !== next));
                  // A flush out of the replay holds what the table has already, or less (partial sums, a
                  // snapshot's older rows): written, it would show older figures until the replay caught up.
                  // The replay only rebuilds the groups; writing goes on with the first flush after it.
                  return { flush, replayed: !live, snapshots: due && moved.size > 0 ? ((lastSaveAt = now()), captureGroups(table, partitionOf, moved, fingerprint)) : [] };
                }),
              ),
            write: async ({ flush, replayed, snapshots }) => {
              if (replayed) return;
              if (consumer.assignment().generation !== assignment.generation) throw new AssignmentChanged(changesTopic);
              wrote = false;
              snapshotsOfWrite = snapshots;
              try {
                await sink.write(flush, { key, covered: flush.progress });
              } finally {
                snapshotsOfWrite = [];
              }
            },
            commit: ({ flush, replayed, snapshots }) => {
              if (replayed) return;
              if (wrote) for (const { partition, next } of flush.progress) expected.set(partition, next);
              if (wrote && snapshots.length > 0) {
                for (const snapshot of snapshots) saved.set(snapshot.partition, snapshot.position);
                log.info(`aggregate stage saved the snapshots of partitions ${snapshots.map((s) => s.partition).join(', ')}`, { topic: changesTopic, partitions: snapshots.map((s) => s.partition) });
              }
              consumer.commit(flush.progress);
              onFlush?.(flush);
            },
          },
          (flow) => concat(replay, consumer.batches(assignment, from, flow.ready, flow.signal).pipe(decodeChanges({ seen }))),
          { signal, writes },
        );
      },
      log,
    );
    await sink.finish?.();
    await saveOwned('stop');
  } finally {
    await consumer.close();
    await sink.close();
  }
}
