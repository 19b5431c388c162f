/**
 * One day as the screen shows it (`/api/day`): its rows, its curve, and the same day of the
 * week before and the day before at the same time of day. For today that time is now; for a
 * past day it is the end of the day, and a whole day's figures come from the table itself.
 */
import type { Knex } from 'knex';
import { dayInZone, minuteInZone, shiftDay } from '../core/business-day.ts';
import { channelOf } from '../core/channel.ts';
import { MINUTES_PER_DAY } from '../core/minute-history.ts';
import { curveAt, readDayCurves, type Curve, type DayCurve } from './day-history.ts';
import { totalsOf, type ScreenTotals } from './snapshot.ts';
import { addSkipped, readChannelRows, type ScreenRow, type SkippedRows } from './table-rows.ts';
import { firstLineOf } from '../core/first-line.ts';

/** GMV and paid orders up to a time of day. */
export interface Figures {
  readonly gmv: number;
  readonly orders: number;
}

/** A day to compare with, up to the same time of day. */
export interface Comparison {
  /** `yyyy-MM-dd`. */
  readonly day: string;
  /** Where the figures come from: the table (a whole day), the history (part of a day), or none known. */
  readonly source: 'table' | 'history' | 'none';
  /** Over every channel; null when nothing is known of that day. */
  readonly total: Figures | null;
  /** By channel code; a channel without sales that day is absent (it sold nothing). */
  readonly channels: Readonly<Record<string, Figures>>;
}

/** What `/api/day` answers. */
export interface DayView {
  readonly day: string;
  readonly today: string;
  readonly zone: string;
  /**
   * The time of day the comparisons are made at, in minutes since midnight: now for today
   * (16:20:30 is 980: the minutes before 16:20 count), 1440 for a whole day.
   */
  readonly atMinute: number;
  /** True for a day that is over (or not today): the comparisons are of whole days. */
  readonly wholeDay: boolean;
  readonly rows: readonly ScreenRow[];
  readonly totals: ScreenTotals;
  /** The day's curve; null when the history has none of it. */
  readonly curve: DayCurve | null;
  readonly yesterday: Comparison & { readonly curve: DayCurve | null };
  readonly lastWeek: Comparison & { readonly curve: { readonly total: Curve } | null };
  /** The channels' names, by code, as the table names them. */
  readonly names: Readonly<Record<string, string>>;
  /** Rows of these days left out because they cannot be read. */
  readonly skipped?: SkippedRows;
  /** Why the history could not be read, if it could not (the figures of the table are still shown). */
  readonly historyError?: string;
}

/** Reads everything the screen shows of `day` (`yyyy-MM-dd`), at the instant `now` in `zone`. */
export async function readDayView(db: Knex, day: string, now: number, zone: string): Promise<DayView> {
  const today = dayInZone(now, zone);
  const wholeDay = day !== today;
  const atMinute = wholeDay ? MINUTES_PER_DAY : minuteInZone(now, zone);
  const yesterday = shiftDay(day, -1);
  const lastWeek = shiftDay(day, -7);
  const [shown, before, weekBefore] = await Promise.all([day, yesterday, lastWeek].map((d) => readChannelRows(db, d)));
  let curves: ReadonlyMap<string, DayCurve> = new Map();
  let historySkipped: SkippedRows | undefined;
  let historyError: string | undefined;
  try {
    const read = await readDayCurves(db, [day, yesterday, lastWeek]);
    curves = read.curves;
    historySkipped = read.skipped;
  } catch (error) {
    historyError = `Cannot read trade_channel_history: ${firstLineOf(error)}`;
  }
  const names: Record<string, string> = {};
  for (const { rows } of [weekBefore!, before!, shown!]) for (const row of rows) names[row.channelCode] = row.channelName;
  for (const curve of curves.values()) for (const { channelCode } of curve.channels) names[channelCode] ??= nameOf(channelCode);
  const yesterdayCurve = curves.get(yesterday) ?? null;
  const lastWeekCurve = curves.get(lastWeek) ?? null;
  const skipped = addSkipped(shown!.skipped, before!.skipped, weekBefore!.skipped, historySkipped);
  return {
    day,
    today,
    zone,
    atMinute,
    wholeDay,
    rows: shown!.rows,
    totals: totalsOf(shown!.rows),
    curve: curves.get(day) ?? null,
    yesterday: { ...compare(yesterday, before!.rows, yesterdayCurve, wholeDay, atMinute), curve: yesterdayCurve },
    lastWeek: { ...compare(lastWeek, weekBefore!.rows, lastWeekCurve, wholeDay, atMinute), curve: lastWeekCurve === null ? null : { total: lastWeekCurve.total } },
    names,
    ...(skipped !== undefined && { skipped }),
    ...(historyError !== undefined && { historyError }),
  };
}

/** A whole day from the table's rows (its truth), part of a day from the history. */
function compare(day: string, rows: readonly ScreenRow[], curve: DayCurve | null, wholeDay: boolean, atMinute: number): Comparison {
  if (wholeDay && rows.length > 0) {
    const channels = Object.fromEntries(rows.map((row) => [row.channelCode, { gmv: row.gmv, orders: row.paidOrders }]));
    const totals = totalsOf(rows);
    return { day, source: 'table', total: { gmv: totals.gmv, orders: totals.paidOrders }, channels };
  }
  if (curve !== null) {
    const channels: Record<string, Figures> = {};
    for (const channel of curve.channels) {
      const figures = curveAt(channel, atMinute - 1);
      if (figures.orders > 0) channels[channel.channelCode] = figures;
    }
    return { day, source: 'history', total: curveAt(curve.total, atMinute - 1), channels };
  }
  return { day, source: 'none', total: null, channels: {} };
}

/** The name of a channel that has no row to name it: the tutorial's names, else its code. */
function nameOf(code: string): string {
  const channel = channelOf(code);
  return channel.code === code ? channel.name : code;
}

