/**
 * The messages of the internal changes topic between the two stages of a scaled-out run: the
 * retract/insert contributions of the dedupe stage, keyed by their group (`begin_time`,
 * `channel_code`) so that every change of a group reaches the same aggregate stage, and the
 * rejects, which the aggregate stage writes with its rows.
 */
import type { Reject } from './batch.ts';
import { channelOf } from './channel.ts';
import type { Contribution } from './dedupe-state.ts';
import { compactMicros, type Micros } from './money.ts';

/** A message for the changes topic. */
export interface ChangeMessage {
  readonly key: string;
  readonly value: string;
}

/** What a changes-topic message holds. */
export type DecodedChange = { readonly kind: 'change'; readonly change: Contribution } | { readonly kind: 'reject'; readonly reject: Reject };

/** The message of one contribution, keyed by its group. */
export function encodeChange(change: Contribution): ChangeMessage {
  // Amounts travel as integer micro-units in text: exact for any size, bigint or not.
  const value = JSON.stringify([change.sign, change.day, change.channel, change.userId, String(change.amount), change.payTime]);
  return { key: `${change.day} ${channelOf(change.channel).code}`, value };
}

/** The message of one reject, keyed by the partition it was read from (any key would do). */
export function encodeReject(reject: Reject): ChangeMessage {
  return { key: `reject ${reject.partition}`, value: JSON.stringify({ reject }) };
}

/** Reads a changes-topic message; a message this version did not write is a TypeError naming what is wrong. */
export function decodeChange(text: string): DecodedChange {
  const value: unknown = JSON.parse(text);
  if (Array.isArray(value)) {
    const [sign, day, channel, userId, amount, payTime] = value as unknown[];
    if ((sign === 1 || sign === -1) && typeof day === 'string' && isTextOrNull(channel) && isTextOrNull(userId) && typeof amount === 'string' && /^-?\d+$/.test(amount) && typeof payTime === 'string') {
      return { kind: 'change', change: { sign, day, channel, userId, amount: micros(amount), payTime } };
    }
  } else if (typeof value === 'object' && value !== null && 'reject' in value) {
    const reject = (value as { reject: Reject }).reject;
    if (typeof reject.reason === 'string' && typeof reject.offset === 'number') return { kind: 'reject', reject };
  }
  throw new TypeError(`Cannot read change: expected [sign, day, channel, user, micros, pay time] or {"reject": ...}, got ${text.slice(0, 80)}`);
}

function isTextOrNull(value: unknown): value is string | null {
  return value === null || typeof value === 'string';
}

function micros(text: string): Micros {
  return text.length < 16 ? Number(text) : compactMicros(BigInt(text));
}
