/** The unit that flows through the pipeline: a micro-batch of items with what it carries along. */
import type { NextOffset } from './positions.ts';

/** One message of a source, exactly as read: text, or bytes that are not valid UTF-8 text yet. */
export interface RawRecord {
  readonly value: string | Uint8Array;
  /** Kafka partition; 0 for a file. */
  readonly partition: number;
  /** Kafka offset; the 1-based line number for a file. */
  readonly offset: number;
  /** Kafka: the message's timestamp, epoch ms (for latency measurements). */
  readonly timestamp?: number | undefined;
  /** Set when `value` holds only the start of a larger message (a file line over the cap): its size in bytes. */
  readonly truncatedFrom?: number | undefined;
}

/** How far a source has been read in a partition: the next offset to read (see `positions.ts`). */
export interface SourceOffset {
  readonly partition: number;
  readonly next: NextOffset;
}

/** A record that was refused, kept so that someone can look at it. */
export interface Reject {
  /** The source's name, e.g. `file:/data/orders.jsonl` or `kafka:trade_order_detail_info`. */
  readonly source: string;
  readonly partition: number;
  readonly offset: number;
  /** One line naming the culprit, e.g. `order_time: not a yyyy-MM-dd HH:mm:ss timestamp`. */
  readonly reason: string;
  /** The start of the raw text, capped (see MAX_REJECT_TEXT). */
  readonly raw: string;
  /** The size of the whole raw message in bytes. */
  readonly rawBytes: number;
  /** When it was refused, epoch milliseconds. */
  readonly rejectedAt: number;
}

/** A micro-batch: the items of one stage, the rejects met so far, and the source offsets covered. */
export interface Batch<T> {
  readonly source: string;
  readonly items: readonly T[];
  readonly rejects: readonly Reject[];
  readonly progress: readonly SourceOffset[];
}

/** The same batch with other items (what each stage does to it). */
export function withItems<T, U>(batch: Batch<T>, items: readonly U[]): Batch<U> {
  return { source: batch.source, items, rejects: batch.rejects, progress: batch.progress };
}

/** Counters of a run, shared by the stages (like metrics, they only ever go up). */
export interface PipelineCounters {
  read: number;
  rejected: number;
  /** Of the rejected, the records whose handling threw (reason `internal: ...`): a bug or a limit, worth an alert. */
  internal: number;
  filtered: number;
  rowsWritten: number;
  rowsDeleted: number;
  flushes: number;
  /** Rejects removed from the rejects table to keep it within its bound. */
  rejectsDropped: number;
  /** Flushes tried again after the database failed them (an outage shows as a run of these). */
  dbRetries: number;
  /** Rebalances that handed partitions to this process's Kafka consumers (one per callback). */
  rebalanceAssigns: number;
  /** Rebalances that took partitions from this process's Kafka consumers. */
  rebalanceRevokes: number;
  /** Offset commits the broker refused, and stage transactions that could not commit: both wait for the next commit. */
  commitFailures: number;
  /** Times the Kafka source paused its partitions because the sink was behind. */
  sourcePauses: number;
}

/** The counters a Kafka consumer keeps: rebalances, failed commits and pauses. */
export type KafkaCounters = Pick<PipelineCounters, 'rebalanceAssigns' | 'rebalanceRevokes' | 'commitFailures' | 'sourcePauses'>;

/** Counters at zero. */
export function createCounters(): PipelineCounters {
  return { read: 0, rejected: 0, internal: 0, filtered: 0, rowsWritten: 0, rowsDeleted: 0, flushes: 0, rejectsDropped: 0, dbRetries: 0, rebalanceAssigns: 0, rebalanceRevokes: 0, commitFailures: 0, sourcePauses: 0 };
}

/** Kafka counters nobody reads: for a consumer started without any. */
export function uncounted(): KafkaCounters {
  return { rebalanceAssigns: 0, rebalanceRevokes: 0, commitFailures: 0, sourcePauses: 0 };
}
