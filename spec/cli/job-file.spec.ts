/** `tradeflow run --config`: any shop's order stream, and one line for a job file with a mistake. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jobFileOf, LAYOUTS, streamInLayout } from '../../src/generate/layouts.ts';
import { runCli, SAMPLE, scratchDir, sqliteRows } from '../support/cli.ts';
import { RESULT_SQL, SAMPLE_DAY } from '../support/sample.ts';

const ZONE = 'Asia/Shanghai';
const sample = readFileSync(SAMPLE, 'utf8').trim().split('\n');

describe('tradeflow run --config', () => {
  it.each(LAYOUTS)('turns the sample written in the %s layout into the documented table', async (layout) => {
    const dir = scratchDir();
    const file = join(dir, 'orders.jsonl');
    writeFileSync(file, `${[...streamInLayout(layout, sample, ZONE)].join('\n')}\n`);
    const config = jobFileOf(layout);
    const args = config === undefined ? [] : ['--config', join(dir, 'tradeflow.json')];
    if (config !== undefined) writeFileSync(args[1]!, JSON.stringify(config));
    const db = join(dir, 'r.sqlite');
    const result = await runCli(['run', '--source', `file:${file}`, '--db', `sqlite:${db}`, '--as-of', '2021-03-25 12:03:00', '--timezone', ZONE, ...args]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^read 11 \| rejected 0 \| filtered 2 \|/m);
    expect(sqliteRows(db, RESULT_SQL)).toEqual(SAMPLE_DAY);
  }, 30_000);

  it('counts the channels of the job file under their codes and names, and the rest under its code', async () => {
    const dir = scratchDir();
    const config = join(dir, 'tradeflow.json');
    writeFileSync(config, JSON.stringify({ channels: [{ code: 'webShop', name: 'Web' }, { code: 'qqShop', name: 'QQ Shop' }], otherChannel: { code: 'rest', name: 'The rest' } }));
    const db = join(dir, 'r.sqlite');
    const result = await runCli(['run', '--source', `file:${SAMPLE}`, '--db', `sqlite:${db}`, '--as-of', '2021-03-25 12:03:00', '--config', config]);
    expect(result.code, result.stderr).toBe(0);
    const rows = sqliteRows(db, RESULT_SQL).map((row) => [row.channel_code, row.channel_name, row.cur_gmv, row.orders]);
    // The sample's one qqShop order is its "other" (400.00); appShop and miniAppShop are now the rest.
    expect(rows).toEqual([
      ['qqShop', 'QQ Shop', 400, 1],
      ['rest', 'The rest', 199.3, 3],
      ['webShop', 'Web', 986.5, 5],
    ]);
  }, 30_000);

  it('writes the result to the table the job file names, with the rejects, history and checkpoints beside it, and migrate finds them', async () => {
    const dir = scratchDir();
    const config = join(dir, 'tradeflow.json');
    writeFileSync(config, JSON.stringify({ table: 'shop_sales' }));
    const file = join(dir, 'orders.jsonl');
    writeFileSync(file, `${sample.join('\n')}\n{"order_id":"x",\n`);
    const db = join(dir, 'r.sqlite');
    const result = await runCli(['run', '--source', `file:${file}`, '--db', `sqlite:${db}`, '--as-of', '2021-03-25 12:03:00', '--config', config]);
    expect(result.code, result.stderr).toBe(0);
    expect(sqliteRows(db, RESULT_SQL.replace('trade_channel_collect', 'shop_sales'))).toEqual(SAMPLE_DAY);
    const tables = sqliteRows(db, "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name").map((row) => row.name);
    expect(tables).toEqual(['shop_sales', 'shop_sales_checkpoint_deltas', 'shop_sales_checkpoints', 'shop_sales_history', 'shop_sales_migrations', 'shop_sales_migrations_lock', 'shop_sales_progress', 'shop_sales_rejects', 'shop_sales_snapshots']);
    expect(sqliteRows(db, 'select source_offset as line from shop_sales_rejects')).toEqual([{ line: 12 }]);
    // Migrating again with the same job file finds everything in place.
    const migrate = await runCli(['migrate', '--db', `sqlite:${db}`, '--config', config]);
    expect([migrate.code, migrate.stdout.trim()]).toEqual([0, `sqlite:${db}: tables up to date`]);
  }, 30_000);

  it.each([
    [{ table: 'trade_order_rejects' }, '"table": Cannot name the result table "trade_order_rejects": that is the name of another of tradeflow\'s tables'],
    [{ table: 'shop-sales' }, '"table": expected letters, digits and "_" (not first a digit), got "shop-sales"'],
    [{ fields: { orderid: 'id' } }, 'unknown key "fields.orderid" (keys: fields.order_id, fields.order_channel, fields.order_time, fields.real_pay, fields.pay_time, fields.user_id)'],
    [{ format: 'canal' }, '"format": expected json, canal-json, debezium-json, got "canal"'],
    [{ timeFormat: 'unix' }, '"timeFormat": expected sql, iso-8601, epoch-seconds, epoch-millis, got "unix"'],
    [{ channels: [{ code: 'tmall' }] }, '"channels[0].name": missing (each channel has a code and a name)'],
    [{ channels: [{ code: 'a', name: 'A' }, { code: 'a', name: 'B' }] }, '"channels[1].code": "a" is listed twice'],
    [{ fields: { order_id: 'id', user_id: 'id' } }, '"fields.user_id": "id" is already the name of order_id (each field needs its own name)'],
    [{ fields: { order_id: '' } }, '"fields.order_id": expected a non-empty string, got ""'],
    [{ maxRejected: 150 }, '"maxRejected": expected a percent from 0 to 100, got 150'],
    [{ sink: 'x' }, 'unknown key "sink" (keys: format, fields, timeFormat, channels, otherChannel, maxRejected, table)'],
  ])('refuses the job file %j with one line naming the key, exit code 2', async (config, message) => {
    const dir = scratchDir();
    const path = join(dir, 'tradeflow.json');
    writeFileSync(path, JSON.stringify(config));
    const result = await runCli(['run', '--source', `file:${SAMPLE}`, '--db', `sqlite:${join(dir, 'r.sqlite')}`, '--config', path]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(`ERROR --config ${path}: ${message}`);
  }, 30_000);

  it('refuses a job file that is not JSON, or not there, and a --format it does not know, with one line each', async () => {
    const dir = scratchDir();
    const path = join(dir, 'tradeflow.json');
    writeFileSync(path, '{"format": json}');
    const bad = await runCli(['run', '--source', `file:${SAMPLE}`, '--config', path]);
    expect([bad.code, bad.stderr.trim().split('\n').length]).toEqual([2, 1]);
    expect(bad.stderr).toMatch(new RegExp(`^ERROR --config ${path}: not valid JSON \\(`));
    const missing = await runCli(['run', '--source', `file:${SAMPLE}`, '--config', join(dir, 'none.json')]);
    expect([missing.code, missing.stderr.trim()]).toEqual([2, `ERROR --config ${join(dir, 'none.json')}: no such file`]);
    const format = await runCli(['run', '--source', `file:${SAMPLE}`, '--format', 'avro']);
    expect([format.code, format.stderr.trim()]).toEqual([2, 'ERROR --format: expected json, canal-json, debezium-json, got "avro"']);
  }, 30_000);
});
