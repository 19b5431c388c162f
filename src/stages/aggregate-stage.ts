/**
 * Stage 2 of a scaled-out run, for the changes partitions this instance owns: the per-channel,
 * per-day aggregate of the groups those partitions carry, flushed into the result table with
 * the offsets it covers, fenced so that only a partition's owner writes its groups.
 */
import type { Logger } from '../core/log.ts';
import type { ChannelMap } from '../core/channel.ts';
import type { Knex } from 'knex';
import { concat, lastValueFrom, mergeMap, tap, type SchedulerLike } from 'rxjs';
import type { PipelineCounters } from '../core/batch.ts';
import type { DaySelection } from '../core/business-day.ts';
import { formatCount, formatDuration } from '../core/format.ts';
import type { NextOffset } from '../core/positions.ts';
import { decodeChanges } from '../operators/decode-changes.ts';
import type { Flush } from '../core/flush.ts';
import { aggregateStage } from '../pipeline.ts';
import type { ResultSink } from '../sinks/result-sink.ts';
import { WriteFenced } from '../sinks/result-sink.ts';
import { claimPartitions, stillOwned } from '../sinks/owned-writes.ts';
import { replayPartitions } from '../sources/partition-replay.ts';
import { AssignmentChanged, stageConsumer } from '../sources/stage-consumer.ts';
import { boundedWrites } from '../runtime/bounded-writes.ts';
import { forEachAssignment } from './epochs.ts';

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
}

/** Runs the aggregate stage until the signal aborts. */
export async function runAggregateStage(options: AggregateStageOptions): Promise<void> {
  const { brokers, changesTopic, group, instanceId, db, signal, log, onFlush, counters } = options;
  const key = `kafka:${changesTopic}:${group}`;
  const consumer = await stageConsumer({ brokers, topic: changesTopic, group, instanceId, log, counters });
  // What this instance last wrote per owned partition: a flush commits only if the table agrees.
  let expected = new Map<number, NextOffset>();
  let wrote = false;
  const sink = options.openSink(async (trx) => {
    if (!(await stillOwned(trx, key, expected))) throw new WriteFenced(`partitions of ${changesTopic} were written by another instance`);
    wrote = true;
  });
  try {
    await forEachAssignment(
      consumer,
      signal,
      async (assignment) => {
        const began = performance.now();
        const from = await claimPartitions(db, key, assignment.partitions);
        expected = new Map(from);
        const writes = boundedWrites();
        let replayed = 0;
        try {
          await lastValueFrom(
            concat(
              // The groups of these partitions as the table has them: their changes read again.
              replayPartitions({ brokers, topic: changesTopic, until: from, readCommitted: true }).pipe(
                tap((batch) => (replayed += batch.items.length)),
                decodeChanges({ keepRejects: false }),
                tap({
                  complete: () =>
                    log.info(`aggregate stage owns ${changesTopic} partitions ${assignment.partitions.join(', ')}; state rebuilt from ${formatCount(replayed)} messages in ${formatDuration(performance.now() - began)}`),
                }),
              ),
              consumer.batches(assignment, from, () => writes.ready(), signal).pipe(decodeChanges()),
            ).pipe(
              aggregateStage(options),
              mergeMap((flush) =>
                writes.run(async () => {
                  if (consumer.assignment().generation !== assignment.generation) throw new AssignmentChanged(changesTopic);
                  wrote = false;
                  await sink.write(flush, { key, covered: flush.progress });
                  if (wrote) for (const { partition, next } of flush.progress) expected.set(partition, next);
                  consumer.commit(flush.progress);
                  onFlush?.(flush);
                }),
              ),
            ),
            { defaultValue: undefined },
          );
        } finally {
          await writes.settled();
        }
      },
      log,
    );
    await sink.finish?.();
  } finally {
    await consumer.close();
    await sink.close();
  }
}
