/**
 * Fencing of the aggregate stage's writes: every changes partition has a progress row, and a
 * flush commits only if the rows of its partitions still hold what this instance last wrote,
 * so that an instance that lost a partition in a rebalance can never write over its new owner.
 */
import type { Knex } from 'knex';
import { isMysql } from '../db/connect.ts';

/** Makes sure the partitions have progress rows and returns their offsets (-1: nothing written yet). */
export async function claimPartitions(db: Knex, source: string, partitions: readonly number[]): Promise<Map<number, number>> {
  if (partitions.length === 0) return new Map();
  await db('tradeflow_progress')
    .insert(partitions.map((partition) => ({ source, source_partition: partition, source_offset: -1 })))
    .onConflict(['source', 'source_partition'])
    .ignore();
  return offsetsOf(db, source, partitions, false);
}

/** Inside a flush's transaction: whether every partition is still at the offset expected (and locks them). */
export async function stillOwned(trx: Knex.Transaction, source: string, expected: ReadonlyMap<number, number>): Promise<boolean> {
  const now = await offsetsOf(trx, source, [...expected.keys()], true);
  return [...expected].every(([partition, offset]) => now.get(partition) === offset);
}

async function offsetsOf(db: Knex | Knex.Transaction, source: string, partitions: readonly number[], lock: boolean): Promise<Map<number, number>> {
  const query = db('tradeflow_progress').where({ source }).whereIn('source_partition', partitions).select('source_partition', 'source_offset');
  // SQLite has one writer at a time anyway; MySQL needs the lock to keep the check true until commit.
  const rows = (await (lock && isMysql(db) ? query.forUpdate() : query)) as { source_partition: number; source_offset: number | string }[];
  return new Map(rows.map((row) => [Number(row.source_partition), Number(row.source_offset)]));
}
