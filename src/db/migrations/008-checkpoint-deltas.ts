import type { Knex } from 'knex';
import { isMysql } from '../connect.ts';

/**
 * Incremental checkpoints: `tradeflow_checkpoint_deltas` holds, per source, what changed in the
 * state since the checkpoint before (numbered by `seq`, chunked as the base is), written in the
 * flush's transaction; `tradeflow_checkpoints.seq` says which deltas the base already holds (a
 * compaction folds them into it). A base written before has seq 0 and no deltas: it restores as is.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('tradeflow_checkpoint_deltas', (table) => {
    table.string('source', 191).notNullable();
    table.integer('seq').notNullable();
    table.integer('chunk').notNullable();
    table.text('offsets').nullable();
    table.specificType('data', isMysql(db) ? 'LONGBLOB' : 'BLOB').notNullable();
    table.string('saved_at', 32).notNullable();
    table.primary(['source', 'seq', 'chunk']);
    if (isMysql(db)) {
      table.engine('InnoDB');
      table.charset('utf8mb4');
    }
  });
  await db.schema.alterTable('tradeflow_checkpoints', (table) => {
    table.integer('seq').notNullable().defaultTo(0);
  });
}

/** Drops the deltas and the base's seq. */
export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('tradeflow_checkpoints', (table) => {
    table.dropColumn('seq');
  });
  await db.schema.dropTableIfExists('tradeflow_checkpoint_deltas');
}
