import type { Knex } from 'knex';
import { isMysql } from '../connect.ts';

/**
 * `trade_channel_history`: the day's curve, per (`begin_time`, `channel_code`) and minute of the
 * day of `pay_time` (0..1439), the exact GMV and the paid orders of the orders that count now.
 * Cumulative figures are sums over the minutes up to a time. The GMV is exact: DECIMAL on MySQL,
 * decimal text on SQLite (whose NUMERIC would round it to a double).
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('trade_channel_history', (table) => {
    table.string('begin_time', 32).notNullable();
    table.string('channel_code', 32).notNullable();
    table.smallint('pay_minute').notNullable();
    // 18 decimal places: as many as an amount may have (exact money keeps what the producer wrote).
    table.specificType('gmv', isMysql(db) ? 'DECIMAL(40,18)' : 'TEXT').notNullable();
    table.integer('order_count').notNullable();
    table.primary(['begin_time', 'channel_code', 'pay_minute']);
    if (isMysql(db)) {
      table.engine('InnoDB');
      table.charset('utf8mb4');
      table.collate('utf8mb4_general_ci');
      table.comment('Per minute of pay_time: GMV and paid orders of each channel, for the day curve');
    }
  });
}

/** Drops the table. */
export async function down(db: Knex): Promise<void> {
  await db.schema.dropTableIfExists('trade_channel_history');
}
