import { expect, it } from 'vitest';
import { openDatabase, parseDatabase } from '../../src/db/connect.ts';
import { migrateToLatest } from '../../src/db/migration-source.ts';
import { watchDatabase } from '../../src/screen/database-watch.ts';
import { startScreen } from '../../src/screen/screen-server.ts';
import type { DayView } from '../../src/screen/day-view.ts';
import type { ScreenSnapshot } from '../../src/screen/snapshot.ts';
import { MARIADB, useSpecDatabase } from '../support/mysql.ts';
import { describeWithService, isReachable } from '../support/services.ts';
import { SAMPLE_NOW, SAMPLE_ROWS, upsert, ZONE } from './screen-fixture.ts';

describeWithService(MARIADB, await isReachable(MARIADB), 'the screen on MariaDB', () => {
  const spec = useSpecDatabase();

  it('shows the rows of the day as numbers, BIGINT counts and DOUBLE amounts alike, and says the database is up', async () => {
    const db = spec.open();
    await migrateToLatest(db);
    await upsert(db, [...SAMPLE_ROWS, { ...SAMPLE_ROWS[0]!, begin_time: '2021-03-24 00:00:00', cur_gmv: 180 }]);
    const database = await watchDatabase(db);
    let now = SAMPLE_NOW;
    const screen = await startScreen({ db, port: 0, zone: ZONE, clock: () => now, status: () => ({ pipeline: 'none', database: database.state() }) });
    try {
      const snapshot = (await (await fetch(new URL('api/snapshot', screen.url))).json()) as ScreenSnapshot;
      expect(snapshot.day).toBe('2021-03-25');
      expect(snapshot.rows.map((r) => [r.channelCode, r.gmv, r.payingUsers, r.paidOrders, r.lastPayTime])).toEqual(
        SAMPLE_ROWS.map((r) => [r.channel_code, r.cur_gmv, r.cur_order_user_count, r.cur_order_count, r.last_pay_time]),
      );
      expect(snapshot.totals).toEqual({ gmv: 1585.8, payingUsers: 6, paidOrders: 9, lastPayTime: '2021-03-25 16:16:16' });
      expect(snapshot.status.database).toBe('up');
      now = Date.parse('2021-03-30T10:00:00+08:00'); // no row of that day: the latest day there is
      const later = (await (await fetch(new URL('api/snapshot', screen.url))).json()) as ScreenSnapshot;
      expect([later.today, later.day, later.rows.length]).toEqual(['2021-03-30', '2021-03-25', 4]);
    } finally {
      database.stop();
      await screen.close();
    }
  }, 30_000);

  it('draws a day\'s curve from trade_channel_history, exact from its DECIMAL text', async () => {
    const db = spec.open();
    await migrateToLatest(db);
    await upsert(db, SAMPLE_ROWS);
    const day = '2021-03-25 00:00:00';
    await db('trade_channel_history').delete();
    await db('trade_channel_history').insert([
      { begin_time: day, channel_code: 'webShop', pay_minute: 0, gmv: '480.000000', order_count: 1 },
      { begin_time: day, channel_code: 'webShop', pay_minute: 367, gmv: '166.500000', order_count: 2 },
      { begin_time: day, channel_code: 'other', pay_minute: 910, gmv: '0.100000000000000001', order_count: 1 },
    ]);
    const screen = await startScreen({ db, port: 0, zone: ZONE, clock: () => Date.parse('2021-03-27T09:00:00+08:00'), status: () => ({ pipeline: 'none', database: 'up' }) });
    try {
      const view = (await (await fetch(new URL('api/day?day=2021-03-25', screen.url))).json()) as DayView;
      expect(view.curve?.channels.find((c) => c.channelCode === 'webShop')).toEqual({ channelCode: 'webShop', minutes: [0, 367], gmv: [480, 646.5], orders: [1, 3] });
      expect(view.curve?.total.gmv.at(-1)).toBe(646.6);
    } finally {
      await screen.close();
    }
  }, 30_000);

  it('says a MySQL server that does not answer is down', async () => {
    const db = openDatabase(parseDatabase('mysql://root@127.0.0.1:1/nowhere'));
    try {
      const database = await watchDatabase(db, { timeoutMs: 2000 });
      database.stop();
      expect(database.state()).toBe('down');
    } finally {
      await db.destroy();
    }
  }, 30_000);
});
