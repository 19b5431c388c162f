/**
 * The sales pipeline, top to bottom: the Flink SQL job of the tutorial as RxJS operators over
 * micro-batches. Every stage is one operator of `src/operators/`; this module only composes them.
 */
import { asyncScheduler, pipe, type OperatorFunction, type SchedulerLike } from 'rxjs';
import type { Batch, PipelineCounters, RawRecord } from './core/batch.ts';
import type { DaySelection } from './core/business-day.ts';
import type { MessageReader } from './core/change-envelope.ts';
import type { ChannelMap } from './core/channel.ts';
import type { Contribution, DedupeState } from './core/dedupe-state.ts';
import type { FeedCheck } from './core/feed-check.ts';
import type { OutcomeReading } from './core/outcome-codec.ts';
import { groupTableOf, type GroupTable } from './core/group-table.ts';
import { aggregate } from './operators/aggregate.ts';
import { bufferFlush, type Flush } from './operators/buffer-flush.ts';
import { dedupe } from './operators/dedupe.ts';
import { deserialize } from './operators/deserialize.ts';
import { deserializeInThreads } from './operators/deserialize-in-threads.ts';
import { filterDay } from './operators/filter-day.ts';
import { mapChannel } from './operators/map-channel.ts';

/** Options of {@link salesPipeline}. */
export interface SalesPipelineOptions {
  /** Which pay days count. */
  readonly days: DaySelection;
  /** The zone of `flink_current_time` (and of "today" in live mode). */
  readonly zone: string;
  /** Counters of the run, updated by the stages. */
  readonly counters: PipelineCounters;
  /** Time for everything: flush intervals, "today", stamps. Default: asyncScheduler. */
  readonly scheduler?: SchedulerLike;
  /** Flush interval, ms. Default: 1000. */
  readonly flushIntervalMs?: number;
  /** Flush when this many changes wait. Default: 1000. */
  readonly flushRows?: number;
  /** The dedupe state to work on (one restored from a checkpoint): the groups are rebuilt from it. Default: a new one. */
  readonly dedupeState?: DedupeState;
  /** Judges the run's first messages (a feed of mostly rejects). Default: none. */
  readonly feedCheck?: FeedCheck;
  /** Reads each message: the shop's layout and format. Default: the tutorial's JSON orders. */
  readonly read?: MessageReader;
  /** The shop's channels. Default: the tutorial's. */
  readonly channels?: ChannelMap;
  /** Where messages are parsed and validated, when not on this thread (reading threads, with the same reader). Default: here. */
  readonly reading?: OutcomeReading;
}

/**
 * Raw records in, flushes of result rows (and rejects) out: the two stages back to back, in one
 * process. A scaled-out run puts the changes topic between them (see `src/runtime/stages/`).
 */
export function salesPipeline(options: SalesPipelineOptions): OperatorFunction<Batch<RawRecord>, Flush> {
  const { dedupeState } = options;
  return pipe(dedupeStage(options), aggregateStage({ ...options, ...(dedupeState && { groups: groupTableOf(dedupeState, options.channels) }) }));
}

/** Stage 1, partitioned by `order_id`: raw records in, retract/insert contributions of the counted days out. */
export function dedupeStage(options: SalesPipelineOptions): OperatorFunction<Batch<RawRecord>, Batch<Contribution>> {
  const { days, counters, scheduler = asyncScheduler, dedupeState, feedCheck, read, reading } = options;
  const clock = (): number => scheduler.now();
  const reads = { counters, clock, ...(feedCheck && { feedCheck }), ...(read && { read }) };
  return pipe(
    reading === undefined ? deserialize(reads) : deserializeInThreads(reading, reads), // JSON text -> valid orders; the rest -> rejects
    filterDay({ days, counters, clock }), // paid on a counted day (the SQL's inner WHERE)
    dedupe({ counters, clock, latestDayOnly: days.kind === 'live', ...(dedupeState && { state: dedupeState }) }), // latest order_time per order, with retraction
  );
}

/**
 * Stage 2, partitioned by group: contributions in, flushes of the changed rows out. Given `groups`
 * (a restored table), their rows are flushed first.
 */
export function aggregateStage(options: Omit<SalesPipelineOptions, 'counters' | 'dedupeState'> & { readonly groups?: GroupTable }): OperatorFunction<Batch<Contribution>, Flush> {
  const { days, zone, scheduler = asyncScheduler, flushIntervalMs = 1000, flushRows = 1000, groups, channels } = options;
  const clock = (): number => scheduler.now();
  return pipe(
    mapChannel(channels), // order_channel -> channel code and name
    aggregate({ clock, zone, latestDayOnly: days.kind === 'live', ...(groups && { groups }) }), // per (begin_time, channel_code): GMV, users, orders, last pay time
    bufferFlush({ intervalMs: flushIntervalMs, maxRows: flushRows, scheduler }), // 1 s or 1000 rows
  );
}
