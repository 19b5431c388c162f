/**
 * Fencing of the aggregate stage's writes: every changes partition has a progress row, and a
 * flush commits only if the rows of its partitions still hold what this instance last wrote,
 * so that an instance that lost a partition in a rebalance can never write over its new owner.
 */
import type { Knex } from 'knex';
import { asNextOffset, START, type NextOffset } from '../core/positions.ts';
import { isMysql } from '../db/connect.ts';

/** Makes sure the partitions have progress rows and returns their positions (the start: nothing written yet). */
export async function claimPartitions(db: Knex, source: string, partitions: readonly number[]): Promise<Map<number, NextOffset>> {
  if (partitions.length === 0) return new Map();
  await db('tradeflow_progress')
    .insert(partitions.map((partition) => ({ source, source_partition: partition, source_offset: START })))
    .onConflict(['source', 'source_partition'])
    .ignore();
  return offsetsOf(db, source, partitions, false);
}

/** Inside a flush's transaction: whether every partition is still at the position expected (and locks them). */
export async function stillOwned(trx: Knex.Transaction, source: string, expected: ReadonlyMap<number, NextOffset>): Promise<boolean> {
  const now = await offsetsOf(trx, source, [...expected.keys()], true);
  return [...expected].every(([partition, offset]) => now.get(partition) === offset);
}

async function offsetsOf(db: Knex | Knex.Transaction, source: string, partitions: readonly number[], lock: boolean): Promise<Map<number, NextOffset>> {
  const query = db('tradeflow_progress').where({ source }).whereIn('source_partition', partitions).select('source_partition', 'source_offset');
  // SQLite has one writer at a time anyway; MySQL needs the lock to keep the check true until commit.
  const rows = (await (lock && isMysql(db) ? query.forUpdate() : query)) as { source_partition: number; source_offset: number | string }[];
  return new Map(rows.map((row) => [Number(row.source_partition), asNextOffset(Number(row.source_offset))]));
}
