/** Which snapshots the aggregate stage saves outside a flush (at a revoke, at a stop), without services. */
import { describe, expect, it } from 'vitest';
import { createChannelGroup } from '../../../src/core/channel-aggregate.ts';
import { createGroupTable, restoreGroups } from '../../../src/core/group-table.ts';
import { groupKeyText } from '../../../src/core/group-key.ts';
import { asNextOffset, type NextOffset } from '../../../src/core/positions.ts';
import { snapshotsToSave, type OwnedGroups } from '../../../src/runtime/stages/group-snapshots.ts';

const DAY = '2021-03-25';
const offsets = (entries: readonly (readonly [number, number])[]): Map<number, NextOffset> => new Map(entries.map(([partition, next]) => [partition, asNextOffset(next)]));

/** Partition 0 carries webShop, partition 1 appShop, partition 2 nothing yet; each at `position`. */
function owned(position: readonly (readonly [number, number])[], overrides: { entered?: readonly (readonly [number, number])[]; saved?: readonly (readonly [number, number])[] } = {}): OwnedGroups {
  const table = createGroupTable();
  table.latestDay = DAY;
  table.groups.set(groupKeyText(DAY, 'webShop'), createChannelGroup(DAY, 'webShop', 'Website'));
  table.groups.set(groupKeyText(DAY, 'appShop'), createChannelGroup(DAY, 'appShop', 'Shopping App'));
  const partitionOf = new Map([[groupKeyText(DAY, 'webShop'), 0], [groupKeyText(DAY, 'appShop'), 1]]);
  return { table, partitionOf, position: offsets(position), entered: offsets(overrides.entered ?? position), saved: offsets(overrides.saved ?? position.map(([partition]) => [partition, 0])) };
}

describe('the snapshots the aggregate stage saves at a revoke or a stop', () => {
  it('are those of the partitions that moved past their newest snapshot, each with its own groups at its position', () => {
    const snapshots = snapshotsToSave(owned([[0, 40], [1, 7], [2, 0]]), offsets([[0, 40], [1, 7], [2, 0]]), 'f');
    expect(snapshots.map(({ partition, position, fingerprint }) => ({ partition, position, fingerprint }))).toEqual([
      { partition: 0, position: 40, fingerprint: 'f' },
      { partition: 1, position: 7, fingerprint: 'f' },
    ]);
    expect([...restoreGroups(snapshots[0]!.state).groups.keys()]).toEqual([groupKeyText(DAY, 'webShop')]);
    expect([...restoreGroups(snapshots[1]!.state).groups.keys()]).toEqual([groupKeyText(DAY, 'appShop')]);
  });

  it('leave out a partition already saved at its position, one with changes that entered the operator but are not flushed yet, and one whose last flush is not written', () => {
    const state = owned([[0, 40], [1, 7]], { saved: [[0, 40], [1, 0]] });
    expect(snapshotsToSave(state, offsets([[0, 40], [1, 7]]), 'f').map((s) => s.partition)).toEqual([1]);
    expect(snapshotsToSave(owned([[0, 40], [1, 7]], { entered: [[0, 41], [1, 7]] }), offsets([[0, 40], [1, 7]]), 'f').map((s) => s.partition)).toEqual([1]);
    expect(snapshotsToSave(owned([[0, 40], [1, 7]]), offsets([[0, 30], [1, 5]]), 'f')).toEqual([]);
  });
});
