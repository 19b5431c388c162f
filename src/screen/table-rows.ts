/**
 * `trade_channel_collect` as the screen reads it. Another writer or a hand edit may leave rows
 * the page cannot show (a `begin_time` that is no day, a GMV that is no number): those are left
 * out and counted, never passed on, so that one bad row cannot blank the screen.
 */
import type { Knex } from 'knex';
import { parseTimestamp } from '../core/order-time.ts';

/** One channel of a day, as `trade_channel_collect` holds it. */
export interface ScreenRow {
  readonly channelCode: string;
  readonly channelName: string;
  readonly gmv: number;
  readonly payingUsers: number;
  readonly paidOrders: number;
  /** `yyyy-MM-dd HH:mm:ss`, or null when the table has none (or none that is a time). */
  readonly lastPayTime: string | null;
  /** This channel's part of the day's GMV, 0..1. */
  readonly share: number;
}

/** Rows left out because they cannot be read: how many, and why the first one. */
export interface SkippedRows {
  readonly count: number;
  /** e.g. `begin_time "yesterday" is not a day`. */
  readonly first: string;
}

/** The days of the table, newest first, and the rows whose `begin_time` is no day. */
export interface TableDays {
  readonly days: readonly string[];
  readonly skipped?: SkippedRows;
}

/** The readable rows of a day, in channel order, and the ones left out. */
export interface ChannelRows {
  readonly rows: readonly ScreenRow[];
  readonly skipped?: SkippedRows;
}

/** The `yyyy-MM-dd` of a `begin_time` that is the start of a real day, else undefined. */
export function dayOfBeginTime(value: unknown): string | undefined {
  if (typeof value !== 'string' || !value.endsWith(' 00:00:00') || parseTimestamp(value) === undefined) return undefined;
  return value.slice(0, 10);
}

/** The days that `trade_channel_collect` has rows of, newest first, and how many rows have no day. */
export async function readTableDays(db: Knex): Promise<TableDays> {
  const groups = (await db('trade_channel_collect').select('begin_time').count({ n: '*' }).groupBy('begin_time')) as { begin_time: unknown; n: number | string }[];
  const days: string[] = [];
  const skipped = skippedCounter();
  for (const group of groups) {
    const day = dayOfBeginTime(group.begin_time);
    if (day !== undefined) days.push(day);
    else skipped.add(`begin_time ${quoted(group.begin_time)} is not a day`, Number(group.n));
  }
  return { days: days.sort().reverse(), ...skipped.result() };
}

/** The rows of a day that can be read, by channel code, and the ones left out. */
export async function readChannelRows(db: Knex, day: string): Promise<ChannelRows> {
  const found = (await db('trade_channel_collect')
    .select('channel_code', 'channel_name', 'cur_gmv', 'cur_order_user_count', 'cur_order_count', 'last_pay_time')
    .where('begin_time', `${day} 00:00:00`)
    .orderBy('channel_code')) as Record<string, unknown>[];
  const skipped = skippedCounter();
  const readable: Omit<ScreenRow, 'share'>[] = [];
  for (const row of found) {
    const read = readRow(row);
    if (typeof read === 'string') skipped.add(`${read} (${day})`, 1);
    else readable.push(read);
  }
  const total = readable.reduce((sum, row) => sum + row.gmv, 0);
  return { rows: readable.map((row) => ({ ...row, share: total > 0 ? row.gmv / total : 0 })), ...skipped.result() };
}

/** A row as the page shows it, or why it cannot be shown. */
function readRow(row: Record<string, unknown>): Omit<ScreenRow, 'share'> | string {
  const code = row.channel_code;
  if (typeof code !== 'string' || code === '') return `channel_code ${quoted(code)} is not a channel`;
  const gmv = amount(row.cur_gmv);
  if (gmv === undefined) return `cur_gmv ${quoted(row.cur_gmv)} of ${code} is not an amount`;
  const users = count(row.cur_order_user_count);
  if (users === undefined) return `cur_order_user_count ${quoted(row.cur_order_user_count)} of ${code} is not a count`;
  const orders = count(row.cur_order_count);
  if (orders === undefined) return `cur_order_count ${quoted(row.cur_order_count)} of ${code} is not a count`;
  const name = typeof row.channel_name === 'string' && row.channel_name.trim() !== '' ? row.channel_name : code;
  // A last payment that is no time is shown as none: the figures of the row are still good.
  const last = typeof row.last_pay_time === 'string' && parseTimestamp(row.last_pay_time) !== undefined ? row.last_pay_time : null;
  return { channelCode: code, channelName: name, gmv, payingUsers: users, paidOrders: orders, lastPayTime: last };
}

/** Two counts of skipped rows as one. */
export function addSkipped(...parts: readonly (SkippedRows | undefined)[]): SkippedRows | undefined {
  const present = parts.filter((part): part is SkippedRows => part !== undefined && part.count > 0);
  if (present.length === 0) return undefined;
  return { count: present.reduce((sum, part) => sum + part.count, 0), first: present[0]!.first };
}

/** A DOUBLE as the drivers give it (a number; a string from a hand-typed SQLite row), finite and not negative. */
function amount(value: unknown): number | undefined {
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^\s*[+]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(value) ? Number(value) : NaN;
  return Number.isFinite(number) && number >= 0 ? number : undefined;
}

/** A BIGINT count as the drivers give it (a number, or a string beyond 2^53). */
function count(value: unknown): number | undefined {
  const number = typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(number) && number >= 0 ? number : undefined;
}

function quoted(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  const text = typeof value === 'string' ? value : String(value);
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

function skippedCounter(): { add(reason: string, rows: number): void; result(): { skipped?: SkippedRows } } {
  let count = 0;
  let first: string | undefined;
  return {
    add: (reason, rows) => {
      count += rows;
      first ??= reason;
    },
    result: () => (first === undefined ? {} : { skipped: { count, first } }),
  };
}
