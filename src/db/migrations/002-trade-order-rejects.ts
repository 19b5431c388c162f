import type { Knex } from 'knex';
import { isMysql } from '../connect.ts';

/** `trade_order_rejects`: every refused message once, with its reason and where it came from. */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('trade_order_rejects', (table) => {
    table.bigIncrements('id');
    table.string('source', 191).notNullable();
    table.integer('source_partition').notNullable();
    table.bigInteger('source_offset').notNullable();
    table.string('reason', 255).notNullable();
    table.text('raw').notNullable();
    table.integer('raw_bytes').notNullable();
    table.string('rejected_at', 32).notNullable();
    // A message re-read after a restart is the same reject, not a second one.
    table.unique(['source', 'source_partition', 'source_offset']);
    if (isMysql(db)) {
      table.engine('InnoDB');
      table.charset('utf8mb4');
      table.collate('utf8mb4_general_ci');
    }
  });
}

/** Drops the table. */
export async function down(db: Knex): Promise<void> {
  await db.schema.dropTableIfExists('trade_order_rejects');
}
