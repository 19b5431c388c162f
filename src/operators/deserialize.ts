import { map, type OperatorFunction } from 'rxjs';
import { withItems, type Batch, type PipelineCounters, type RawRecord, type Reject } from '../core/batch.ts';
import type { ChangeRows, MessageReader } from '../core/change-envelope.ts';
import type { FeedCheck } from '../core/feed-check.ts';
import { readOrder, type Order } from '../core/order.ts';
import { internalReason, MAX_MESSAGE_BYTES, MAX_REJECT_TEXT, rejectOf } from '../core/reject.ts';

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

// A byte order mark is kept in the text, so that a message starting with one is named for it.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Parses and validates each raw record. A bad one becomes a reject with its reason; one whose
 * handling throws, whatever the cause, becomes a reject with reason `internal: ...`: no record
 * can stop the batch, let alone the run.
 */
export function deserialize(options: DeserializeOptions): OperatorFunction<Batch<RawRecord>, Batch<Order>> {
  const { counters, clock, maxRecordBytes = MAX_MESSAGE_BYTES, maxRejectText = MAX_REJECT_TEXT, read = readOrder, feedCheck } = options;
  return map((batch) => {
    const orders: Order[] = [];
    let rejects: Reject[] | undefined;
    for (const record of batch.items) {
      let outcome: Order | string | ChangeRows;
      try {
        outcome = readRecord(record, maxRecordBytes, read);
      } catch (error) {
        outcome = internalReason(error);
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
  });
}

function readRecord(record: RawRecord, maxBytes: number, read: MessageReader): Order | string | ChangeRows {
  const { value } = record;
  if (record.truncatedFrom !== undefined) return `message larger than ${maxBytes} bytes`;
  let text: string;
  if (typeof value === 'string') {
    // A UTF-16 string never has fewer bytes in UTF-8 than characters, so this check is cheap.
    if (value.length > maxBytes && Buffer.byteLength(value) > maxBytes) return `message larger than ${maxBytes} bytes`;
    text = value;
  } else {
    if (value.byteLength > maxBytes) return `message larger than ${maxBytes} bytes`;
    try {
      text = utf8.decode(value);
    } catch {
      return 'not valid UTF-8';
    }
  }
  return read(text, record);
}
