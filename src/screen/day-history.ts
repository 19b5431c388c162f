/**
 * The curves of days from `trade_channel_history`: per channel the cumulative GMV and paid
 * orders through the day (prefix sums of the per-minute figures, exact until they become
 * numbers for the page), and the hourly figures. A row that cannot be read is left out and counted.
 */
import type { Knex } from 'knex';
import { MINUTES_PER_DAY } from '../core/minute-history.ts';
import { addAmount, parseAmount, sumToNumber, zeroSum, type Amount, type MoneySum } from '../core/money.ts';
import type { SkippedRows } from './table-rows.ts';

/** A cumulative series: at each listed minute (ascending), the figures from midnight to the end of it. */
export interface Curve {
  readonly minutes: readonly number[];
  readonly gmv: readonly number[];
  readonly orders: readonly number[];
}

/** The curve of one channel. */
export interface ChannelCurve extends Curve {
  readonly channelCode: string;
}

/** A day as the history holds it. */
export interface DayCurve {
  readonly channels: readonly ChannelCurve[];
  /** Over every channel. */
  readonly total: Curve;
  /** GMV and paid orders of each hour, 0..23, over every channel. */
  readonly hourly: { readonly gmv: readonly number[]; readonly orders: readonly number[] };
}

/** The exact figures of one minute of one channel. */
interface MinuteRow {
  readonly minute: number;
  readonly amount: Amount;
  readonly orders: number;
}

/** What {@link readDayCurves} found. */
export interface DayCurves {
  /** By day; a day without history is absent. */
  readonly curves: ReadonlyMap<string, DayCurve>;
  readonly skipped?: SkippedRows;
}

/** Reads the history of these days (`yyyy-MM-dd`) and makes their curves. */
export async function readDayCurves(db: Knex, days: readonly string[]): Promise<DayCurves> {
  const found = (await db('trade_channel_history')
    .select('begin_time', 'channel_code', 'pay_minute', 'gmv', 'order_count')
    .whereIn('begin_time', days.map((day) => `${day} 00:00:00`))
    .orderBy(['begin_time', 'channel_code', 'pay_minute'])) as Record<string, unknown>[];
  const byDay = new Map<string, Map<string, MinuteRow[]>>();
  let skippedCount = 0;
  let firstSkipped: string | undefined;
  for (const row of found) {
    const read = readMinute(row);
    if (typeof read === 'string') {
      skippedCount += 1;
      firstSkipped ??= `${read} (trade_channel_history, ${String(row.begin_time).slice(0, 10)})`;
      continue;
    }
    const day = String(row.begin_time).slice(0, 10);
    const channels = byDay.get(day) ?? new Map<string, MinuteRow[]>();
    byDay.set(day, channels);
    const code = String(row.channel_code);
    const minutes = channels.get(code);
    if (minutes === undefined) channels.set(code, [read]);
    else minutes.push(read);
  }
  const curves = new Map([...byDay].map(([day, channels]) => [day, dayCurve(channels)]));
  return { curves, ...(firstSkipped !== undefined && { skipped: { count: skippedCount, first: firstSkipped } }) };
}

/** The days the history holds, `yyyy-MM-dd`, in no particular order. */
export async function readHistoryDays(db: Knex): Promise<string[]> {
  const found = (await db('trade_channel_history').distinct('begin_time')) as { begin_time: unknown }[];
  return found.flatMap(({ begin_time: begin }) => (typeof begin === 'string' && begin.endsWith(' 00:00:00') ? [begin.slice(0, 10)] : []));
}

/** The figures at the end of `minute` (0..1439) of a curve: the last listed minute at or before it; zero before the first (or for -1). */
export function curveAt(curve: Curve, minute: number): { gmv: number; orders: number } {
  let low = 0, high = curve.minutes.length - 1, found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if ((curve.minutes[middle] ?? 0) <= minute) (found = middle), (low = middle + 1);
    else high = middle - 1;
  }
  return found < 0 ? { gmv: 0, orders: 0 } : { gmv: curve.gmv[found] ?? 0, orders: curve.orders[found] ?? 0 };
}

function readMinute(row: Record<string, unknown>): MinuteRow | string {
  const minute = Number(row.pay_minute);
  if (!Number.isInteger(minute) || minute < 0 || minute >= MINUTES_PER_DAY) return `pay_minute ${JSON.stringify(String(row.pay_minute))} is not a minute of the day`;
  const amount = typeof row.gmv === 'string' || typeof row.gmv === 'number' ? parseAmount(String(row.gmv)) : undefined;
  if (amount === undefined || typeof amount === 'string') return `gmv ${JSON.stringify(String(row.gmv))} is not an amount`;
  const orders = Number(row.order_count);
  if (!Number.isInteger(orders) || orders < 0) return `order_count ${JSON.stringify(String(row.order_count))} is not a count`;
  return { minute, amount, orders };
}

/** Prefix sums per channel and over every channel, exact (money.ts's sums) until each point is made a number (one rounding). */
function dayCurve(channels: ReadonlyMap<string, readonly MinuteRow[]>): DayCurve {
  const totalGmv = new Map<number, MoneySum>();
  const totalOrders = new Map<number, number>();
  const hourlyGmv = Array.from({ length: 24 }, zeroSum);
  const hourlyOrders = new Array<number>(24).fill(0);
  const curves: ChannelCurve[] = [];
  for (const [channelCode, minutes] of [...channels].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const withOrders = minutes.filter((m) => m.orders > 0 || m.amount > 0);
    if (withOrders.length === 0) continue;
    for (const m of withOrders) {
      let atMinute = totalGmv.get(m.minute);
      if (atMinute === undefined) totalGmv.set(m.minute, (atMinute = zeroSum()));
      addAmount(atMinute, m.amount, 1);
      totalOrders.set(m.minute, (totalOrders.get(m.minute) ?? 0) + m.orders);
      const hour = Math.floor(m.minute / 60);
      addAmount(hourlyGmv[hour]!, m.amount, 1);
      hourlyOrders[hour] = (hourlyOrders[hour] ?? 0) + m.orders;
    }
    curves.push({ channelCode, ...cumulative(withOrders.map((m) => ({ minute: m.minute, add: (sum) => addAmount(sum, m.amount, 1), orders: m.orders }))) });
  }
  const minutes = [...totalGmv.keys()].sort((a, b) => a - b);
  const total = cumulative(minutes.map((minute) => ({ minute, add: (sum) => addSums(sum, totalGmv.get(minute)!), orders: totalOrders.get(minute) ?? 0 })));
  return { channels: curves, total, hourly: { gmv: hourlyGmv.map(sumToNumber), orders: hourlyOrders } };
}

/** Running sums of minutes (ascending), each adding its GMV to the sum. */
function cumulative(minutes: readonly { minute: number; add: (sum: MoneySum) => void; orders: number }[]): Curve {
  const gmv = zeroSum();
  let orders = 0;
  const curve = { minutes: [] as number[], gmv: [] as number[], orders: [] as number[] };
  for (const m of minutes) {
    m.add(gmv);
    orders += m.orders;
    curve.minutes.push(m.minute);
    curve.gmv.push(sumToNumber(gmv));
    curve.orders.push(orders);
  }
  return curve;
}

/** Adds one exact sum to another: its number part and its bigint part, each in its own units. */
function addSums(into: MoneySum, sum: MoneySum): void {
  addAmount(into, sum.small, 1);
  addAmount(into, sum.big, 1);
}
