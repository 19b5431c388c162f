import { asyncScheduler, concat, concatMap, defer, map, of, pipe, type OperatorFunction } from 'rxjs';
import type { RawRecord, SourceOffset } from '../core/batch.ts';
import { laterPosition, type NextOffset } from '../core/positions.ts';
import { collectHistory } from '../core/minute-history.ts';
import type { Flush } from '../core/flush.ts';
import { groupKeyOfRow } from '../core/group-key.ts';
import { salesPipeline, type SalesPipelineOptions } from '../pipeline.ts';
import { runTask, type Task } from './task.ts';
import type { CheckpointState, FlushProgress, ResultSink } from '../sinks/result-sink.ts';
import type { OrderSource } from '../sources/order-source.ts';

/** Checkpointing of a run: the state, taken with a flush, written in the flush's transaction. */
export interface CheckpointOptions {
  /** The source's checkpoint key. */
  readonly key: string;
  /** Take a checkpoint with the first flush after this many ms. Default: 10000. */
  readonly intervalMs?: number;
  /** The state now, or what changed since the last take (captured synchronously as the flush leaves the pipeline), as bytes when encoded. */
  readonly take: () => Promise<CheckpointState>;
  /** The positions the restored state covers (empty for a fresh start). */
  readonly restoredAt: ReadonlyMap<number, NextOffset>;
  /**
   * The positions the table already covered when the last run stopped: flushes that do not reach
   * them yet are merged and held back, so that a restart never shows older figures. Default: none.
   */
  readonly writtenUpTo?: ReadonlyMap<number, NextOffset>;
}

/** Options of {@link runPipeline}. */
export interface RunPipelineOptions extends SalesPipelineOptions {
  readonly source: OrderSource;
  readonly sink: ResultSink;
  /** Stops the run: the source completes, the last flush is written. Default: never. */
  readonly signal?: AbortSignal;
  /** Flushes that may wait for the sink before the source is held back. Default: 2. */
  readonly maxPendingFlushes?: number;
  /** Called after each flush is written and committed. */
  readonly onFlush?: (flush: Flush, progress: FlushProgress | undefined) => void;
  /** Checkpoints; without it, nothing is checkpointed. */
  readonly checkpoint?: CheckpointOptions;
  /** Now, epoch ms, for the checkpoint interval. Default: the scheduler's clock (asyncScheduler's). */
  readonly clock?: () => number;
}

/**
 * Runs a source through the sales pipeline into a sink until the source completes (end of a
 * recording, or the signal). Each flush is written (with a checkpoint now and then, in the same
 * transaction), then its offsets are committed, in order; while the sink is behind, the source
 * is held back instead of buffering without bound.
 */
export async function runPipeline(options: RunPipelineOptions): Promise<void> {
  const { source, sink, signal, maxPendingFlushes, onFlush, checkpoint } = options;
  const scheduler = options.scheduler ?? asyncScheduler;
  const clock = options.clock ?? (() => scheduler.now());
  // One task over the whole source: the two stages fused, the source's offsets committed after each write.
  const task: Task<RawRecord, Step> = {
    step: pipe(salesPipeline(options), checkpoint === undefined ? map((flush): Step => ({ flush, progress: undefined })) : withProgress(checkpoint, clock)),
    write: ({ flush, progress }) => sink.write(flush, progress),
    commit: async ({ flush, progress }) => {
      await source.commit(flush.progress);
      onFlush?.(flush, progress);
    },
  };
  await runTask(task, (flow) => source.batches(flow), { ...(maxPendingFlushes !== undefined && { maxInFlight: maxPendingFlushes }), ...(signal && { signal }), ...(options.reading && { stepReady: options.reading.ready }) });
  await sink.finish?.();
}

interface Step {
  readonly flush: Flush;
  readonly progress: FlushProgress | undefined;
}

/** Adds to each flush the offsets it completes, and a checkpoint when one is due; holds flushes back after a restart. */
function withProgress(options: CheckpointOptions, clock: () => number): OperatorFunction<Flush, Step> {
  const { key, intervalMs = 10_000, take, restoredAt, writtenUpTo = new Map() } = options;
  const covered = new Map(restoredAt);
  let lastCheckpoint = clock();
  let held: Flush | undefined;
  return (flushes) =>
    flushes.pipe(
      concatMap((flush): Step[] => {
        for (const { partition, next } of flush.progress) covered.set(partition, laterPosition(covered.get(partition), next));
        const merged = held === undefined ? flush : mergeFlushes(held, flush);
        if ([...writtenUpTo].some(([partition, next]) => (covered.get(partition) ?? 0) < next)) {
          held = merged; // the table is ahead of this state: wait until the replay catches up
          return [];
        }
        held = undefined;
        const due = clock() - lastCheckpoint >= intervalMs;
        if (due) lastCheckpoint = clock();
        const offsets: SourceOffset[] = [...covered].map(([partition, next]) => ({ partition, next }));
        return [{ flush: merged, progress: { key, covered: offsets, ...(due && { checkpoint: take() }) } }];
      }),
      // At the end: whatever is still held, and a checkpoint of everything read, so that a
      // restart goes on exactly from here.
      (steps) =>
        concat(
          steps,
          defer(() => {
            const last: Step = {
              flush: held ?? { upserts: [], deletes: [], history: [], rejects: [], progress: [] },
              progress: { key, covered: [...covered].map(([partition, next]) => ({ partition, next })), checkpoint: take() },
            };
            held = undefined;
            return of(last);
          }),
        ),
    );
}

/** Two flushes as one: the later row (and minute) per key wins, rejects and offsets add up. */
function mergeFlushes(first: Flush, second: Flush): Flush {
  const rows = new Map<string, { kind: 'upsert'; row: Flush['upserts'][number] } | { kind: 'delete'; key: Flush['deletes'][number] }>();
  for (const flush of [first, second]) {
    for (const row of flush.upserts) rows.set(groupKeyOfRow(row), { kind: 'upsert', row });
    for (const key of flush.deletes) rows.set(groupKeyOfRow(key), { kind: 'delete', key });
  }
  const progress = new Map<number, NextOffset>();
  for (const { partition, next } of [...first.progress, ...second.progress]) progress.set(partition, laterPosition(progress.get(partition), next));
  const history = collectHistory();
  for (const group of [...first.history, ...second.history]) history.add(group.beginTime, group.channelCode, group);
  const values = [...rows.values()];
  return {
    upserts: values.flatMap((v) => (v.kind === 'upsert' ? [v.row] : [])),
    deletes: values.flatMap((v) => (v.kind === 'delete' ? [v.key] : [])),
    history: history.result(),
    rejects: [...first.rejects, ...second.rejects],
    progress: [...progress].map(([partition, next]) => ({ partition, next })),
  };
}
