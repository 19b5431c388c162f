/**
 * `trade_channel_history` as the real `tradeflow run` writes it into SQLite: per group and minute
 * of pay_time, exact, adding up to the rows of trade_channel_collect; replaced whole by a new
 * run of a group, and pruned to `--keep-history` days.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { attosToText } from '../../src/core/money.ts';
import { exactAttos } from '../support/replay.ts';
import { runCli, SAMPLE, scratchDir, sqliteRows } from '../support/cli.ts';

const HISTORY_SQL = 'select begin_time, channel_code, pay_minute, gmv, order_count from trade_channel_history order by begin_time, channel_code, pay_minute';

const minute = (begin_time: string, channel_code: string, pay_minute: number, gmv: string, order_count: number) => ({ begin_time, channel_code, pay_minute, gmv, order_count });

describe('the history of the day curves', () => {
  it('holds per channel and minute of pay_time the exact GMV and paid orders of a replayed stream, for every day it covers', async () => {
    const db = join(scratchDir(), 'h.sqlite');
    expect((await runCli(['run', '--source', `file:${SAMPLE}`, '--db', `sqlite:${db}`, '--days', 'all'])).code).toBe(0);
    const [day, before] = ['2021-03-25 00:00:00', '2021-03-24 00:00:00'];
    expect(sqliteRows(db, HISTORY_SQL)).toEqual([
      minute(before, 'appShop', 970, '180.00', 1), // 16:10:06
      minute(before, 'webShop', 602, '100.00', 1), // 10:02:03
      minute(day, 'appShop', 367, '50.50', 1), // 06:07:00
      minute(day, 'miniAppShop', 367, '88.80', 1),
      minute(day, 'miniAppShop', 723, '60.00', 1), // 12:03:00
      minute(day, 'other', 910, '400.00', 1), // 15:10:00
      minute(day, 'webShop', 0, '480.00', 1), // 00:00:00
      minute(day, 'webShop', 367, '166.50', 2), // 66.60 + 99.90
      minute(day, 'webShop', 490, '240.00', 1), // 08:10:00
      minute(day, 'webShop', 976, '100.00', 1), // 16:16:16
    ]);
  }, 30_000);

  it('adds up, group by group, to exactly the rows of trade_channel_collect for a generated day', async () => {
    const dir = scratchDir();
    const file = join(dir, 'day.jsonl');
    expect((await runCli(['generate', '--orders', '20000', '--seed', '5', '--day', '2021-03-25', '--days', '2', '--out', file])).code).toBe(0);
    const db = join(dir, 'h.sqlite');
    expect((await runCli(['run', '--source', `file:${file}`, '--db', `sqlite:${db}`, '--days', 'all', '--flush-rows', '50'])).code).toBe(0);
    const sums = new Map<string, { gmv: bigint; orders: number; first: number }>();
    for (const row of sqliteRows(db, HISTORY_SQL)) {
      const key = `${String(row.begin_time)}|${String(row.channel_code)}`;
      const at = sums.get(key) ?? { gmv: 0n, orders: 0, first: Infinity };
      sums.set(key, { gmv: at.gmv + exactAttos(String(row.gmv)), orders: at.orders + Number(row.order_count), first: Math.min(at.first, Number(row.pay_minute)) });
    }
    const rows = sqliteRows(db, 'select begin_time, channel_code, cur_gmv, cur_order_count from trade_channel_collect');
    expect(rows.length).toBeGreaterThanOrEqual(8);
    expect([...sums.keys()].sort()).toEqual(rows.map((row) => `${String(row.begin_time)}|${String(row.channel_code)}`).sort());
    for (const row of rows) {
      const sum = sums.get(`${String(row.begin_time)}|${String(row.channel_code)}`)!;
      expect(Number(attosToText(sum.gmv))).toBe(row.cur_gmv);
      expect(sum.orders).toBe(row.cur_order_count);
    }
    // The curve of the day starts at its first minute: orders are paid from 00:00 on.
    const firsts = [...sums.entries()].filter(([key]) => key.startsWith('2021-03-25')).map(([, sum]) => sum.first);
    expect(Math.min(...firsts)).toBeLessThanOrEqual(1);
  }, 60_000);

  it('replaces the minutes of a group that a new run writes, and writes the same minutes again for the same stream', async () => {
    const dir = scratchDir();
    const db = join(dir, 'h.sqlite');
    const run = (file: string) => runCli(['run', '--source', `file:${file}`, '--db', `sqlite:${db}`, '--as-of', '2021-03-25 00:00:00']);
    expect((await run(SAMPLE)).code).toBe(0);
    const first = sqliteRows(db, HISTORY_SQL);
    expect((await run(SAMPLE)).code).toBe(0);
    expect(sqliteRows(db, HISTORY_SQL)).toEqual(first);
    // Another recording of the day with one Website order: its row and its minutes are that order's alone.
    const other = join(dir, 'other.jsonl');
    writeFileSync(other, '{"order_id":"z1","order_channel":"webShop","order_time":"2021-03-25 10:00:00","real_pay":"7.25","pay_time":"2021-03-25 10:00:30","user_id":"u9"}\n');
    expect((await run(other)).code).toBe(0);
    const web = sqliteRows(db, HISTORY_SQL).filter((row) => row.channel_code === 'webShop');
    expect(web).toEqual([minute('2021-03-25 00:00:00', 'webShop', 600, '7.25', 1)]);
    expect(sqliteRows(db, "select cur_gmv from trade_channel_collect where channel_code = 'webShop'")).toEqual([{ cur_gmv: 7.25 }]);
  }, 30_000);

  it('keeps --keep-history days before the newest day written, and every day of trade_channel_collect', async () => {
    const dir = scratchDir();
    const file = join(dir, 'week.jsonl');
    expect((await runCli(['generate', '--orders', '5000', '--seed', '2', '--day', '2021-03-25', '--days', '5', '--out', file])).code).toBe(0);
    const db = join(dir, 'h.sqlite');
    expect((await runCli(['run', '--source', `file:${file}`, '--db', `sqlite:${db}`, '--days', 'all', '--keep-history', '2'])).code).toBe(0);
    const days = sqliteRows(db, 'select distinct substr(begin_time, 1, 10) as day from trade_channel_collect order by day').map((row) => String(row.day));
    expect(days).toEqual(expect.arrayContaining(['2021-03-21', '2021-03-22', '2021-03-23', '2021-03-24', '2021-03-25']));
    // The newest day is the one after --day (a few orders paid just after midnight): it and the two before it stay.
    expect(days.at(-1)).toBe('2021-03-26');
    const kept = sqliteRows(db, 'select distinct substr(begin_time, 1, 10) as day from trade_channel_history order by day').map((row) => row.day);
    expect(kept).toEqual(['2021-03-24', '2021-03-25', '2021-03-26']);
  }, 30_000);

  it('refuses a --keep-history that is not a whole number of days, in one line', async () => {
    const result = await runCli(['run', '--source', `file:${SAMPLE}`, '--keep-history', '0']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('ERROR --keep-history: expected a whole number of at least 1, got "0"');
  }, 30_000);
});
