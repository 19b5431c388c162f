import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runCli, SAMPLE, scratchDir, sqliteRows } from '../support/cli.ts';

/** The tutorial's CREATE TABLE, in SQLite's words. */
const TUTORIAL_DDL = `CREATE TABLE trade_channel_collect (
  begin_time VARCHAR(32) NOT NULL, channel_code VARCHAR(32) NOT NULL, channel_name VARCHAR(32) NULL,
  cur_gmv DOUBLE NULL, cur_order_user_count BIGINT NULL, cur_order_count BIGINT NULL,
  last_pay_time VARCHAR(32) NULL, flink_current_time VARCHAR(32) NULL,
  PRIMARY KEY (begin_time, channel_code))`;

describe('tradeflow migrate', () => {
  it('creates both tables, and a second run changes nothing', async () => {
    const db = join(scratchDir(), 'm.sqlite');
    const first = await runCli(['migrate', '--db', `sqlite:${db}`]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('applied 001-trade-channel-collect, 002-trade-order-rejects');
    expect((await runCli(['migrate', '--db', `sqlite:${db}`])).stdout).toContain('tables up to date');
    const columns = sqliteRows(db, "select name, type, pk from pragma_table_info('trade_channel_collect') order by cid");
    expect(columns.map((c) => c.name)).toEqual(['begin_time', 'channel_code', 'channel_name', 'cur_gmv', 'cur_order_user_count', 'cur_order_count', 'last_pay_time', 'flink_current_time']);
    expect(columns.filter((c) => Number(c.pk) > 0).map((c) => c.name)).toEqual(['begin_time', 'channel_code']);
  }, 30_000);

  it('adopts a table made by the tutorial SQL, keeping its rows, and runs into it', async () => {
    const db = join(scratchDir(), 'm.sqlite');
    const raw = new Database(db);
    raw.exec(TUTORIAL_DDL);
    raw.exec("insert into trade_channel_collect values ('2021-03-20 00:00:00', 'webShop', 'Website', 1.5, 1, 1, '2021-03-20 10:00:00', 'x')");
    raw.close();
    expect((await runCli(['run', '--source', `file:${SAMPLE}`, '--db', `sqlite:${db}`, '--as-of', '2021-03-25 12:03:00'])).code).toBe(0);
    const rows = sqliteRows(db, 'select begin_time, channel_code from trade_channel_collect order by begin_time, channel_code');
    expect(rows).toHaveLength(5);
    expect(rows[0]).toEqual({ begin_time: '2021-03-20 00:00:00', channel_code: 'webShop' });
  }, 30_000);

  it('says in one line what does not fit in an existing table', async () => {
    const db = join(scratchDir(), 'm.sqlite');
    const raw = new Database(db);
    raw.exec('CREATE TABLE trade_channel_collect (begin_time VARCHAR(32) PRIMARY KEY, channel_code VARCHAR(32), cur_gmv VARCHAR(10))');
    raw.close();
    const result = await runCli(['migrate', '--db', `sqlite:${db}`]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      'FATAL Cannot adopt the existing table trade_channel_collect: column channel_name is missing (want VARCHAR(32)); column cur_gmv is varchar (want DOUBLE UNSIGNED); ' +
        'column cur_order_user_count is missing (want BIGINT UNSIGNED); column cur_order_count is missing (want BIGINT UNSIGNED); column last_pay_time is missing (want VARCHAR(32)); ' +
        'column flink_current_time is missing (want VARCHAR(32)); primary key is (begin_time) (want (begin_time, channel_code))',
    );
  }, 30_000);
});
