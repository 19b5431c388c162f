import type { Knex } from 'knex';
import { isMysql } from '../connect.ts';
import { rejectKey } from '../reject-key.ts';

/**
 * Every reject kept once, and none silently dropped: `trade_order_rejects` was unique on (source,
 * partition, offset), with the source cut to 191 characters, so a second file of the same name,
 * or a topic made again (its offsets start over), lost its rejects to the first one's. Now the
 * source holds a whole path (1,024 characters), and a reject is unique by `reject_key`: the
 * SHA-256 of its source, position and content. Reading the same message again is still the same
 * reject; another message at the same position is another reject.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('trade_order_rejects', (table) => {
    table.dropUnique(['source', 'source_partition', 'source_offset']);
  });
  await db.schema.alterTable('trade_order_rejects', (table) => {
    if (isMysql(db)) table.string('source', 1024).notNullable().alter();
    table.string('reject_key', 64).nullable();
  });
  // Rows already there get their key as a new reject would: the retention keeps them few.
  for (;;) {
    const rows = (await db('trade_order_rejects').whereNull('reject_key').select('id', 'source', 'source_partition', 'source_offset', 'raw', 'raw_bytes').limit(1000)) as RejectRow[];
    if (rows.length === 0) break;
    for (const row of rows) await db('trade_order_rejects').where({ id: row.id }).update({ reject_key: rejectKey(row.source, Number(row.source_partition), Number(row.source_offset), Number(row.raw_bytes), row.raw) });
  }
  await db.schema.alterTable('trade_order_rejects', (table) => {
    table.unique(['reject_key']);
  });
}

/** Puts the old key back (two rejects at one position would break it: keep the first). */
export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('trade_order_rejects', (table) => {
    table.dropUnique(['reject_key']);
    table.dropColumn('reject_key');
  });
  await db.schema.alterTable('trade_order_rejects', (table) => {
    if (isMysql(db)) table.string('source', 191).notNullable().alter();
    table.unique(['source', 'source_partition', 'source_offset']);
  });
}

interface RejectRow {
  id: number;
  source: string;
  source_partition: number | string;
  source_offset: number | string;
  raw: string;
  raw_bytes: number | string;
}
