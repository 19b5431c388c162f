/** The order record of SEMANTICS.md section 1: what is accepted, and why the rest is rejected. */
import { createHash } from 'node:crypto';
import { isLosslessNumber, parse as parseLossless } from 'lossless-json';
import { compactMicros, MAX_AMOUNT_MICROS, microsFromNumber, microsFromText, parseDecimal, type Micros } from './money.ts';
import { parseTimestamp } from './order-time.ts';

/** A valid order version, reduced to what the result needs (the parsed JSON is not kept). */
export interface Order {
  /** Exact decimal text of the id, so that ids beyond 2^53 never collide. */
  readonly orderId: string;
  /** `order_time` as a number that orders like the text (see parseTimestamp). */
  readonly orderTime: number;
  /** `yyyy-MM-dd HH:mm:ss`, or null when not paid. */
  readonly payTime: string | null;
  /** `real_pay` in micro-units, or null when missing. */
  readonly realPay: Micros | null;
  /** Exact text of `user_id`, or null when it does not name a user. */
  readonly userId: string | null;
  /** `order_channel` as sent, or null when it is not a string. */
  readonly channel: string | null;
}

/** An order that is paid: what the day filter lets through. */
export interface PaidOrder extends Order {
  readonly payTime: string;
  readonly realPay: Micros;
}

const INTEGER_TEXT = /^-?\d+$/;

/**
 * Checks one parsed JSON value against the rules of SEMANTICS.md section 1.
 * `text` is the message it came from, read again exactly only when a number needs its digits.
 * Returns the order, or the reason for rejecting it as one line naming the field.
 */
export function toOrder(value: unknown, text: string): Order | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return `not a JSON object (got ${describe(value)})`;
  }
  const record = value as Record<string, unknown>;
  const orderId = idText(record.order_id, 'order_id', text);
  if (orderId === undefined || orderId === '') {
    return `order_id: must be a non-empty string or an integer (got ${describe(record.order_id)})`;
  }
  const orderTimeText = record.order_time;
  const orderTime = typeof orderTimeText === 'string' ? parseTimestamp(orderTimeText) : undefined;
  if (orderTime === undefined) return `order_time: not a yyyy-MM-dd HH:mm:ss timestamp (got ${describe(orderTimeText)})`;

  const payTime = record.pay_time ?? null;
  if (payTime !== null && (typeof payTime !== 'string' || parseTimestamp(payTime) === undefined)) {
    return `pay_time: not a yyyy-MM-dd HH:mm:ss timestamp (got ${describe(payTime)})`;
  }

  const realPay = amount(record.real_pay ?? null, text);
  if (typeof realPay === 'string') return realPay;

  const userText = idText(record.user_id, 'user_id', text);
  const userId = userText === undefined ? null : compactId(userText);
  const channel = typeof record.order_channel === 'string' ? record.order_channel : null;
  return { orderId: compactId(orderId), orderTime, payTime, realPay, userId, channel };
}

/** Ids longer than this are kept as a digest: a flood of huge ids must not fill the memory. */
export const MAX_KEPT_ID_LENGTH = 128;

/** The id itself, or for a very long one its SHA-256 (collisions are not a practical concern). */
function compactId(id: string): string {
  return id.length <= MAX_KEPT_ID_LENGTH ? id : `sha256:${createHash('sha256').update(id).digest('base64url')}`;
}

/** The exact text of a string or integer id; undefined for any other value. */
function idText(value: unknown, field: string, text: string): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value !== 'number') return undefined;
  if (Number.isSafeInteger(value)) return String(value);
  if (!Number.isInteger(value)) return undefined;
  const digits = exactNumber(text, field);
  return digits !== undefined && INTEGER_TEXT.test(digits) ? digits : undefined;
}

/** `real_pay` in micro-units, null when absent, or a reject reason. */
function amount(value: unknown, text: string): Micros | null | string {
  if (value === null) return null;
  let micros: bigint | undefined;
  if (typeof value === 'number') {
    if (value < 0) return negative(value);
    const fast = microsFromNumber(value);
    if (fast !== undefined) return fast;
    const digits = exactNumber(text, 'real_pay');
    micros = digits === undefined ? undefined : parseDecimal(digits);
  } else if (typeof value === 'string') {
    const fast = microsFromText(value);
    if (typeof fast === 'number' && fast > 0) return fast; // the common case: plain and positive
    micros = fast === undefined ? undefined : BigInt(fast);
  }
  if (micros === undefined) return `real_pay: not a decimal number (got ${describe(value)})`;
  // A negative amount is refused even when it rounds to zero at 6 places.
  if (micros < 0n || (micros === 0n && typeof value === 'string' && /^\s*-[\d.]*[1-9]/.test(value))) {
    return negative(value);
  }
  if (micros > MAX_AMOUNT_MICROS) return `real_pay: above 10^15 (got ${describe(value)})`;
  return compactMicros(micros);
}

/** JSON's number grammar, after the key's colon. */
const NUMBER_AFTER_COLON = /^[ \t\n\r]*:[ \t\n\r]*(-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/;

/**
 * A field's number exactly as written: JSON.parse has already rounded it to a double, so the
 * message is read again (ids beyond 2^53, long amounts).
 * Undefined when the field is not a number there.
 */
function exactNumber(text: string, field: string): string | undefined {
  // The quick way, when it cannot be wrong: in valid JSON without a backslash every quote
  // delimits a string, so a single `"field"` is the top-level key JSON.parse read. A short
  // message also cannot be nested too deep for the full reader below, so both ways agree.
  if (text.length <= 4096 && !text.includes('\\')) {
    const key = `"${field}"`;
    const at = text.indexOf(key);
    if (at >= 0 && text.indexOf(key, at + key.length) < 0) {
      const number = NUMBER_AFTER_COLON.exec(text.slice(at + key.length));
      if (number !== null) return number[1];
    }
  }
  try {
    const value = (parseLossless(text) as Record<string, unknown>)[field];
    return isLosslessNumber(value) ? value.value : undefined;
  } catch {
    return undefined; // e.g. nesting too deep for the second reader: the field counts as unreadable
  }
}

function negative(value: unknown): string {
  return `real_pay: negative; a refund is not a payment (got ${describe(value)})`;
}

/** A short, one-line picture of a JSON value for a reject reason. */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
