/**
 * `/api/day`, `/api/days` and `/api/config` on a table and history that the real `tradeflow run`
 * wrote from the tutorial's sample (2021-03-24 and 2021-03-25), and on tables with bad rows.
 */
import { join } from 'node:path';
import type { Knex } from 'knex';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, parseDatabase } from '../../src/db/connect.ts';
import type { DayView } from '../../src/screen/day-view.ts';
import { startScreen, type Screen } from '../../src/screen/screen-server.ts';
import type { ScreenSnapshot } from '../../src/screen/snapshot.ts';
import { runCli, SAMPLE, scratchDir } from '../support/cli.ts';
import { SAMPLE_NOW, tableWith, upsert, ZONE } from './screen-fixture.ts';

let sampleFile: string;
beforeAll(async () => {
  sampleFile = join(scratchDir(), 'sample.sqlite');
  const run = await runCli(['run', '--source', `file:${SAMPLE}`, '--db', `sqlite:${sampleFile}`, '--days', 'all', '--timezone', ZONE]);
  expect(run.code).toBe(0);
}, 30_000);

let open: { db: Knex; screen: Screen } | undefined;
afterEach(async () => {
  await open?.screen.close();
  await open?.db.destroy();
  open = undefined;
});

async function serve(now: number, db: Knex = openDatabase(parseDatabase(`sqlite:${sampleFile}`))): Promise<string> {
  const screen = await startScreen({ db, port: 0, zone: ZONE, clock: () => now, status: () => ({ pipeline: 'none', database: 'up' }), display: { locale: 'zh-CN', currency: 'CNY' } });
  open = { db, screen };
  return screen.url;
}

const get = async <T>(url: string, path: string): Promise<T> => (await (await fetch(new URL(path, url))).json()) as T;

describe('the screen API', () => {
  it('gives the day so far with its curve from the first minute, and yesterday up to the same time from the history', async () => {
    const url = await serve(SAMPLE_NOW); // 2021-03-25 16:20 in Asia/Shanghai
    const view = await get<DayView>(url, 'api/day?day=2021-03-25');
    expect(view).toMatchObject({ day: '2021-03-25', today: '2021-03-25', atMinute: 16 * 60 + 20, wholeDay: false });
    expect(view.totals).toMatchObject({ gmv: 1585.8, paidOrders: 9 });
    const web = view.curve?.channels.find((c) => c.channelCode === 'webShop');
    expect(web).toEqual({ channelCode: 'webShop', minutes: [0, 367, 490, 976], gmv: [480, 646.5, 886.5, 986.5], orders: [1, 3, 4, 5] });
    expect(view.curve?.total.minutes[0]).toBe(0);
    expect(view.curve?.total.gmv.at(-1)).toBe(1585.8);
    expect(view.curve?.hourly.gmv[6]).toBeCloseTo(50.5 + 88.8 + 166.5, 9);
    expect(view.curve?.hourly.orders.reduce((a, b) => a + b, 0)).toBe(9);
    // 2021-03-24: Website 100.00 at 10:02, Shopping App 180.00 at 16:10: both before 16:20.
    expect(view.yesterday).toMatchObject({ day: '2021-03-24', source: 'history', total: { gmv: 280, orders: 2 }, channels: { webShop: { gmv: 100, orders: 1 }, appShop: { gmv: 180, orders: 1 } } });
    expect(view.lastWeek).toMatchObject({ day: '2021-03-18', source: 'none', total: null, curve: null });
    expect(view.names).toMatchObject({ webShop: 'Website', appShop: 'Shopping App' });
  });

  it('counts of yesterday the minutes before the one under way: at 16:10:30 the payment of 16:10:06 is not in yet', async () => {
    const url = await serve(Date.parse('2021-03-25T16:10:30+08:00'));
    const view = await get<DayView>(url, 'api/day?day=2021-03-25');
    expect(view.atMinute).toBe(970);
    expect(view.yesterday).toMatchObject({ source: 'history', total: { gmv: 100, orders: 1 }, channels: { webShop: { gmv: 100, orders: 1 } } });
    expect(view.yesterday.channels.appShop).toBeUndefined();
  });

  it('compares a past day as a whole with the whole day before it, from the table', async () => {
    const url = await serve(Date.parse('2021-03-27T09:00:00+08:00'));
    const view = await get<DayView>(url, 'api/day?day=2021-03-25');
    expect(view).toMatchObject({ today: '2021-03-27', atMinute: 1440, wholeDay: true });
    expect(view.yesterday).toMatchObject({ source: 'table', total: { gmv: 280, orders: 2 } });
    const earlier = await get<DayView>(url, 'api/day?day=2021-03-24');
    expect(earlier.rows.map((r) => [r.channelCode, r.gmv])).toEqual([['appShop', 180], ['webShop', 100]]);
    expect(await get(url, 'api/days')).toEqual({ today: '2021-03-27', days: ['2021-03-25', '2021-03-24'] });
  });

  it('says the locale, the currency and the zone the page formats with', async () => {
    const url = await serve(SAMPLE_NOW);
    expect(await get(url, 'api/config')).toEqual({ locale: 'zh-CN', currency: 'CNY', zone: ZONE });
  });

  it('gzips a day for a browser that takes it, and refuses a day that is no day in one line', async () => {
    const url = await serve(SAMPLE_NOW);
    const zipped = await fetch(new URL('api/day?day=2021-03-25', url), { headers: { 'Accept-Encoding': 'gzip' } });
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    expect(((await zipped.json()) as DayView).day).toBe('2021-03-25'); // fetch unzips it
    const bad = await fetch(new URL('api/day?day=yesterday', url));
    expect([bad.status, await bad.json()]).toEqual([400, { error: 'Cannot show the day "yesterday": expected a yyyy-MM-dd day' }]);
  });

  it('leaves out and counts rows it cannot read (a begin_time that is no day, a GMV that is no number), and shows the others', async () => {
    const db = await tableWith([]);
    const good = { begin_time: '2021-03-25 00:00:00', channel_code: 'webShop', channel_name: 'Website', cur_gmv: 986.5, cur_order_user_count: 2, cur_order_count: 5, last_pay_time: '2021-03-25 16:16:16', flink_current_time: 'x' };
    await upsert(db, [good, { ...good, begin_time: 'zz not a day' }, { ...good, channel_code: 'appShop', cur_gmv: 'lots' as unknown as number }]);
    await db('trade_channel_history').insert({ begin_time: '2021-03-25 00:00:00', channel_code: 'webShop', pay_minute: 5000, gmv: '1.000000', order_count: 1 });
    const url = await serve(SAMPLE_NOW, db);
    const snapshot = await get<ScreenSnapshot>(url, 'api/snapshot');
    expect(snapshot.day).toBe('2021-03-25');
    expect(snapshot.rows.map((r) => r.channelCode)).toEqual(['webShop']);
    expect(snapshot.skipped).toEqual({ count: 2, first: 'begin_time "zz not a day" is not a day' });
    const view = await get<DayView>(url, 'api/day?day=2021-03-25');
    expect(view.rows.map((r) => r.channelCode)).toEqual(['webShop']);
    expect(view.skipped).toEqual({ count: 2, first: 'cur_gmv "lots" of appShop is not an amount (2021-03-25)' });
    expect(await get(url, 'api/days')).toMatchObject({ days: ['2021-03-25'] });
  });

  it('still shows the table\'s figures when there is no history table (an older writer), and says why there is no curve', async () => {
    const db = await tableWith([]);
    await db.schema.dropTable('trade_channel_history');
    await upsert(db, [{ begin_time: '2021-03-25 00:00:00', channel_code: 'webShop', channel_name: 'Website', cur_gmv: 986.5, cur_order_user_count: 2, cur_order_count: 5, last_pay_time: '2021-03-25 16:16:16', flink_current_time: 'x' }]);
    const url = await serve(SAMPLE_NOW, db);
    const view = await get<DayView>(url, 'api/day?day=2021-03-25');
    expect(view.rows).toHaveLength(1);
    expect(view.curve).toBeNull();
    expect(view.historyError).toMatch(/^Cannot read trade_channel_history: .*no such table/);
  });
});
