import type { Knex } from 'knex';
import { isMysql } from '../connect.ts';

/**
 * `tradeflow_checkpoints`: the pipeline's state and the source offsets it covers, stored in
 * chunks (a MySQL packet is limited) and replaced whole in one transaction; and
 * `tradeflow_progress`: per partition, the offsets the result table covers, written with every flush.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('tradeflow_checkpoints', (table) => {
    table.string('source', 191).notNullable();
    table.integer('chunk').notNullable();
    table.text('offsets').nullable();
    table.specificType('data', isMysql(db) ? 'LONGBLOB' : 'BLOB').notNullable();
    table.string('saved_at', 32).notNullable();
    table.primary(['source', 'chunk']);
    if (isMysql(db)) {
      table.engine('InnoDB');
      table.charset('utf8mb4');
    }
  });
  await db.schema.createTable('tradeflow_progress', (table) => {
    table.string('source', 191).notNullable();
    table.integer('source_partition').notNullable();
    table.bigInteger('source_offset').notNullable();
    table.primary(['source', 'source_partition']);
    if (isMysql(db)) table.engine('InnoDB');
  });
}

/** Drops the table. */
export async function down(db: Knex): Promise<void> {
  await db.schema.dropTableIfExists('tradeflow_progress');
  await db.schema.dropTableIfExists('tradeflow_checkpoints');
}
