import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { asNextOffset } from '../../src/core/positions.ts';
import { openDatabase, parseDatabase } from '../../src/db/connect.ts';
import { migrateToLatest } from '../../src/db/migration-source.ts';
import { claimPartitions } from '../../src/sinks/owned-writes.ts';
import { saveProgress } from '../../src/sinks/checkpoint-writes.ts';
import { loadGroupSnapshots, saveGroupSnapshot, saveSnapshotsWhereCovered } from '../../src/sinks/snapshot-writes.ts';
import { scratchDir } from '../support/cli.ts';

describe('the aggregate stage\'s snapshots in the sink database', () => {
  it('keeps the newest snapshot of each partition of a source whole, however many chunks it takes, and only for the partitions asked for', async () => {
    const db = openDatabase(parseDatabase(`sqlite:${join(scratchDir(), 'snapshots.sqlite')}`));
    try {
      await migrateToLatest(db);
      const big = Buffer.alloc((4 << 20) * 2 + 5, 7); // three chunks
      await saveGroupSnapshot(db, 'kafka:c:g', { partition: 0, position: asNextOffset(5), fingerprint: 'f', state: Buffer.from('old') });
      await db.transaction(async (trx) => {
        await saveGroupSnapshot(trx, 'kafka:c:g', { partition: 0, position: asNextOffset(9), fingerprint: 'f', state: big });
        await saveGroupSnapshot(trx, 'kafka:c:g', { partition: 1, position: asNextOffset(3), fingerprint: 'f', state: Buffer.from('one') });
      });
      await saveGroupSnapshot(db, 'kafka:c:other', { partition: 0, position: asNextOffset(1), fingerprint: 'f', state: Buffer.from('x') });
      const found = await loadGroupSnapshots(db, 'kafka:c:g', [0, 2]);
      expect([...found.keys()]).toEqual([0]);
      expect(found.get(0)!.position).toBe(9);
      expect(found.get(0)!.state.equals(big)).toBe(true);
      expect((await loadGroupSnapshots(db, 'kafka:c:g', [1])).get(1)).toEqual({ partition: 1, position: 3, fingerprint: 'f', state: Buffer.from('one') });
      expect(await loadGroupSnapshots(db, 'kafka:c:g', [])).toEqual(new Map());
    } finally {
      await db.destroy();
    }
  });
  it('saves snapshots on their own only where the table covers each partition exactly up to its position, and none of them otherwise', async () => {
    const db = openDatabase(parseDatabase(`sqlite:${join(scratchDir(), 'covered.sqlite')}`));
    try {
      await migrateToLatest(db);
      await claimPartitions(db, 'kafka:c:g', [0, 1]);
      await saveProgress(db, 'kafka:c:g', [{ partition: 0, next: asNextOffset(5) }, { partition: 1, next: asNextOffset(7) }]);
      const at = (partition: number, position: number) => ({ partition, position: asNextOffset(position), fingerprint: 'f', state: Buffer.from(`${partition}@${position}`) });
      expect(await saveSnapshotsWhereCovered(db, 'kafka:c:g', [at(0, 5), at(1, 6)])).toBe(false); // partition 1 was written past 6
      expect(await loadGroupSnapshots(db, 'kafka:c:g', [0, 1])).toEqual(new Map());
      expect(await saveSnapshotsWhereCovered(db, 'kafka:c:g', [at(0, 5), at(1, 7)])).toBe(true);
      expect([...(await loadGroupSnapshots(db, 'kafka:c:g', [0, 1])).values()].map((snapshot) => snapshot.state.toString())).toEqual(['0@5', '1@7']);
    } finally {
      await db.destroy();
    }
  });
});
