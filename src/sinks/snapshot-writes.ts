/**
 * The snapshots of the aggregate stage's changes partitions in the sink database: each one the
 * groups of one partition at a position, written in the transaction of a fenced flush, so that a
 * snapshot is exactly what the table holds for that partition at that position.
 */
import type { Knex } from 'knex';
import { asNextOffset, type NextOffset } from '../core/positions.ts';
import { chunksOf } from './blob-chunks.ts';
import { stillOwned } from './owned-writes.ts';

/** The groups of one partition, as of the next offset they have not seen. */
export interface GroupSnapshot {
  readonly partition: number;
  readonly position: NextOffset;
  /** What else than the log the state depends on: a snapshot of another fingerprint is not restored. */
  readonly fingerprint: string;
  readonly state: Buffer;
}

/** Replaces the snapshot of `partition` of `source` with this one. */
export async function saveGroupSnapshot(db: Knex | Knex.Transaction, source: string, snapshot: GroupSnapshot): Promise<void> {
  const { partition, position, fingerprint, state } = snapshot;
  await db('tradeflow_snapshots').where({ source, source_partition: partition }).delete();
  for (const [chunk, data] of chunksOf(state).entries()) await db('tradeflow_snapshots').insert({ source, source_partition: partition, chunk, position, fingerprint, data });
}

/**
 * Saves snapshots in a transaction of their own, fenced as a flush is: only if the table still
 * covers each partition exactly up to its snapshot's position (nobody wrote it since, so the
 * snapshot is what the table holds). Says whether they were saved.
 */
export async function saveSnapshotsWhereCovered(db: Knex, source: string, snapshots: readonly GroupSnapshot[]): Promise<boolean> {
  if (snapshots.length === 0) return true;
  return db.transaction(async (trx) => {
    if (!(await stillOwned(trx, source, new Map(snapshots.map((snapshot) => [snapshot.partition, snapshot.position]))))) return false;
    for (const snapshot of snapshots) await saveGroupSnapshot(trx, source, snapshot);
    return true;
  });
}

/** The snapshots of these partitions of `source` that are there. */
export async function loadGroupSnapshots(db: Knex | Knex.Transaction, source: string, partitions: readonly number[]): Promise<Map<number, GroupSnapshot>> {
  if (partitions.length === 0) return new Map();
  const rows = (await db('tradeflow_snapshots').where({ source }).whereIn('source_partition', partitions).orderBy(['source_partition', 'chunk'])) as { source_partition: number; position: number | string; fingerprint: string; data: Buffer }[];
  const parts = new Map<number, { position: number; fingerprint: string; data: Buffer[] }>();
  for (const row of rows) {
    const partition = Number(row.source_partition);
    const part = parts.get(partition) ?? { position: Number(row.position), fingerprint: row.fingerprint, data: [] };
    part.data.push(row.data);
    parts.set(partition, part);
  }
  return new Map([...parts].map(([partition, { position, fingerprint, data }]) => [partition, { partition, position: asNextOffset(position), fingerprint, state: Buffer.concat(data) }]));
}

