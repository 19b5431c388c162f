/**
 * The curves of days from `trade_channel_history`: per channel the cumulative GMV and paid
 * orders through the day (prefix sums of the per-minute figures, exact until they become
 * numbers for the page), and the hourly figures. A row that cannot be read is left out and counted.
 */
import type { Knex } from 'knex';
import { MINUTES_PER_DAY } from '../core/minute-history.ts';
import { microsFromText, microsToNumber, type Micros } from '../core/money.ts';
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
  readonly micros: Micros;
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
  const micros = typeof row.gmv === 'string' || typeof row.gmv === 'number' ? microsFromText(String(row.gmv)) : undefined;
  if (micros === undefined || micros < 0) return `gmv ${JSON.stringify(String(row.gmv))} is not an amount`;
  const orders = Number(row.order_count);
  if (!Number.isInteger(orders) || orders < 0) return `order_count ${JSON.stringify(String(row.order_count))} is not a count`;
  return { minute, micros, orders };
}

/** Prefix sums per channel and over every channel, exact in micro-units until each point is made a number (one rounding). */
function dayCurve(channels: ReadonlyMap<string, readonly MinuteRow[]>): DayCurve {
  const totalMicros = new Map<number, Micros>();
  const totalOrders = new Map<number, number>();
  const hourlyMicros = new Array<Micros>(24).fill(0);
  const hourlyOrders = new Array<number>(24).fill(0);
  const curves: ChannelCurve[] = [];
  for (const [channelCode, minutes] of [...channels].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const withOrders = minutes.filter((m) => m.orders > 0 || m.micros > 0);
    if (withOrders.length === 0) continue;
    for (const m of withOrders) {
      totalMicros.set(m.minute, plus(totalMicros.get(m.minute) ?? 0, m.micros));
      totalOrders.set(m.minute, (totalOrders.get(m.minute) ?? 0) + m.orders);
      const hour = Math.floor(m.minute / 60);
      hourlyMicros[hour] = plus(hourlyMicros[hour] ?? 0, m.micros);
      hourlyOrders[hour] = (hourlyOrders[hour] ?? 0) + m.orders;
    }
    curves.push({ channelCode, ...cumulative(withOrders) });
  }
  const total = [...totalMicros.keys()].sort((a, b) => a - b).map((minute) => ({ minute, micros: totalMicros.get(minute) ?? 0, orders: totalOrders.get(minute) ?? 0 }));
  return { channels: curves, total: cumulative(total), hourly: { gmv: hourlyMicros.map(microsToNumber), orders: hourlyOrders } };
}

function cumulative(minutes: readonly MinuteRow[]): Curve {
  let micros: Micros = 0, orders = 0;
  const curve = { minutes: [] as number[], gmv: [] as number[], orders: [] as number[] };
  for (const m of minutes) {
    micros = plus(micros, m.micros);
    orders += m.orders;
    curve.minutes.push(m.minute);
    curve.gmv.push(microsToNumber(micros));
    curve.orders.push(orders);
  }
  return curve;
}

/** An exact sum of micro-units: a number while it is a safe integer (nearly always), a bigint beyond. */
function plus(a: Micros, b: Micros): Micros {
  if (typeof a === 'number' && typeof b === 'number') {
    const sum = a + b;
    if (Number.isSafeInteger(sum)) return sum;
  }
  return BigInt(a) + BigInt(b);
}
