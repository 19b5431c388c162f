import { counted } from '../support/counted.ts';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compactIncremental, encodeDelta, restoreIncremental } from '../../src/core/dedupe-delta.ts';
import { snapshotDedupe } from '../../src/core/dedupe-snapshot.ts';
import { applyOrder, createDedupeState, takeChanges, trackChanges } from '../../src/core/dedupe-state.ts';
import { asNextOffset } from '../../src/core/positions.ts';
import { openDatabase, parseDatabase } from '../../src/db/connect.ts';
import { migrateToLatest } from '../../src/db/migration-source.ts';
import { compactCheckpoint, loadIncremental, saveCheckpoint, saveDelta } from '../../src/sinks/checkpoint-writes.ts';
import { scratchDir } from '../support/cli.ts';

const SOURCE = 'kafka:orders:g';
const at = (next: number) => [{ partition: 0, next: asNextOffset(next) }];

describe('incremental checkpoints in the database (SQLite)', () => {
  it('restores base + deltas, compacts them into a new base that keeps a delta written after, and a compaction killed half-way leaves them as they were', async () => {
    const db = openDatabase(parseDatabase(`sqlite:${join(scratchDir(), 'incremental.sqlite')}`));
    try {
      await migrateToLatest(db);
      const state = createDedupeState();
      trackChanges(state);
      await saveCheckpoint(db, SOURCE, { offsets: at(0), state: await snapshotDedupe(state) }, 'then');
      for (let seq = 1; seq <= 3; seq++) {
        for (let i = 0; i < 10; i++) applyOrder(state, { orderId: `o${(seq * 7 + i) % 20}`, orderTime: seq, payTime: '2021-03-25 10:00:00', realPay: seq * 100 + i, userId: `u${i}`, channel: 'web' }, []);
        await db.transaction(async (trx) => saveDelta(trx, SOURCE, seq, { offsets: at(seq * 10), state: await encodeDelta(takeChanges(state), seq) }, 'then'));
      }
      const restore = async () => {
        const stored = (await loadIncremental(db, SOURCE))!;
        return { offsets: stored.offsets, baseSeq: stored.baseSeq, contributions: counted(restoreIncremental(stored.base, stored.deltas.map((d) => d.state))) };
      };
      const expected = { offsets: at(30), contributions: counted(state) };
      expect(await restore()).toEqual({ ...expected, baseSeq: 0 });

      const killed = compactCheckpoint(db, SOURCE, compactIncremental, 'now', () => {
        throw new Error('killed half-way');
      });
      await expect(killed).rejects.toThrow('killed half-way');
      expect(await restore()).toEqual({ ...expected, baseSeq: 0 });

      // A delta written while the compaction folds: it stays after the new base.
      const folded = await compactCheckpoint(db, SOURCE, async (base, deltas) => {
        applyOrder(state, { orderId: 'late', orderTime: 9, payTime: '2021-03-25 11:00:00', realPay: 5, userId: null, channel: 'app' }, []);
        await saveDelta(db, SOURCE, 4, { offsets: at(41), state: await encodeDelta(takeChanges(state), 4) }, 'then');
        return compactIncremental(base, deltas);
      }, 'now');
      expect(folded.folded).toBe(3);
      expect(await restore()).toEqual({ offsets: at(41), baseSeq: 3, contributions: counted(state) });
      expect(await db('tradeflow_checkpoint_deltas').distinct('seq').pluck('seq')).toEqual([4]);
    } finally {
      await db.destroy();
    }
  });
});
