import type { Knex } from 'knex';

/**
 * One offset convention: the positions stored in `tradeflow_checkpoints.offsets` and
 * `tradeflow_progress.source_offset` were the last offset included; from here on they are the
 * next offset to read, as everywhere inside and in Kafka. A run checkpointed before goes on
 * exactly where it stopped. (An aggregate stage's "nothing written yet", -1, becomes 0.)
 */
export async function up(db: Knex): Promise<void> {
  await shift(db, 1);
}

/** Back to "last included". */
export async function down(db: Knex): Promise<void> {
  await shift(db, -1);
}

async function shift(db: Knex, by: 1 | -1): Promise<void> {
  // Inside the migration's transaction (knex runs each in one).
  {
    const trx = db;
    await trx('tradeflow_progress').update({ source_offset: trx.raw('source_offset + ?', [by]) });
    const rows = (await trx('tradeflow_checkpoints').whereNotNull('offsets').select('source', 'chunk', 'offsets')) as { source: string; chunk: number; offsets: string }[];
    for (const row of rows) {
      const offsets = by === 1
        ? (JSON.parse(row.offsets) as { partition: number; offset: number }[]).map(({ partition, offset }) => ({ partition, next: offset + 1 }))
        : (JSON.parse(row.offsets) as { partition: number; next: number }[]).map(({ partition, next }) => ({ partition, offset: next - 1 }));
      await trx('tradeflow_checkpoints').where({ source: row.source, chunk: row.chunk }).update({ offsets: JSON.stringify(offsets) });
    }
  }
}
