/** What the screen shows at one moment: the rows of a day as the table holds them, and the run's state. */
import type { Knex } from 'knex';
import type { PipelineCounters } from '../core/batch.ts';
import { dayInZone } from '../core/business-day.ts';
import type { PartitionLag, ScreenStatus } from './screen-status.ts';
import { addSkipped, readChannelRows, readTableDays, type ScreenRow, type SkippedRows } from './table-rows.ts';

export type { ScreenRow, SkippedRows } from './table-rows.ts';

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
  /** Rows of the table left out because they cannot be read (a begin_time that is no day, a GMV that is no number). */
  readonly skipped?: SkippedRows;
}

/** The rows of one day, as read from the table. */
export interface DayRows {
  readonly day: string | null;
  readonly rows: readonly ScreenRow[];
  readonly skipped?: SkippedRows | undefined;
}

/** Reads the rows of `today` from `trade_channel_collect`, or of its latest day when there are none of today. */
export async function readDayRows(db: Knex, today: string): Promise<DayRows> {
  const { days, skipped: noDay } = await readTableDays(db);
  const day = days.includes(today) ? today : (days[0] ?? null);
  if (day === null) return { day, rows: [], skipped: noDay };
  const { rows, skipped } = await readChannelRows(db, day);
  return { day, rows, skipped: addSkipped(noDay, skipped) };
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
    ...(input.rows.skipped !== undefined && { skipped: input.rows.skipped }),
  };
}
