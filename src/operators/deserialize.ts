import { map, type OperatorFunction } from 'rxjs';
import { withItems, type Batch, type PipelineCounters, type RawRecord, type Reject } from '../core/batch.ts';
import type { MessageReader } from '../core/change-envelope.ts';
import type { FeedCheck } from '../core/feed-check.ts';
import { readOrder, type Order } from '../core/order.ts';
import { readOutcome, type ReadOutcome } from '../core/read-outcome.ts';
import { MAX_MESSAGE_BYTES, MAX_REJECT_TEXT, rejectOf } from '../core/reject.ts';

/** Options of {@link deserialize}. */
export interface DeserializeOptions {
  /** Counts records read and rejected. */
  readonly counters: PipelineCounters;
  /** The time a reject is stamped with, epoch ms. */
  readonly clock: () => number;
  /** Larger messages are rejected unread. Default: 1 MiB. */
  readonly maxRecordBytes?: number;
  /** How much of a rejected message is kept. Default: 4096 characters. */
  readonly maxRejectText?: number;
  /** Reads one message's text (a change message: its rows). Default: {@link readOrder}, the rules of SEMANTICS.md section 1. */
  readonly read?: MessageReader;
  /** Told each message's outcome until its verdict (a feed of mostly rejects). Default: none. */
  readonly feedCheck?: FeedCheck;
}

/**
 * Parses and validates each raw record. A bad one becomes a reject with its reason; one whose
 * handling throws, whatever the cause, becomes a reject with reason `internal: ...`: no record
 * can stop the batch, let alone the run.
 */
export function deserialize(options: DeserializeOptions): OperatorFunction<Batch<RawRecord>, Batch<Order>> {
  const { maxRecordBytes = MAX_MESSAGE_BYTES, read = readOrder } = options;
  return map((batch) => settleOutcomes(batch, (record) => readOutcome(record, maxRecordBytes, read), options));
}

/**
 * The batch of the orders its records were read into, `outcomeOf` each (in order): the rejects
 * added, the counters and the feed check told. Where the reading happened is the caller's.
 */
export function settleOutcomes(batch: Batch<RawRecord>, outcomeOf: (record: RawRecord, index: number) => ReadOutcome, options: DeserializeOptions): Batch<Order> {
  const { counters, clock, maxRejectText = MAX_REJECT_TEXT, feedCheck } = options;
  const orders: Order[] = [];
  let rejects: Reject[] | undefined;
  for (let index = 0; index < batch.items.length; index++) {
    const record = batch.items[index]!;
    let outcome = outcomeOf(record, index);
    if (typeof outcome === 'object' && 'internal' in outcome) {
      outcome = outcome.internal;
      counters.internal += 1;
    }
    if (typeof outcome === 'object' && 'rows' in outcome) {
      // A change message: each row is a record of its own, a reject keeping the row's text.
      if (outcome.rows.length === 0) counters.filtered += 1;
      for (const row of outcome.rows) {
        if (feedCheck?.open === true) feedCheck.record('reason' in row ? row.reason : undefined);
        if (!('reason' in row)) {
          orders.push(row);
          continue;
        }
        rejects ??= [...batch.rejects];
        rejects.push(rejectOf(batch.source, { value: row.raw, partition: record.partition, offset: record.offset }, row.reason, clock(), maxRejectText));
      }
      continue;
    }
    if (feedCheck?.open === true) feedCheck.record(typeof outcome === 'string' ? outcome : undefined);
    if (typeof outcome !== 'string') {
      orders.push(outcome);
      continue;
    }
    rejects ??= [...batch.rejects];
    rejects.push(rejectOf(batch.source, record, outcome, clock(), maxRejectText));
  }
  counters.read += batch.items.length;
  if (rejects === undefined) return withItems(batch, orders);
  counters.rejected += rejects.length - batch.rejects.length;
  return { ...withItems(batch, orders), rejects };
}
