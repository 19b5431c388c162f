import { map, type OperatorFunction } from 'rxjs';
import { withItems, type Batch, type PipelineCounters, type RawRecord, type Reject } from '../core/batch.ts';
import { toOrder, type Order } from '../core/order.ts';

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
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const lenient = new TextDecoder('utf-8');

/** Parses and validates each raw record; a bad one becomes a reject and never stops the batch. */
export function deserialize(options: DeserializeOptions): OperatorFunction<Batch<RawRecord>, Batch<Order>> {
  const { counters, clock, maxRecordBytes = 1 << 20, maxRejectText = 4096 } = options;
  return map((batch) => {
    const orders: Order[] = [];
    let rejects: Reject[] | undefined;
    for (const record of batch.items) {
      const outcome = readRecord(record.value, maxRecordBytes);
      if (typeof outcome !== 'string') {
        orders.push(outcome);
        continue;
      }
      rejects ??= [...batch.rejects];
      rejects.push(reject(batch.source, record, outcome, clock(), maxRejectText));
    }
    counters.read += batch.items.length;
    if (rejects === undefined) return withItems(batch, orders);
    counters.rejected += rejects.length - batch.rejects.length;
    return { ...withItems(batch, orders), rejects };
  });
}

function readRecord(value: string | Uint8Array, maxBytes: number): Order | string {
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
  if (text.trim() === '') return 'empty message';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return `not valid JSON: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
  }
  return toOrder(parsed, text);
}

function reject(source: string, record: RawRecord, reason: string, at: number, maxText: number): Reject {
  const { value } = record;
  const bytes = typeof value === 'string' ? Buffer.byteLength(value) : value.byteLength;
  const head = typeof value === 'string' ? value.slice(0, maxText) : lenient.decode(value.subarray(0, maxText * 4)).slice(0, maxText);
  return { source, partition: record.partition, offset: record.offset, reason, raw: head, rawBytes: bytes, rejectedAt: at };
}
