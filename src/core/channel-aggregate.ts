/**
 * The figures of one (`begin_time`, `channel_code`) group, all retractable: exact GMV, paid
 * orders, distinct paying users (a count per user), and the last pay time (a count per second
 * of the day, with a count per minute to find the next maximum quickly when the maximum goes).
 */
import { addAmount, sumToNumber, sumToText, zeroSum, type Amount, type MoneySum } from './money.ts';
import { secondOfDay, timestampAt } from './order-time.ts';

/** One change to a group: an order version's contribution added (1) or retracted (-1). */
export interface GroupChange {
  readonly sign: 1 | -1;
  readonly userId: string | null;
  readonly amount: Amount;
  readonly payTime: string;
}

/** The state of one group. */
export interface ChannelGroup {
  readonly day: string;
  readonly channelCode: string;
  readonly channelName: string;
  readonly gmv: MoneySum;
  orders: number;
  readonly users: Map<string, number>;
  readonly paySeconds: Map<number, number>;
  readonly payMinutes: Int32Array;
  lastPaySecond: number;
}

/** A row of `trade_channel_collect`, or the deletion of a group that became empty. */
export interface ResultRow {
  readonly beginTime: string;
  readonly channelCode: string;
  /** null: the group has no order left and its row must go. */
  readonly figures: GroupFigures | null;
}

/** The figures of a group that has orders. */
export interface GroupFigures {
  readonly channelName: string;
  /** The exact sum, e.g. "986.50". */
  readonly gmvText: string;
  /** The same, as the DOUBLE column takes it. */
  readonly gmv: number;
  readonly userCount: number;
  readonly orderCount: number;
  readonly lastPayTime: string;
  /** `flink_current_time`: when the row was computed, `yyyy-MM-dd HH:mm:ss.SSS`. */
  readonly computedAt: string;
}

/** An empty group of a day and channel. */
export function createChannelGroup(day: string, channelCode: string, channelName: string): ChannelGroup {
  return {
    day,
    channelCode,
    channelName,
    gmv: zeroSum(),
    orders: 0,
    users: new Map(),
    paySeconds: new Map(),
    payMinutes: new Int32Array(1440),
    lastPaySecond: -1,
  };
}

/** Applies one change to the group, in place. */
export function applyChange(group: ChannelGroup, change: GroupChange): void {
  const { sign } = change;
  addAmount(group.gmv, change.amount, sign);
  group.orders += sign;
  if (change.userId !== null) countIn(group.users, change.userId, sign);
  const second = secondOfDay(change.payTime);
  countIn(group.paySeconds, second, sign);
  const minute = Math.floor(second / 60);
  group.payMinutes[minute] = (group.payMinutes[minute] ?? 0) + sign;
  if (sign === 1) {
    if (second > group.lastPaySecond) group.lastPaySecond = second;
  } else if (second === group.lastPaySecond && !group.paySeconds.has(second)) {
    group.lastPaySecond = previousPaySecond(group, second);
  }
}

/** The group as a result row, stamped with the time it was computed. */
export function toResultRow(group: ChannelGroup, computedAt: string): ResultRow {
  const beginTime = `${group.day} 00:00:00`;
  if (group.orders === 0) return { beginTime, channelCode: group.channelCode, figures: null };
  return {
    beginTime,
    channelCode: group.channelCode,
    figures: {
      channelName: group.channelName,
      gmvText: sumToText(group.gmv),
      gmv: sumToNumber(group.gmv),
      userCount: group.users.size,
      orderCount: group.orders,
      lastPayTime: timestampAt(group.day, group.lastPaySecond),
      computedAt,
    },
  };
}

/** The greatest pay second below `below` that still has an order, or -1. */
function previousPaySecond(group: ChannelGroup, below: number): number {
  let minute = Math.floor(below / 60);
  // The rest of the same minute first, then whole minutes by their counts.
  for (let second = below - 1; second >= minute * 60; second--) {
    if (group.paySeconds.has(second)) return second;
  }
  for (minute -= 1; minute >= 0; minute--) {
    if ((group.payMinutes[minute] ?? 0) > 0) {
      for (let second = minute * 60 + 59; second >= minute * 60; second--) {
        if (group.paySeconds.has(second)) return second;
      }
    }
  }
  return -1;
}

function countIn<K>(counts: Map<K, number>, key: K, sign: 1 | -1): void {
  const next = (counts.get(key) ?? 0) + sign;
  if (next === 0) counts.delete(key);
  else counts.set(key, next);
}
