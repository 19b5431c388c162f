/**
 * The outcomes of a batch read on another thread, as a few flat buffers and one string instead
 * of thousands of small objects: posting them between threads then costs a copy of the string
 * and the transfer of the buffers, not a structured clone per order.
 */
import type { RawRecord } from './batch.ts';
import type { RowReject } from './change-envelope.ts';
import type { Order } from './order.ts';
import type { ReadOutcome } from './read-outcome.ts';

/** A batch's outcomes, encoded: what a reading thread posts back (the buffers transferred). */
export interface EncodedOutcomes {
  /** Every string, one after the other. */
  readonly text: string;
  /** Where each string of `text` ends. */
  readonly ends: Uint32Array;
  /** Kinds, flags, times and amounts, in the order they are read back. */
  readonly numbers: Float64Array;
}

/** Reads batches of records somewhere else (reading threads) and says when it can take another. */
export interface OutcomeReading {
  /** The outcomes of these records, in their order. */
  read(records: readonly RawRecord[]): Promise<EncodedOutcomes>;
  /** Resolves when another batch may be given without waiting behind too many. */
  ready(): Promise<void>;
}

const ORDER = 0, REASON = 1, INTERNAL = 2, ROWS = 3, ROW_REJECT = 4;
const PAY_TIME = 1, REAL_PAY = 2, BIG_PAY = 4, USER = 8, CHANNEL = 16, DELETED = 32;

/** Encodes the outcomes of one batch (orders without their records: the reader of the batch has those). */
export function encodeOutcomes(outcomes: readonly ReadOutcome[]): EncodedOutcomes {
  const numbers: number[] = [];
  const ends: number[] = [];
  let text = '';
  const string = (value: string): void => {
    text += value;
    ends.push(text.length);
  };
  const order = (o: Order): void => {
    const big = typeof o.realPay === 'bigint';
    numbers.push((o.payTime !== null ? PAY_TIME : 0) | (o.realPay !== null ? REAL_PAY : 0) | (big ? BIG_PAY : 0) | (o.userId !== null ? USER : 0) | (o.channel !== null ? CHANNEL : 0) | (o.deleted === true ? DELETED : 0), o.orderTime, typeof o.realPay === 'number' ? o.realPay : 0);
    string(o.orderId);
    if (o.payTime !== null) string(o.payTime);
    if (big) string(String(o.realPay));
    if (o.userId !== null) string(o.userId);
    if (o.channel !== null) string(o.channel);
  };
  for (const outcome of outcomes) {
    if (typeof outcome === 'string') {
      numbers.push(REASON);
      string(outcome);
    } else if ('internal' in outcome) {
      numbers.push(INTERNAL);
      string(outcome.internal);
    } else if ('rows' in outcome) {
      numbers.push(ROWS, outcome.rows.length);
      for (const row of outcome.rows) {
        if ('reason' in row) {
          numbers.push(ROW_REJECT);
          string(row.reason);
          string(row.raw);
        } else {
          numbers.push(ORDER);
          order(row);
        }
      }
    } else {
      numbers.push(ORDER);
      order(outcome);
    }
  }
  return { text, ends: Uint32Array.from(ends), numbers: Float64Array.from(numbers) };
}

/** The outcomes of `records` from their encoding, each order given its record back. */
export function decodeOutcomes(encoded: EncodedOutcomes, records: readonly RawRecord[]): ReadOutcome[] {
  const { text, ends, numbers } = encoded;
  let n = 0;
  let s = 0;
  const string = (): string => text.slice(s === 0 ? 0 : ends[s - 1], ends[s++]);
  const order = (record: RawRecord): Order => {
    const flags = numbers[n++]!;
    const orderTime = numbers[n++]!;
    const pay = numbers[n++]!;
    const orderId = string();
    const payTime = flags & PAY_TIME ? string() : null;
    const realPay = flags & BIG_PAY ? BigInt(string()) : flags & REAL_PAY ? pay : null;
    const userId = flags & USER ? string() : null;
    const channel = flags & CHANNEL ? string() : null;
    const read: Order = { orderId, orderTime, payTime, realPay, userId, channel, record };
    return flags & DELETED ? { ...read, deleted: true } : read;
  };
  const outcomes: ReadOutcome[] = new Array<ReadOutcome>(records.length);
  for (let index = 0; index < records.length; index++) {
    const record = records[index]!;
    const kind = numbers[n++];
    if (kind === ORDER) outcomes[index] = order(record);
    else if (kind === REASON) outcomes[index] = string();
    else if (kind === INTERNAL) outcomes[index] = { internal: string() };
    else if (kind === ROWS) {
      const rows: (Order | RowReject)[] = [];
      for (let count = numbers[n++]!; count > 0; count--) {
        if (numbers[n++] === ROW_REJECT) rows.push({ reason: string(), raw: string() });
        else rows.push(order(record));
      }
      outcomes[index] = { rows };
    } else throw new RangeError(`Cannot decode the outcome of record ${index}: current kind is ${String(kind)}`);
  }
  return outcomes;
}
