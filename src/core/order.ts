/** The order record of SEMANTICS.md section 1: what is accepted, and why the rest is rejected. */
import { createHash } from 'node:crypto';
import type { RawRecord } from './batch.ts';
import { ABSENT, culpritOf, ESCAPED_STRING, fieldReader, NULL, NUMBER, rawValue, STRING, stringValue, type FieldSpans } from './json-fields.ts';
import { MAX_DECIMALS, parseAmount, type Amount } from './money.ts';
import { isTutorialLayout, type OrderLayout } from './order-layout.ts';
import { parseTimestamp } from './order-time.ts';
import { parseEpoch, parseIsoInstant, TIME_FORMAT_NAMES, wallClockOf } from './time-format.ts';
import { isBlank, trimWhiteSpace } from './white-space.ts';

/** A valid order version, reduced to what the result needs (the parsed JSON is not kept). */
export interface Order {
  /** Exact text of the id (a string's value, or an integer's digits as written), so that ids beyond 2^53 never collide. */
  readonly orderId: string;
  /** `order_time` as a number that orders like the text (see parseTimestamp). */
  readonly orderTime: number;
  /** `yyyy-MM-dd HH:mm:ss`, or null when not paid. */
  readonly payTime: string | null;
  /** `real_pay`, exact, or null when missing. */
  readonly realPay: Amount | null;
  /** Exact text of `user_id`, or null when it does not name a user. */
  readonly userId: string | null;
  /** `order_channel` as sent, or null when it is not a string. */
  readonly channel: string | null;
  /** The message it was read from: a later step that fails on it rejects it with its position. */
  readonly record: RawRecord;
  /** Set when this version is the order's deletion (a change message's delete): it retracts the order. */
  readonly deleted?: true;
}

/** An order that is paid: what the day filter lets through. */
export interface PaidOrder extends Order {
  readonly payTime: string;
  readonly realPay: Amount;
}

/** What a paid order version says, without the message it came from: what the dedupe state takes. */
export type PaidVersion = Omit<PaidOrder, 'record'>;

/** Ids longer than this are kept as a digest: a flood of huge ids must not fill the memory. */
export const MAX_KEPT_ID_LENGTH = 128;

const ORDER_ID = 0, ORDER_CHANNEL = 1, ORDER_TIME = 2, REAL_PAY = 3, PAY_TIME = 4, USER_ID = 5;
const reader = fieldReader(['order_id', 'order_channel', 'order_time', 'real_pay', 'pay_time', 'user_id']);

/**
 * Reads one message by the rules of SEMANTICS.md section 1: the order, or the reason for
 * rejecting it as one line naming the field and quoting its value as the message has it.
 */
export function readOrder(text: string, record: RawRecord): Order | string {
  const failure = reader.read(text);
  if (failure !== undefined) return isBlank(text) ? 'empty message' : failure;
  const kinds = reader.kinds;

  const orderId = idOf(text, reader, ORDER_ID);
  if (orderId === undefined || orderId === '') {
    return `order_id: must be a non-empty string or an integer (got ${culpritOf(text, reader, ORDER_ID)})`;
  }
  const orderTime = isString(kinds[ORDER_TIME]) ? parseTimestamp(stringValue(text, reader, ORDER_TIME)) : undefined;
  if (orderTime === undefined) return `order_time: not a yyyy-MM-dd HH:mm:ss timestamp (got ${culpritOf(text, reader, ORDER_TIME)})`;

  let payTime: string | null = null;
  const payKind = kinds[PAY_TIME];
  if (payKind !== ABSENT && payKind !== NULL) {
    if (isString(payKind)) payTime = stringValue(text, reader, PAY_TIME);
    if (payTime === null || parseTimestamp(payTime) === undefined) return `pay_time: not a yyyy-MM-dd HH:mm:ss timestamp (got ${culpritOf(text, reader, PAY_TIME)})`;
  }

  const realPay = amountOf(text, reader, REAL_PAY, 'real_pay');
  if (typeof realPay === 'string') return realPay;

  const userId = idOf(text, reader, USER_ID);
  const channel = isString(kinds[ORDER_CHANNEL]) ? stringValue(text, reader, ORDER_CHANNEL) : null;
  return { orderId: compactId(orderId), orderTime, payTime, realPay, userId: userId === undefined ? null : compactId(userId), channel, record };
}

function isString(kind: number | undefined): boolean {
  return kind === STRING || kind === ESCAPED_STRING;
}

/** The id itself, or for a very long one its SHA-256 (collisions are not a practical concern). */
function compactId(id: string): string {
  return id.length <= MAX_KEPT_ID_LENGTH ? id : `sha256:${createHash('sha256').update(id).digest('base64url')}`;
}

/** The exact text of a string id, or of an integer id's digits (`-?[0-9]+`); undefined for anything else. */
function idOf(text: string, spans: FieldSpans, field: number): string | undefined {
  const kind = spans.kinds[field];
  if (isString(kind)) return stringValue(text, spans, field);
  if (kind !== NUMBER) return undefined;
  const digits = rawValue(text, spans, field);
  return isIntegerSyntax(digits) ? digits : undefined;
}

/** Whether a JSON number token has no fraction and no exponent. */
function isIntegerSyntax(number: string): boolean {
  for (let i = 0; i < number.length; i++) {
    const c = number.charCodeAt(i);
    if (c === 46 || c === 101 || c === 69) return false; // . e E
  }
  return true;
}

/** `real_pay` (field `name` at `field`): the exact amount, null when absent, or a reject reason. */
function amountOf(text: string, spans: FieldSpans, field: number, name: string): Amount | null | string {
  const kind = spans.kinds[field];
  if (kind === ABSENT || kind === NULL) return null;
  let amount: ReturnType<typeof parseAmount> = 'not-a-number';
  if (kind === NUMBER) amount = parseAmount(rawValue(text, spans, field));
  else if (isString(kind)) amount = parseAmount(trimWhiteSpace(stringValue(text, spans, field)));
  if (typeof amount !== 'string') return amount;
  const got = culpritOf(text, spans, field);
  switch (amount) {
    case 'negative':
      return `${name}: negative; a refund is not a payment (got ${got})`;
    case 'too-large':
      return `${name}: above 10^15 (got ${got})`;
    case 'too-precise':
      return `${name}: more than ${MAX_DECIMALS} decimal places (got ${got})`;
    default:
      return `${name}: not a decimal number (got ${got})`;
  }
}

/** Reads one message (or one row of a change message) into an order, or says why not. */
export type OrderReader = (text: string, record: RawRecord) => Order | string;

/** A time field's value: a number that orders like the time, and its wall clock in the business zone. */
interface ReadTime {
  readonly key: number;
  readonly wallClock: string;
}

/**
 * The reader of a layout: the tutorial's is {@link readOrder} itself (its hot path, unchanged);
 * another reads its field names and time format by the same rules, naming its own fields in reasons.
 */
export function orderReader(layout: OrderLayout): OrderReader {
  if (isTutorialLayout(layout)) return readOrder;
  const names = layout.fields;
  const fields = fieldReader([names.order_id, names.order_channel, names.order_time, names.real_pay, names.pay_time, names.user_id]);
  const kinds = fields.kinds;
  const wallClock = wallClockOf(layout.zone);
  const format = layout.timeFormat;
  const expected = TIME_FORMAT_NAMES[format];
  const timeOf = (text: string, field: number): ReadTime | undefined => {
    const kind = kinds[field];
    if (format === 'sql') {
      if (!isString(kind)) return undefined;
      const wall = stringValue(text, fields, field);
      const key = parseTimestamp(wall);
      return key === undefined ? undefined : { key, wallClock: wall };
    }
    let ms: number | undefined;
    if (format === 'iso-8601') ms = isString(kind) ? parseIsoInstant(stringValue(text, fields, field)) : undefined;
    else if (kind === NUMBER || isString(kind)) ms = parseEpoch(kind === NUMBER ? rawValue(text, fields, field) : trimWhiteSpace(stringValue(text, fields, field)), format === 'epoch-seconds' ? 'seconds' : 'millis');
    // An instant orders by its milliseconds (two versions within one second stay apart).
    return ms === undefined ? undefined : { key: ms, wallClock: wallClock(ms) };
  };
  return (text, record) => {
    const failure = fields.read(text);
    if (failure !== undefined) return isBlank(text) ? 'empty message' : failure;
    const orderId = idOf(text, fields, ORDER_ID);
    if (orderId === undefined || orderId === '') return `${names.order_id}: must be a non-empty string or an integer (got ${culpritOf(text, fields, ORDER_ID)})`;
    const orderTime = timeOf(text, ORDER_TIME);
    if (orderTime === undefined) return `${names.order_time}: not ${expected} (got ${culpritOf(text, fields, ORDER_TIME)})`;
    let payTime: string | null = null;
    const payKind = kinds[PAY_TIME];
    if (payKind !== ABSENT && payKind !== NULL) {
      const paid = timeOf(text, PAY_TIME);
      if (paid === undefined) return `${names.pay_time}: not ${expected} (got ${culpritOf(text, fields, PAY_TIME)})`;
      payTime = paid.wallClock;
    }
    const realPay = amountOf(text, fields, REAL_PAY, names.real_pay);
    if (typeof realPay === 'string') return realPay;
    const userId = idOf(text, fields, USER_ID);
    const channel = isString(kinds[ORDER_CHANNEL]) ? stringValue(text, fields, ORDER_CHANNEL) : null;
    return { orderId: compactId(orderId), orderTime: orderTime.key, payTime, realPay, userId: userId === undefined ? null : compactId(userId), channel, record };
  };
}
