/**
 * The aggregate stage's snapshots, per changes partition: the groups that partition carries, taken
 * as a flush leaves the operator (when the table agrees with the positions flushed so far) and
 * restored by a new owner, which then reads only the changes after them.
 */
import type { ChannelMap } from '../../core/channel.ts';
import { addGroups, createGroupTable, restoreGroups, snapshotGroups, tableOfGroups, type GroupTable } from '../../core/group-table.ts';
import type { NextOffset } from '../../core/positions.ts';
import type { GroupSnapshot } from '../../sinks/snapshot-writes.ts';

/** Which partition carries each group (the changes topic is keyed by group), by group key. */
export type GroupPartitions = Map<string, number>;

/** The groups of the partitions of one assignment, and how far they are. */
export interface OwnedGroups {
  readonly table: GroupTable;
  readonly partitionOf: GroupPartitions;
  /** Per partition, the next offset of the batches that entered the operator. */
  readonly entered: Map<number, NextOffset>;
  /** Per partition, the next offset the table has not seen as of the last flush out of the operator. */
  readonly position: Map<number, NextOffset>;
  /** Per partition, the position of its newest snapshot (saved or restored). */
  readonly saved: Map<number, NextOffset>;
}

/** What a new owner starts from: the groups restored, and per partition where its snapshot ends or why none was used. */
export interface RestoredGroups {
  readonly table: GroupTable;
  readonly partitionOf: GroupPartitions;
  readonly restored: Map<number, { readonly position: NextOffset; readonly groups: number }>;
  readonly unusable: Map<number, string>;
}

/**
 * The table of the snapshots found, each used only if it was taken for the same days and channels and is not
 * past what the table covers for its partition (`covered`); the others are rebuilt from the log.
 */
export function restoreFrom(found: ReadonlyMap<number, GroupSnapshot>, covered: ReadonlyMap<number, NextOffset>, fingerprint: string, channels?: ChannelMap): RestoredGroups {
  const result: RestoredGroups = { table: createGroupTable(), partitionOf: new Map(), restored: new Map(), unusable: new Map() };
  for (const [partition, snapshot] of found) {
    const upTo = covered.get(partition);
    if (upTo === undefined) continue;
    if (snapshot.fingerprint !== fingerprint) {
      result.unusable.set(partition, 'it was taken for other days or channels');
      continue;
    }
    if (snapshot.position > upTo) {
      result.unusable.set(partition, `it is at offset ${snapshot.position}, past the table's ${upTo}`);
      continue;
    }
    let part: GroupTable;
    try {
      part = restoreGroups(snapshot.state, channels);
    } catch (error) {
      result.unusable.set(partition, `it does not read: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    addGroups(result.table, part);
    for (const key of part.groups.keys()) result.partitionOf.set(key, partition);
    result.restored.set(partition, { position: snapshot.position, groups: part.groups.size });
  }
  return result;
}

/** The snapshot of each of these partitions at its position, from the table as it is now (copied: the table goes on changing). */
export function captureGroups(table: GroupTable, partitionOf: GroupPartitions, positions: ReadonlyMap<number, NextOffset>, fingerprint: string): GroupSnapshot[] {
  return [...positions].map(([partition, position]) => ({ partition, position, fingerprint, state: snapshotGroups(tableOfGroups(table, (key) => partitionOf.get(key) === partition)) }));
}

/**
 * The snapshots worth saving outside a flush (at a revoke, at a stop): of the partitions that
 * moved past their newest snapshot, where the table agrees with what is written (everything that
 * entered the operator is flushed, and `written`, what the table covers, is at that flush).
 */
export function snapshotsToSave(owned: OwnedGroups, written: ReadonlyMap<number, NextOffset>, fingerprint: string): GroupSnapshot[] {
  const { table, partitionOf, entered, position, saved } = owned;
  const agreed = new Map([...position].filter(([partition, next]) => entered.get(partition) === next && written.get(partition) === next && saved.get(partition) !== next));
  return agreed.size === 0 ? [] : captureGroups(table, partitionOf, agreed, fingerprint);
}
