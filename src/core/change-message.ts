/**
 * The messages of the internal changes topic between the two stages of a scaled-out run: the
 * retract/insert contributions of the dedupe stage, keyed by their group (`begin_time`,
 * `channel_code`) so that every change of a group reaches the same aggregate stage, and the
 * rejects, which the aggregate stage writes with its rows.
 */
import type { Reject } from './batch.ts';
import { TUTORIAL_CHANNELS, type ChannelMap } from './channel.ts';
import { groupKeyText } from './group-key.ts';
import type { Contribution } from './dedupe-state.ts';
import { amountToText, parseAmount } from './money.ts';
import { parseTimestamp } from './order-time.ts';

/** A message for the changes topic. */
export interface ChangeMessage {
  readonly key: string;
  readonly value: string;
}

/** What a changes-topic message holds. */
export type DecodedMessage = { readonly kind: 'changes'; readonly changes: Contribution[] } | { readonly kind: 'reject'; readonly reject: Reject };

/** Changes per message at most: about 100 bytes each, well within Kafka's 1 MB message limit. */
const MAX_CHANGES_PER_MESSAGE = 2000;

/**
 * The messages of a batch's contributions: one per group (and per 2,000 changes), keyed by the
 * group, the changes in their order. One message per group and batch rather than per change
 * keeps the per-message cost of Kafka (and of JSON) off the hot path, as Flink's mini-batches do.
 * The group's channel is the shop's (`channels`, the tutorial's by default), as the aggregate stage resolves it.
 */
export function encodeChanges(changes: readonly Contribution[], channels: ChannelMap = TUTORIAL_CHANNELS): ChangeMessage[] {
  const byGroup = new Map<string, unknown[][]>();
  for (const change of changes) {
    const key = groupKeyText(change.day, channels.of(change.channel).code);
    let tuples = byGroup.get(key);
    if (tuples === undefined) byGroup.set(key, (tuples = []));
    // Amounts travel as exact decimal text, whatever their size or precision.
    tuples.push([change.sign, change.day, change.channel, change.userId, amountToText(change.amount), change.payTime]);
  }
  const messages: ChangeMessage[] = [];
  for (const [key, tuples] of byGroup) {
    for (let start = 0; start < tuples.length; start += MAX_CHANGES_PER_MESSAGE) {
      messages.push({ key, value: JSON.stringify(tuples.slice(start, start + MAX_CHANGES_PER_MESSAGE)) });
    }
  }
  return messages;
}

/** The message of one reject, keyed by the partition it was read from (any key would do). */
export function encodeReject(reject: Reject): ChangeMessage {
  return { key: `reject ${reject.partition}`, value: JSON.stringify({ reject }) };
}

/** Reads a changes-topic message; a message this version did not write is a TypeError naming what is wrong. */
export function decodeMessage(text: string): DecodedMessage {
  const value: unknown = JSON.parse(text);
  if (Array.isArray(value)) {
    const changes: Contribution[] = [];
    for (const tuple of value as unknown[]) {
      const change = Array.isArray(tuple) ? toContribution(tuple as unknown[]) : undefined;
      if (change === undefined) throw new TypeError(`Cannot read change: expected [sign, day, channel, user, amount, pay time], got ${Array.isArray(tuple) ? `a list of ${tuple.length}` : typeof tuple}`);
      changes.push(change);
    }
    return { kind: 'changes', changes };
  }
  if (typeof value === 'object' && value !== null && 'reject' in value) {
    const reject = (value as { reject: Reject }).reject;
    if (typeof reject.reason === 'string' && typeof reject.offset === 'number') return { kind: 'reject', reject };
  }
  throw new TypeError(`Cannot read change: expected a list of changes or {"reject": ...}, got ${text.slice(0, 80)}`);
}

function toContribution([sign, day, channel, userId, amount, payTime]: unknown[]): Contribution | undefined {
  if ((sign === 1 || sign === -1) && typeof day === 'string' && isTextOrNull(channel) && isTextOrNull(userId) && typeof amount === 'string' && typeof payTime === 'string' && parseTimestamp(payTime) !== undefined && payTime.startsWith(day)) {
    const exact = parseAmount(amount);
    if (typeof exact !== 'string') return { sign, day, channel, userId, amount: exact, payTime };
  }
  return undefined;
}

function isTextOrNull(value: unknown): value is string | null {
  return value === null || typeof value === 'string';
}
