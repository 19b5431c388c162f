import type { Knex } from 'knex';
import { isMysql } from '../connect.ts';
import { checkResultTable } from '../result-table.ts';
import { tablesOf } from '../table-names.ts';

/**
 * `trade_channel_collect` with exactly the tutorial's DDL. A table that a user created by the
 * tutorial's SQL is adopted as it is, after checking that its columns and key fit.
 */
export async function up(db: Knex): Promise<void> {
  // hasTable takes the name as a value: the real one.
  if (await db.schema.hasTable(tablesOf(db).trade_channel_collect)) {
    await checkResultTable(db);
    return;
  }
  await db.schema.createTable('trade_channel_collect', (table) => {
    table.string('begin_time', 32).notNullable();
    table.string('channel_code', 32).notNullable();
    table.string('channel_name', 32).nullable();
    table.double('cur_gmv').unsigned().nullable();
    table.bigInteger('cur_order_user_count').unsigned().nullable();
    table.bigInteger('cur_order_count').unsigned().nullable();
    table.string('last_pay_time', 32).nullable();
    table.string('flink_current_time', 32).nullable();
    table.primary(['begin_time', 'channel_code']);
    if (isMysql(db)) {
      table.engine('InnoDB');
      table.charset('utf8mb4');
      table.collate('utf8mb4_general_ci');
      table.comment('Real-time statistics on the total sales amount of each channel');
    }
  });
}

/** Drops the table (only for a table this migration made). */
export async function down(db: Knex): Promise<void> {
  await db.schema.dropTableIfExists('trade_channel_collect');
}
