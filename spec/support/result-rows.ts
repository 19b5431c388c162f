/** What the Kafka specs share: the lines of a recorded file, the result table as rows, waiting. */
import { readFileSync } from 'node:fs';
import type { Knex } from 'knex';
import { expect } from 'vitest';
import { exactAttos } from './replay.ts';
import type { RawLine } from './mariadb-reference.ts';
import type { ExpectedRow } from './reference.ts';

/**
 * The non-empty lines of a recorded file. Versions of one order share a partition, in the order
 * produced: the file's line order is the arrival order that decides ties, so the line number
 * stands in for (partition, offset).
 */
export function linesOf(file: string): RawLine[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line, i) => ({ partition: 0, offset: i + 1, line }))
    .filter((record) => record.line.trim() !== '');
}

/** `trade_channel_collect` as the references write it (GMV from the DOUBLE column, exact for these sums). */
export async function resultRows(db: Knex): Promise<ExpectedRow[]> {
  const rows = (await db('trade_channel_collect').orderBy(['begin_time', 'channel_code'])) as Record<string, unknown>[];
  return rows.map((row) => ({
    beginTime: String(row.begin_time),
    channelCode: String(row.channel_code),
    channelName: String(row.channel_name),
    gmvAttos: exactAttos(String(row.cur_gmv)),
    userCount: Number(row.cur_order_user_count),
    orderCount: Number(row.cur_order_count),
    lastPayTime: String(row.last_pay_time),
  }));
}

/**
 * Per group, the history's minutes summed (the GMV as the nearest double of the exact DECIMAL sum)
 * beside the group's row, for the groups that have orders: the two must be equal.
 */
export async function historyBesideRows(db: Knex): Promise<{ history: string[]; rows: string[] }> {
  const sums = (await db('trade_channel_history')
    .select('begin_time', 'channel_code')
    .sum({ gmv: 'gmv', orders: 'order_count' })
    .groupBy('begin_time', 'channel_code')
    .orderBy(['begin_time', 'channel_code'])) as { begin_time: string; channel_code: string; gmv: string | number; orders: string | number }[];
  const rows = (await db('trade_channel_collect').orderBy(['begin_time', 'channel_code'])) as { begin_time: string; channel_code: string; cur_gmv: number; cur_order_count: number | string }[];
  return {
    history: sums.filter((s) => Number(s.orders) > 0).map((s) => `${s.begin_time} ${s.channel_code} ${Number(String(s.gmv))} ${Number(s.orders)}`),
    rows: rows.map((r) => `${r.begin_time} ${r.channel_code} ${r.cur_gmv} ${Number(r.cur_order_count)}`),
  };
}

/** Waits until the condition holds (an error counts as not yet); Error after `timeoutMs`. */
export async function waitFor(condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition().catch(() => false))) {
    if (Date.now() > deadline) throw new Error('Cannot wait longer: the condition never held');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function jsonBigInt(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/** Waits until the table is the reference's; on timeout shows the difference (and fails even if it became exact just then). */
export async function becomesExact(db: Knex, expected: ExpectedRow[], timeoutMs: number): Promise<void> {
  const same = async (): Promise<boolean> => JSON.stringify(await resultRows(db), jsonBigInt) === JSON.stringify(expected, jsonBigInt);
  await waitFor(same, timeoutMs).catch(async () => {
    expect(await resultRows(db)).toEqual(expected);
    throw new Error('the table never became exact');
  });
}

/** Per row key, its order count and GMV, e.g. "2021-03-25 00:00:00 webShop" -> [12, 345.5]. */
export async function figures(db: Knex): Promise<Map<string, [number, number]>> {
  const rows = (await db('trade_channel_collect').select('begin_time', 'channel_code', 'cur_order_count', 'cur_gmv')) as { begin_time: string; channel_code: string; cur_order_count: number; cur_gmv: number }[];
  return new Map(rows.map((r) => [`${r.begin_time} ${r.channel_code}`, [Number(r.cur_order_count), Number(r.cur_gmv)]]));
}

/** The figures of `now` that are below those of `before` (none: nothing went back), e.g. "webShop orders 40 < 52". */
export function wentBack(before: Map<string, [number, number]>, now: Map<string, [number, number]>): string[] {
  const back: string[] = [];
  for (const [key, [orders, gmv]] of before) {
    const [nowOrders, nowGmv] = now.get(key) ?? [0, 0];
    if (nowOrders < orders) back.push(`${key} orders ${nowOrders} < ${orders}`);
    if (nowGmv < gmv) back.push(`${key} gmv ${nowGmv} < ${gmv}`);
  }
  return back;
}

/** Polls the figures every `everyMs` until `stop()`, which resolves with every reading taken. */
export function watchFigures(db: Knex, everyMs: number): { stop(): Promise<Map<string, [number, number]>[]> } {
  const seen: Map<string, [number, number]>[] = [];
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      seen.push(await figures(db));
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    stop: async () => {
      watching = false;
      await watcher;
      return seen;
    },
  };
}

/** Every figure that went back from one reading to the next, starting from `first` (none: nothing ever went back). */
export function wentBackAlong(first: Map<string, [number, number]>, readings: readonly Map<string, [number, number]>[]): string[] {
  let previous = first;
  return readings.flatMap((now) => {
    const back = wentBack(previous, now);
    previous = now;
    return back;
  });
}
