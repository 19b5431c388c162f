import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Knex } from 'knex';
import { beforeAll, expect, it } from 'vitest';
import { runCli, SAMPLE, scratchDir, sqliteRows } from './cli.ts';
import { rejectedRecords, tutorialSqlOnMariaDb, type RawLine } from './mariadb-reference.ts';
import { MARIADB, useSpecDatabase } from './mysql.ts';
import { orderRecord } from './order-arbitraries.ts';
import type { ExpectedRow } from './reference.ts';
import { replay } from './replay.ts';
import { describeWithService, isReachable } from './services.ts';

const DAY = '2021-03-25';

/** Lines numbered from 1, as a file source numbers them (the lines here have no blank one). */
function numbered(lines: readonly string[]): RawLine[] {
  return lines.map((line, i) => ({ partition: 0, offset: i + 1, line }));
}

const positions = (rejects: readonly { partition: number; offset: number }[]): string[] => rejects.map((r) => `${r.partition}:${r.offset}`).sort();

const row = (day: string, channelCode: string, channelName: string, gmvCents: bigint, userCount: number, orderCount: number, lastPayTime: string): ExpectedRow => ({
  beginTime: `${day} 00:00:00`, channelCode, channelName, gmvAttos: gmvCents * 10n ** 16n, userCount, orderCount, lastPayTime,
});

/** SEMANTICS.md section 7. */
const SAMPLE_DAY = [
  row(DAY, 'appShop', 'Shopping App', 50_50n, 1, 1, '2021-03-25 06:07:00'),
  row(DAY, 'miniAppShop', 'Miniprogram', 148_80n, 2, 2, '2021-03-25 12:03:00'),
  row(DAY, 'other', 'Other', 400_00n, 1, 1, '2021-03-25 15:10:00'),
  row(DAY, 'webShop', 'Website', 986_50n, 2, 5, '2021-03-25 16:16:16'),
];

const BASE: Readonly<Record<string, string>> = {
  order_id: '"o1"', order_channel: '"webShop"', order_time: '"2021-03-25 10:00:00"', real_pay: '"1.00"', pay_time: '"2021-03-25 10:00:00"', user_id: '"u1"',
};

/** An order of the day with some fields changed (JSON texts; null: the field left out). No key twice: MariaDB reads the first. */
function order(changes: Readonly<Record<string, string | null>>): string {
  const fields = Object.entries({ ...BASE, ...changes }).flatMap(([name, json]) => (json === null ? [] : [`"${name}":${json}`]));
  return `{${fields.join(',')}}`;
}

/** One line per rule of SEMANTICS.md section 1, each with whether it must be rejected. */
const RULES: readonly (readonly [string, boolean])[] = [
  ['not JSON', true], ['{"order_id":"x1",', true], ['[1,2,3]', true], ['"text"', true], ['null', true],
  ...['null', '""', '1.5', 'true', '{}', '1.0', '1e2', null].map((id) => [order({ order_id: id }), true] as const),
  ...['"2021-03-25"', '"2021-02-30 10:00:00"', '"2021-03-25 24:00:00"', '"2021-03-00 10:00:00"', '"2021-3-25 10:00:00"', '20210325', 'null', null].map((t) => [order({ order_time: t }), true] as const),
  ...['"2021-13-45 99:00:00"', '"yesterday"', '5', '""'].map((t) => [order({ pay_time: t }), true] as const),
  ...['"12.x"', '{}', 'true', '"NaN"', '""', '-5', '"-0.01"', '"-0.0000001"', '1e16', '"1000000000000000.01"', '"1000000000000000.0000001"', '-1e-400', '"0.0000000000000000001"'].map((pay) => [order({ real_pay: pay }), true] as const),
  // Accepted, each its own order of the day unless said otherwise.
  [order({ order_id: '9007199254740993' }), false], [order({ order_id: '9007199254740992' }), false], [order({ order_id: '"a-1"' }), false], [order({ order_id: '"a-1 "' }), false], [order({ order_id: '"A-1"' }), false],
  [order({ order_id: '7', real_pay: '" 7 "' }), false], [order({ order_id: '"7"', order_time: '"2021-03-25 11:00:00"', real_pay: '"1e3"' }), false], // one order: the later version counts
  [order({ order_id: '"p1"', real_pay: '0.1' }), false], [order({ order_id: '"p2"', real_pay: '0.2' }), false], [order({ order_id: '"p3"', real_pay: '"0.0000015"' }), false],
  [order({ order_id: '"p4"', real_pay: '"0.0000025"' }), false], [order({ order_id: '"p5"', real_pay: '1000000000000000' }), false],
  [order({ order_id: '-0' }), false], [order({ order_id: '0' }), false], [order({ order_id: '"u70"', user_id: '7.0' }), false],
  [order({ order_id: '"u7"', user_id: '7' }), false], [order({ order_id: '"u7s"', user_id: '"7"' }), false], [order({ order_id: '"ut"', user_id: 'true' }), false], [order({ order_id: '"uf"', user_id: '1.5' }), false],
  [order({ order_id: '"uU"', user_id: '"U1"' }), false], [order({ order_id: '"us"', user_id: '"u1 "' }), false],
  [order({ order_id: '"c5"', order_channel: '5' }), false], [order({ order_id: '"cW"', order_channel: '"WebShop"' }), false], [order({ order_id: '"c0"', order_channel: null }), false],
  [order({ order_id: '"unpaid"', pay_time: 'null' }), false], [order({ order_id: '"nopay"', real_pay: null }), false], [order({ order_id: '"late"', pay_time: '"2021-03-26 00:00:00"' }), false],
  [order({ order_id: '"x"', pay_amount: '{}', area_id: '[]' }), false],
];

describeWithService(MARIADB, await isReachable(MARIADB), 'the tutorial SQL executed by MariaDB (a reference that reads the JSON itself)', () => {
  const database = useSpecDatabase();
  let db: Knex;
  beforeAll(() => {
    db = database.open();
  });

  it('gives the table of SEMANTICS.md for the tutorial sample, for its day and for every day, and rejects nothing', async () => {
    const records = numbered(readFileSync(SAMPLE, 'utf8').trim().split('\n'));
    expect(await tutorialSqlOnMariaDb(db, records, DAY)).toEqual(SAMPLE_DAY);
    expect(await tutorialSqlOnMariaDb(db, records, 'all')).toEqual([
      row('2021-03-24', 'appShop', 'Shopping App', 180_00n, 1, 1, '2021-03-24 16:10:06'),
      row('2021-03-24', 'webShop', 'Website', 100_00n, 1, 1, '2021-03-24 10:02:03'),
      ...SAMPLE_DAY,
    ]);
    expect(await rejectedRecords(db, records)).toEqual([]);
  });

  it('rejects exactly the records that break a rule, keeps ids beyond 2^53 apart and sums exactly, as the pipeline does', async () => {
    const lines = RULES.map(([line]) => line);
    const records = numbered(lines);
    const mustReject = RULES.flatMap(([, rejected], i) => (rejected ? [`0:${i + 1}`] : []));
    expect(positions(await rejectedRecords(db, records))).toEqual(mustReject.sort());
    const rows = await tutorialSqlOnMariaDb(db, records, DAY);
    // webShop: 9007199254740993, ...992, "a-1", "a-1 ", "A-1", -0, 0, u70, 7 = "7", p1-p5, u7, u7s, ut, uf, uU, us, x;
    // users u1, 7 = "7", U1, "u1 " (7.0 is no user). other: c5, cW, c0.
    expect(rows.map((r) => [r.channelCode, r.orderCount, r.userCount])).toEqual([['other', 3, 1], ['webShop', 21, 4]]);
    // 1.00 x 15 + 1000 (the later version of 7) + 0.1 + 0.2 + 0.0000015 + 0.0000025 + 10^15, to the last digit.
    expect(rows.find((r) => r.channelCode === 'webShop')?.gmvAttos).toBe(15n * 10n ** 18n + 1000n * 10n ** 18n + 3n * 10n ** 17n + 4n * 10n ** 12n + 10n ** 33n);
    const pipeline = replay(lines, { kind: 'fixed', day: DAY });
    expect(rows).toEqual(pipeline.rows);
    expect(positions(pipeline.rejects)).toEqual(mustReject.sort());
  });

  it('equals the pipeline on 3,000 records drawn from the property tests\' arbitraries, for the day and for every day', async () => {
    const lines = fc.sample(orderRecord, { numRuns: 3000, seed: 42 }).map((r) => r.json);
    const records = numbered(lines);
    expect(await tutorialSqlOnMariaDb(db, records, DAY)).toEqual(replay(lines, { kind: 'fixed', day: DAY }).rows);
    const all = replay(lines, { kind: 'all' });
    expect(await tutorialSqlOnMariaDb(db, records, 'all')).toEqual(all.rows);
    expect(positions(await rejectedRecords(db, records))).toEqual(positions(all.rejects));
  }, 30_000);

  it('equals `tradeflow run` and the pipeline on 20,000 generated orders: the day\'s table, every day\'s table, the rejects', async () => {
    const dir = scratchDir();
    const file = join(dir, 'orders.jsonl');
    const sqlite = join(dir, 'run.sqlite');
    expect((await runCli(['generate', '--orders', '20000', '--seed', '5', '--day', DAY, '--out', file])).code).toBe(0);
    const run = await runCli(['run', '--source', `file:${file}`, '--db', `sqlite:${sqlite}`, '--as-of', `${DAY} 00:00:00`]);
    expect(run.code, run.stderr).toBe(0);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines.every((line) => line.trim() !== '')).toBe(true);
    const records = numbered(lines);

    const expected = await tutorialSqlOnMariaDb(db, records, DAY);
    expect(expected.map((r) => r.channelCode)).toEqual(['appShop', 'miniAppShop', 'other', 'webShop']);
    const written = sqliteRows(sqlite, 'select begin_time, channel_code, channel_name, cur_gmv, cur_order_user_count, cur_order_count, last_pay_time from trade_channel_collect order by begin_time, channel_code');
    expect(written).toEqual(expected.map((r) => ({
      begin_time: r.beginTime, channel_code: r.channelCode, channel_name: r.channelName, cur_gmv: nearestDouble(r.gmvAttos),
      cur_order_user_count: r.userCount, cur_order_count: r.orderCount, last_pay_time: r.lastPayTime,
    })));
    const mustReject = positions(await rejectedRecords(db, records));
    expect(mustReject.length).toBeGreaterThan(20);
    expect(positions(sqliteRows(sqlite, 'select source_partition as partition, source_offset as offset from trade_order_rejects') as { partition: number; offset: number }[])).toEqual(mustReject);

    expect(replay(lines, { kind: 'fixed', day: DAY }).rows).toEqual(expected); // exact GMV, not only its double
    const all = replay(lines, { kind: 'all' });
    const expectedAll = await tutorialSqlOnMariaDb(db, records, 'all');
    expect(new Set(expectedAll.map((r) => r.beginTime)).size).toBeGreaterThan(1); // late orders, from the day before
    expect(all.rows).toEqual(expectedAll);
    expect(positions(all.rejects)).toEqual(mustReject);
  }, 60_000);
});

/** The double nearest to an exact amount in atto-units, as the DOUBLE column holds it. */
function nearestDouble(attos: bigint): number {
  return Number(`${attos / 10n ** 18n}.${(attos % 10n ** 18n).toString().padStart(18, '0')}`);
}
