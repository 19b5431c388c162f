import type { Knex } from 'knex';
import { beforeAll, beforeEach, expect, it } from 'vitest';
import { createCounters } from '../../src/core/batch.ts';
import type { Reject } from '../../src/core/batch.ts';
import { migrateToLatest, migrationSource, MIGRATIONS_TABLE } from '../../src/db/migration-source.ts';
import { databaseSink } from '../../src/sinks/database-sink.ts';
import { runCli } from '../support/cli.ts';
import { dropAllTables, MARIADB, useSpecDatabase } from '../support/mysql.ts';
import { describeWithService, isReachable } from '../support/services.ts';

/**
 * Step 3 of the tutorial (../shared/seed/flink-sql-ecommerce-tutorial.txt), verbatim but for the
 * database name. Its `DROP TABLE` line is left out: it fails on a database without the table.
 */
const tutorialDdl = (database: string): string => `CREATE TABLE \`${database}\`.\`trade_channel_collect\` (
	\`begin_time\` VARCHAR(32) NOT NULL,
	\`channel_code\` VARCHAR(32) NOT NULL,
	\`channel_name\` VARCHAR(32) NULL,
	\`cur_gmv\` DOUBLE UNSIGNED NULL,
	\`cur_order_user_count\` BIGINT UNSIGNED NULL,
	\`cur_order_count\` BIGINT UNSIGNED NULL,
	\`last_pay_time\` VARCHAR(32) NULL,
	\`flink_current_time\` VARCHAR(32) NULL,
	PRIMARY KEY (\`begin_time\`, \`channel_code\`)
)	ENGINE = InnoDB
	DEFAULT CHARACTER SET = utf8mb4
	COLLATE = utf8mb4_general_ci
	COMMENT = 'Real-time statistics on the total sales amount of each channel';`;

const ADOPT = 'Cannot adopt the existing table trade_channel_collect: ';

describeWithService(MARIADB, await isReachable(MARIADB), 'the migrations on MariaDB', () => {
  const database = useSpecDatabase();
  let db: Knex;
  beforeAll(() => {
    db = database.open();
  });
  beforeEach(() => dropAllTables(db));

  const columns = (): Promise<unknown[]> =>
    db('information_schema.COLUMNS')
      .select({ name: 'COLUMN_NAME', type: 'COLUMN_TYPE', nullable: 'IS_NULLABLE', key: 'COLUMN_KEY', collation: 'COLLATION_NAME' })
      .where({ TABLE_SCHEMA: database.name, TABLE_NAME: 'trade_channel_collect' })
      .orderBy('ORDINAL_POSITION');
  const showCreate = async (): Promise<string> => ((await db.raw('SHOW CREATE TABLE trade_channel_collect')) as [{ 'Create Table': string }[]])[0][0]?.['Create Table'] ?? '';

  it('creates trade_channel_collect with exactly the tutorial\'s DDL: types, nullability, key, engine, charset, collation, comment', async () => {
    expect(await migrateToLatest(db)).toEqual(expect.arrayContaining(['001-trade-channel-collect', '002-trade-order-rejects']));
    const text = { collation: 'utf8mb4_general_ci' };
    expect(await columns()).toEqual([
      { name: 'begin_time', type: 'varchar(32)', nullable: 'NO', key: 'PRI', ...text },
      { name: 'channel_code', type: 'varchar(32)', nullable: 'NO', key: 'PRI', ...text },
      { name: 'channel_name', type: 'varchar(32)', nullable: 'YES', key: '', ...text },
      { name: 'cur_gmv', type: 'double unsigned', nullable: 'YES', key: '', collation: null },
      { name: 'cur_order_user_count', type: 'bigint(20) unsigned', nullable: 'YES', key: '', collation: null },
      { name: 'cur_order_count', type: 'bigint(20) unsigned', nullable: 'YES', key: '', collation: null },
      { name: 'last_pay_time', type: 'varchar(32)', nullable: 'YES', key: '', ...text },
      { name: 'flink_current_time', type: 'varchar(32)', nullable: 'YES', key: '', ...text },
    ]);
    const key = (await db('information_schema.KEY_COLUMN_USAGE').pluck('COLUMN_NAME').where({ TABLE_SCHEMA: database.name, TABLE_NAME: 'trade_channel_collect', CONSTRAINT_NAME: 'PRIMARY' }).orderBy('ORDINAL_POSITION')) as string[];
    expect(key).toEqual(['begin_time', 'channel_code']);
    const [table] = (await db('information_schema.TABLES as t')
      .join('information_schema.COLLATIONS as c', 'c.COLLATION_NAME', 't.TABLE_COLLATION')
      .select({ engine: 't.ENGINE', charset: 'c.CHARACTER_SET_NAME', collation: 't.TABLE_COLLATION', comment: 't.TABLE_COMMENT' })
      .where({ 't.TABLE_SCHEMA': database.name, 't.TABLE_NAME': 'trade_channel_collect' })) as unknown[];
    expect(table).toEqual({ engine: 'InnoDB', charset: 'utf8mb4', collation: 'utf8mb4_general_ci', comment: 'Real-time statistics on the total sales amount of each channel' });

    const migrated = await showCreate();
    await dropAllTables(db);
    await db.raw(tutorialDdl(database.name));
    expect(migrated).toBe(await showCreate()); // the same table, statement for statement
  });

  it('lets instances that start together on a fresh database all migrate: one applies, the others wait and find it done', async () => {
    const others = [database.open(), database.open(), database.open()];
    const applied = await Promise.all(others.map((other) => migrateToLatest(other)));
    expect(applied.filter((names) => names.length > 0)).toHaveLength(1);
    expect(await db.schema.hasTable('trade_channel_collect')).toBe(true);
  });

  it('adopts a table that the tutorial\'s own SQL created, keeping its rows, and upserts into it', async () => {
    await db.raw(tutorialDdl(database.name));
    await db('trade_channel_collect').insert({ begin_time: '2021-03-25 00:00:00', channel_code: 'webShop', channel_name: 'Website', cur_gmv: 986.5, cur_order_user_count: 2, cur_order_count: 5 });
    expect(await migrateToLatest(db)).toEqual(expect.arrayContaining(['001-trade-channel-collect', '002-trade-order-rejects']));
    expect(await db('trade_channel_collect').select('channel_code', 'cur_gmv', 'cur_order_count')).toEqual([{ channel_code: 'webShop', cur_gmv: 986.5, cur_order_count: 5 }]);
    expect(await db.schema.hasTable('trade_order_rejects')).toBe(true);
    const figures = { channelName: 'Website', gmvText: '1086.50', gmv: 1086.5, userCount: 3, orderCount: 6, lastPayTime: '2021-03-25 17:00:00', computedAt: '2021-03-25 17:00:01.000' };
    await databaseSink(db, { counters: createCounters(), formatTime: String }).write({ upserts: [{ beginTime: '2021-03-25 00:00:00', channelCode: 'webShop', figures }], deletes: [], history: [], rejects: [], progress: [] });
    expect(await db('trade_channel_collect').select('channel_code', 'cur_gmv', 'cur_order_count')).toEqual([{ channel_code: 'webShop', cur_gmv: 1086.5, cur_order_count: 6 }]);
    expect(await migrateToLatest(db)).toEqual([]); // and the next run finds it up to date
  });

  it('keys the rejects of an older table by source, position and content, so that none is dropped for another one', async () => {
    for (let step = 0; step < 3; step++) await db.migrate.up({ migrationSource, tableName: MIGRATIONS_TABLE }); // as version 003 left it
    const legacy = { source: 'file:orders.jsonl', source_partition: 0, source_offset: 4, reason: 'not valid JSON', raw: '{"x":', raw_bytes: 5, rejected_at: '2021-03-25 10:00:00' };
    await db('trade_order_rejects').insert(legacy);
    expect(await migrateToLatest(db)).toContain('004-reject-keys');
    const sink = databaseSink(db, { counters: createCounters(), formatTime: String });
    const reject = (source: string, raw: string): Reject => ({ source, partition: 0, offset: 4, reason: 'not valid JSON', raw, rawBytes: Buffer.byteLength(raw), rejectedAt: 0 });
    const long = `file:/${'d/'.repeat(300)}orders.jsonl`;
    // The old row again, another message at its position, and a source too long for the old key.
    await sink.write({ upserts: [], deletes: [], rejects: [reject('file:orders.jsonl', '{"x":'), reject('file:orders.jsonl', '[1]'), reject(long, '[1]'), reject(long, '[1]')], progress: [], history: [] });
    expect(await db('trade_order_rejects').select('source', 'raw').orderBy('id')).toEqual([
      { source: 'file:orders.jsonl', raw: '{"x":' },
      { source: 'file:orders.jsonl', raw: '[1]' },
      { source: long, raw: '[1]' },
    ]);
  });

  const wrongTables: readonly (readonly [string, readonly [string, string], string])[] = [
    ['a column of another kind of type', ['`cur_gmv` DOUBLE UNSIGNED NULL', '`cur_gmv` VARCHAR(32) NULL'], 'column cur_gmv is varchar (want DOUBLE UNSIGNED)'],
    ['a count that a busy day overflows', ['`cur_order_count` BIGINT UNSIGNED NULL', '`cur_order_count` TINYINT UNSIGNED NULL'], 'column cur_order_count is tinyint (want BIGINT UNSIGNED)'],
    ['a text column too short for what is written', ['`flink_current_time` VARCHAR(32)', '`flink_current_time` VARCHAR(16)'], 'column flink_current_time is varchar(16), too short for 23 characters (want VARCHAR(32))'],
    ['a missing column', ['`last_pay_time` VARCHAR(32) NULL,', ''], 'column last_pay_time is missing (want VARCHAR(32))'],
    ['another primary key', ['PRIMARY KEY (`begin_time`, `channel_code`)', 'PRIMARY KEY (`begin_time`)'], 'primary key is (begin_time) (want (begin_time, channel_code))'],
  ];
  it.each(wrongTables)('refuses a table with %s, in one line, and changes nothing', async (_, [from, to], problem) => {
    const ddl = tutorialDdl(database.name);
    expect(ddl).toContain(from);
    await db.raw(ddl.replace(from, to));
    const failed = migrateToLatest(db);
    await expect(failed).rejects.toThrow(new RangeError(`${ADOPT}${problem}`));
    expect(await db.schema.hasTable('trade_order_rejects')).toBe(false);
    expect(await db(MIGRATIONS_TABLE).count({ n: '*' })).toEqual([{ n: 0 }]);
  });

  it('has `tradeflow migrate` refuse such a table with that one line and exit code 1', async () => {
    await db.raw(tutorialDdl(database.name).replace('`cur_gmv` DOUBLE UNSIGNED NULL', '`cur_gmv` VARCHAR(32) NULL'));
    const result = await runCli(['migrate', '--db', database.url]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`FATAL ${ADOPT}column cur_gmv is varchar (want DOUBLE UNSIGNED)\n`);
  }, 30_000);
});
