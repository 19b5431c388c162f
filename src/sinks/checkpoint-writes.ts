/** The checkpoint of a source: the pipeline's state with the offsets it covers, in one transaction. */
import type { Knex } from 'knex';
import type { SourceOffset } from '../core/batch.ts';
import { asNextOffset, type NextOffset } from '../core/positions.ts';

/** A saved checkpoint. */
export interface Checkpoint {
  /** Per partition, the position the state goes on from. */
  readonly offsets: readonly SourceOffset[];
  readonly state: Buffer;
}

const CHUNK_BYTES = 4 << 20;

/** Replaces the checkpoint of `source` with this state and offsets. */
export async function saveCheckpoint(db: Knex | Knex.Transaction, source: string, checkpoint: Checkpoint, savedAt: string, halfWay = (): void => {}): Promise<void> {
  await db('tradeflow_checkpoints').where({ source }).delete();
  halfWay();
  const chunks = Math.max(1, Math.ceil(checkpoint.state.length / CHUNK_BYTES));
  for (let chunk = 0; chunk < chunks; chunk++) {
    await db('tradeflow_checkpoints').insert({
      source,
      chunk,
      offsets: chunk === 0 ? JSON.stringify(checkpoint.offsets.map(({ partition, next }) => ({ partition, next }))) : null,
      data: checkpoint.state.subarray(chunk * CHUNK_BYTES, (chunk + 1) * CHUNK_BYTES),
      saved_at: savedAt,
    });
  }
}

/** The checkpoint of `source`, or undefined when there is none. */
export async function loadCheckpoint(db: Knex | Knex.Transaction, source: string): Promise<Checkpoint | undefined> {
  const rows = (await db('tradeflow_checkpoints').where({ source }).orderBy('chunk')) as { chunk: number; offsets: string | null; data: Buffer }[];
  const first = rows[0];
  if (first === undefined || first.offsets === null) return undefined;
  const offsets = (JSON.parse(first.offsets) as { partition: number; next: number }[]).map(({ partition, next }) => ({ partition, next: asNextOffset(next) }));
  return { offsets, state: Buffer.concat(rows.map((row) => row.data)) };
}

/** Records the positions the result table covers after a flush. */
export async function saveProgress(db: Knex | Knex.Transaction, source: string, covered: readonly SourceOffset[]): Promise<void> {
  if (covered.length === 0) return;
  await db('tradeflow_progress')
    .insert(covered.map(({ partition, next }) => ({ source, source_partition: partition, source_offset: next })))
    .onConflict(['source', 'source_partition'])
    .merge();
}

/** The positions the result table covered when the last run of `source` stopped. */
export async function loadProgress(db: Knex | Knex.Transaction, source: string): Promise<Map<number, NextOffset>> {
  const rows = (await db('tradeflow_progress').where({ source })) as { source_partition: number; source_offset: number | string }[];
  return new Map(rows.map((row) => [Number(row.source_partition), asNextOffset(Number(row.source_offset))]));
}

/** Drops the checkpoint of `source` and the offsets its table covered; says whether there was one. */
export async function dropCheckpoint(db: Knex, source: string): Promise<{ readonly checkpoint: Checkpoint | undefined }> {
  return db.transaction(async (trx) => {
    const checkpoint = await loadCheckpoint(trx, source);
    await trx('tradeflow_checkpoints').where({ source }).delete();
    await trx('tradeflow_progress').where({ source }).delete();
    return { checkpoint };
  });
}
