/**
 * The figures of one (`begin_time`, `channel_code`) group, all retractable: exact GMV, paid
 * orders, distinct paying users (a count per user), and the last pay time (a count per second
 * of the day, with a count per minute to find the next maximum quickly when the maximum goes).
 * Per minute of the day it also keeps the exact GMV, for the day's curve (`minute-history.ts`).
 */
import { countUser, createGroupUsers, type GroupUsers } from './group-users.ts';
import type { Interned } from './interned.ts';
import type { MinuteChanges, MinuteFigures } from './minute-history.ts';
import { addAmount, sumToNumber, sumToText, zeroSum, type Amount, type MoneySum } from './money.ts';
import { secondOfDay, timestampAt } from './order-time.ts';

/** One change to a group: an order version's contribution added (1) or retracted (-1). */
export interface GroupChange {
  readonly sign: 1 | -1;
  readonly userId: string | null;
  readonly amount: Amount;
  readonly payTime: string;
  /** The numbering `user` is `userId`'s number in, when the change has one (see `group-users.ts`). */
  readonly users?: Interned | undefined;
  readonly user?: number | undefined;
}

/** The state of one group. */
export interface ChannelGroup {
  readonly day: string;
  readonly channelCode: string;
  readonly channelName: string;
  readonly gmv: MoneySum;
  orders: number;
  /** Orders per paying user. */
  readonly users: GroupUsers;
  /**
   * Paid orders per second of `pay_time`, by minute of the day: 60 counts, made when the minute
   * first has an order (arrays, not a Map of 86,400 seconds: counting is the aggregate's busiest step).
   */
  readonly paySeconds: (Int32Array | undefined)[];
  /** Paid orders per minute of the day of `pay_time`. */
  readonly payMinutes: Int32Array;
  lastPaySecond: number;
  /** The exact GMV per minute of the day, for the minutes that have orders (1,440 entries). */
  readonly minuteGmv: (MoneySum | undefined)[];
  /** The minutes changed since the group's last row. */
  readonly changedMinutes: Set<number>;
  /** Whether a row was taken yet: the first one carries every minute. */
  minutesTaken: boolean;
}

/** A row of `trade_channel_collect`, or the deletion of a group that became empty. */
export interface ResultRow {
  readonly beginTime: string;
  readonly channelCode: string;
  /** null: the group has no order left and its row must go. */
  readonly figures: GroupFigures | null;
  /** The minutes of the day that changed since the group's previous row. */
  readonly history: MinuteChanges;
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
    users: createGroupUsers(),
    paySeconds: new Array<Int32Array | undefined>(MINUTES).fill(undefined),
    payMinutes: new Int32Array(MINUTES),
    lastPaySecond: -1,
    minuteGmv: new Array<MoneySum | undefined>(MINUTES).fill(undefined),
    changedMinutes: new Set(),
    minutesTaken: false,
  };
}

/** Applies one change to the group, in place. */
export function applyChange(group: ChannelGroup, change: GroupChange): void {
  const { sign } = change;
  addAmount(group.gmv, change.amount, sign);
  group.orders += sign;
  if (change.userId !== null) countUser(group.users, change.userId, sign, change.users, change.user);
  const second = secondOfDay(change.payTime);
  const minute = Math.floor(second / 60);
  const inSecond = addPaySecond(group, second, sign);
  if (group.payMinutes[minute] === 0) {
    group.minuteGmv[minute] = undefined; // its last order left: its GMV is exactly zero
  } else {
    let gmv = group.minuteGmv[minute];
    if (gmv === undefined) group.minuteGmv[minute] = gmv = zeroSum();
    addAmount(gmv, change.amount, sign);
  }
  group.changedMinutes.add(minute);
  if (sign === 1) {
    if (second > group.lastPaySecond) group.lastPaySecond = second;
  } else if (second === group.lastPaySecond && inSecond === 0) {
    group.lastPaySecond = previousPaySecond(group, second);
  }
}

/**
 * The group as a result row, stamped with the time it was computed. It takes the minutes changed
 * since the previous row with it (and so clears them): call it once per row written.
 */
export function toResultRow(group: ChannelGroup, computedAt: string): ResultRow {
  const beginTime = `${group.day} 00:00:00`;
  const history = takeMinuteChanges(group);
  if (group.orders === 0) return { beginTime, channelCode: group.channelCode, figures: null, history };
  return {
    beginTime,
    channelCode: group.channelCode,
    history,
    figures: {
      channelName: group.channelName,
      gmvText: sumToText(group.gmv),
      gmv: sumToNumber(group.gmv),
      userCount: group.users.distinct,
      orderCount: group.orders,
      lastPayTime: timestampAt(group.day, group.lastPaySecond),
      computedAt,
    },
  };
}

/** The minutes changed since the last call (every minute with orders, the first time), and clears them. */
export function takeMinuteChanges(group: ChannelGroup): MinuteChanges {
  const whole = !group.minutesTaken;
  const minutes = [...group.changedMinutes].sort((a, b) => a - b).map((minute): MinuteFigures => {
    const gmv = group.minuteGmv[minute];
    return { minute, gmvText: gmv === undefined ? ZERO_TEXT : sumToText(gmv), orderCount: group.payMinutes[minute] ?? 0 };
  });
  group.changedMinutes.clear();
  group.minutesTaken = true;
  return { whole, minutes };
}

const ZERO_TEXT = sumToText(zeroSum());

/** The greatest pay second below `below` that still has an order, or -1. */
function previousPaySecond(group: ChannelGroup, below: number): number {
  // The rest of the same minute first, then the latest earlier minute with orders.
  for (let minute = Math.floor(below / 60), last = below - 1 - minute * 60; minute >= 0; minute--, last = 59) {
    const seconds = group.paySeconds[minute];
    if (seconds === undefined || group.payMinutes[minute] === 0) continue;
    for (let i = last; i >= 0; i--) if (seconds[i]! > 0) return minute * 60 + i;
  }
  return -1;
}

/** The orders of each second that has any, as [second of the day, orders] (a snapshot's form). */
export function paySecondCounts(group: ChannelGroup): [number, number][] {
  const out: [number, number][] = [];
  group.paySeconds.forEach((seconds, minute) => seconds?.forEach((count, i) => count !== 0 && out.push([minute * 60 + i, count])));
  return out;
}

/** Counts `orders` (negative: out) at `second` of the day, in its minute too; returns the second's count now. */
export function addPaySecond(group: ChannelGroup, second: number, orders: number): number {
  const minute = Math.floor(second / 60);
  const seconds = (group.paySeconds[minute] ??= new Int32Array(60));
  group.payMinutes[minute] = group.payMinutes[minute]! + orders;
  return (seconds[second - minute * 60] = seconds[second - minute * 60]! + orders);
}

const MINUTES = 1440;
