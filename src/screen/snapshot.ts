/** What the screen shows at one moment: the rows of a day as the table holds them, and the run's state. */
import type { Knex } from 'knex';
import type { PipelineCounters } from '../core/batch.ts';
import { dayInZone } from '../core/business-day.ts';
import type { PartitionLag, ScreenStatus } from './screen-status.ts';

/** One channel of the day, as `trade_channel_collect` holds it. */
export interface ScreenRow {
  readonly channelCode: string;
  readonly channelName: string;
  readonly gmv: number;
  readonly payingUsers: number;
  readonly paidOrders: number;
  /** `yyyy-MM-dd HH:mm:ss`, or null when the table has none. */
  readonly lastPayTime: string | null;
  /** This channel's part of the day's GMV, 0..1. */
  readonly share: number;
}

/** The day's figures over every channel. */
export interface ScreenTotals {
  readonly gmv: number;
  /** The sum over the channels: someone who paid in two channels counts twice. */
  readonly payingUsers: number;
  readonly paidOrders: number;
  readonly lastPayTime: string | null;
}

/** The run's side of a snapshot (plain data: counters copied). */
export interface SnapshotStatus {
  readonly pipeline: ScreenStatus['pipeline'];
  readonly database: ScreenStatus['database'];
  readonly counters?: PipelineCounters;
  readonly lagMessages?: number;
  readonly lagByPartition?: readonly PartitionLag[];
  readonly sourcePosition?: string;
  readonly orderStates?: number;
  readonly lastFlushMs?: number;
}

/** What `/api/snapshot` answers and `/events` sends. */
export interface ScreenSnapshot {
  /** When it was taken (the screen's clock), epoch milliseconds. */
  readonly generatedAt: number;
  /** The zone of "today". */
  readonly zone: string;
  /** Today, `yyyy-MM-dd` in the zone. */
  readonly today: string;
  /** The day shown: today, or the latest day in the table when it has no row of today; null for an empty table. */
  readonly day: string | null;
  readonly rows: readonly ScreenRow[];
  readonly totals: ScreenTotals;
  readonly status: SnapshotStatus;
  /** Why the table could not be read (the rows are then the last ones read), if it could not. */
  readonly readError?: string;
}

/** The rows of one day, as read from the table. */
export interface DayRows {
  readonly day: string | null;
  readonly rows: readonly ScreenRow[];
}

interface TableRow {
  begin_time: string;
  channel_code: string;
  channel_name: string | null;
  cur_gmv: number | string | null;
  cur_order_user_count: number | string | null;
  cur_order_count: number | string | null;
  last_pay_time: string | null;
}

/** Reads the rows of `today` from `trade_channel_collect`, or of its latest day when there are none of today. */
export async function readDayRows(db: Knex, today: string): Promise<DayRows> {
  let day: string | null = today;
  let rows = await rowsOf(db, today);
  if (rows.length === 0) {
    const latest = (await db('trade_channel_collect').max({ latest: 'begin_time' })) as { latest: string | null }[];
    const begin = latest[0]?.latest ?? null;
    day = begin === null ? null : begin.slice(0, 10);
    rows = begin === null ? [] : await rowsOf(db, day ?? today);
  }
  const gmv = rows.reduce((sum, row) => sum + toNumber(row.cur_gmv), 0);
  return {
    day,
    rows: rows.map((row) => ({
      channelCode: row.channel_code,
      channelName: row.channel_name ?? row.channel_code,
      gmv: toNumber(row.cur_gmv),
      payingUsers: toNumber(row.cur_order_user_count),
      paidOrders: toNumber(row.cur_order_count),
      lastPayTime: row.last_pay_time,
      share: gmv > 0 ? toNumber(row.cur_gmv) / gmv : 0,
    })),
  };
}

function rowsOf(db: Knex, day: string): Promise<TableRow[]> {
  return db('trade_channel_collect')
    .select('begin_time', 'channel_code', 'channel_name', 'cur_gmv', 'cur_order_user_count', 'cur_order_count', 'last_pay_time')
    .where('begin_time', `${day} 00:00:00`)
    .orderBy('channel_code') as Promise<TableRow[]>;
}

/** A DOUBLE or BIGINT as the drivers give it (a number, or a string beyond 2^53). */
function toNumber(value: number | string | null): number {
  if (value === null) return 0;
  return typeof value === 'number' ? value : Number(value);
}

/** The totals of the rows of a day. */
export function totalsOf(rows: readonly ScreenRow[]): ScreenTotals {
  let lastPayTime: string | null = null;
  for (const row of rows) if (row.lastPayTime !== null && (lastPayTime === null || row.lastPayTime > lastPayTime)) lastPayTime = row.lastPayTime;
  return {
    gmv: rows.reduce((sum, row) => sum + row.gmv, 0),
    payingUsers: rows.reduce((sum, row) => sum + row.payingUsers, 0),
    paidOrders: rows.reduce((sum, row) => sum + row.paidOrders, 0),
    lastPayTime,
  };
}

/** The status as plain data, the counters copied (they go on changing). */
export function plainStatus(status: ScreenStatus): SnapshotStatus {
  return {
    pipeline: status.pipeline,
    database: status.database,
    ...(status.counters !== undefined && { counters: { ...status.counters } }),
    ...(status.lagMessages !== undefined && { lagMessages: status.lagMessages }),
    ...(status.lagByPartition !== undefined && { lagByPartition: status.lagByPartition.map((lag) => ({ ...lag })) }),
    ...(status.sourcePosition !== undefined && { sourcePosition: status.sourcePosition }),
    ...(status.orderStates !== undefined && { orderStates: status.orderStates }),
    ...(status.lastFlushMs !== undefined && { lastFlushMs: status.lastFlushMs }),
  };
}

/** Puts a snapshot together. */
export function buildSnapshot(input: {
  readonly now: number;
  readonly zone: string;
  readonly rows: DayRows;
  readonly status: ScreenStatus;
  readonly readError?: string | undefined;
}): ScreenSnapshot {
  return {
    generatedAt: input.now,
    zone: input.zone,
    today: dayInZone(input.now, input.zone),
    day: input.rows.day,
    rows: input.rows.rows,
    totals: totalsOf(input.rows.rows),
    status: plainStatus(input.status),
    ...(input.readError !== undefined && { readError: input.readError }),
  };
}
