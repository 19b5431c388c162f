import type { Knex } from 'knex';
import { isMysql } from '../connect.ts';

/**
 * `tradeflow_snapshots`: per changes partition of a scaled-out run's aggregate stage, the groups
 * of that partition at a position, stored in chunks (a MySQL packet is limited) and written in
 * the transaction of a fenced flush, so that a new owner restores it and reads only the tail.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('tradeflow_snapshots', (table) => {
    table.string('source', 191).notNullable();
    table.integer('source_partition').notNullable();
    table.integer('chunk').notNullable();
    // The next offset the state has not seen; the same on every chunk.
    table.bigInteger('position').notNullable();
    // What else than the log the state depends on (the days counted): another run's is not restored.
    table.text('fingerprint').notNullable();
    table.specificType('data', isMysql(db) ? 'LONGBLOB' : 'BLOB').notNullable();
    table.primary(['source', 'source_partition', 'chunk']);
    if (isMysql(db)) {
      table.engine('InnoDB');
      table.charset('utf8mb4');
    }
  });
}

/** Drops the table. */
export async function down(db: Knex): Promise<void> {
  await db.schema.dropTableIfExists('tradeflow_snapshots');
}
