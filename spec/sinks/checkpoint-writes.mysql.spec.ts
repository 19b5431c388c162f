import { counted } from '../support/counted.ts';
import { expect, it } from 'vitest';
import { encodeDelta, restoreIncremental } from '../../src/core/dedupe-delta.ts';
import { snapshotDedupe } from '../../src/core/dedupe-snapshot.ts';
import { applyOrder, createDedupeState, takeChanges, trackChanges, type DedupeState } from '../../src/core/dedupe-state.ts';
import { asNextOffset } from '../../src/core/positions.ts';
import { migrateToLatest } from '../../src/db/migration-source.ts';
import { foldInWorker } from '../../src/workers/fold-in-worker.ts';
import { compactCheckpoint, loadIncremental, saveCheckpoint, saveDelta } from '../../src/sinks/checkpoint-writes.ts';
import { MARIADB, useSpecDatabase } from '../support/mysql.ts';
import { describeWithService, isReachable } from '../support/services.ts';

const SOURCE = 'kafka:orders:g';
const at = (next: number) => [{ partition: 0, next: asNextOffset(next) }];

describeWithService(MARIADB, await isReachable(MARIADB), 'incremental checkpoints in the database (MariaDB)', () => {
  const database = useSpecDatabase();

  it('compacts on a worker while flushes go on writing deltas: each compaction keeps the deltas written meanwhile after its base, and base + deltas restore the live state', async () => {
    const db = database.open();
    await migrateToLatest(db);
    const state = createDedupeState();
    trackChanges(state);
    await saveCheckpoint(db, SOURCE, { offsets: at(0), state: await snapshotDedupe(state) }, 'then');
    let seq = 0;
    /** One flush: a few new orders and new versions of older ones, and the delta of them in a transaction. */
    const flush = async (live: DedupeState): Promise<void> => {
      seq += 1;
      for (let i = 0; i < 50; i++) applyOrder(live, { orderId: `o${(seq * 37 + i * 11) % (seq * 30 + 50)}`, orderTime: seq, payTime: '2021-03-25 10:00:00', realPay: seq * 100 + i, userId: `u${i % 7}`, channel: i % 3 === 0 ? 'app' : 'web' }, []);
      const delta = await encodeDelta(takeChanges(live), seq);
      await db.transaction((trx) => saveDelta(trx, SOURCE, seq, { offsets: at(seq * 10), state: delta }, 'then'));
    };
    const restore = async () => {
      const stored = (await loadIncremental(db, SOURCE))!;
      return { offsets: stored.offsets, contributions: counted(restoreIncremental(stored.base, stored.deltas.map((d) => d.state))) };
    };
    for (let i = 0; i < 3; i++) await flush(state);
    let baseSeq = 0;
    for (let round = 1; round <= 3; round++) {
      const before = seq;
      let compacted = false;
      const compaction = compactCheckpoint(db, SOURCE, foldInWorker, 'now').finally(() => (compacted = true));
      while (!compacted) await flush(state);
      const { folded } = await compaction;
      // The base holds every delta up to the one it folded, and the deltas written meanwhile stay after it.
      const base = Number(((await db('tradeflow_checkpoints').where({ source: SOURCE, chunk: 0 }).first('seq')) as { seq: number }).seq);
      const left = ((await db('tradeflow_checkpoint_deltas').where({ source: SOURCE }).distinct('seq').orderBy('seq').pluck('seq')) as number[]).map(Number);
      expect(base, `round ${round}: the base folds at least the deltas written before the compaction`).toBeGreaterThanOrEqual(before);
      expect(seq, `round ${round}: deltas written while the compaction ran, after what it folded`).toBeGreaterThan(base);
      expect({ folded, left }).toEqual({ folded: base - baseSeq, left: range(base + 1, seq) });
      expect(await restore()).toEqual({ offsets: at(seq * 10), contributions: counted(state) });
      baseSeq = base;
    }
  }, 60_000);

  it('leaves base and deltas as they were when the fold fails in its worker, and says why in one line', async () => {
    const db = database.open();
    await migrateToLatest(db);
    const source = 'kafka:broken:g';
    const state = createDedupeState();
    trackChanges(state);
    await saveCheckpoint(db, source, { offsets: at(0), state: await snapshotDedupe(state) }, 'then');
    for (const seq of [1, 2, 3]) {
      applyOrder(state, { orderId: `o${seq}`, orderTime: seq, payTime: '2021-03-25 10:00:00', realPay: seq, userId: null, channel: 'web' }, []);
      const delta = await encodeDelta(takeChanges(state), seq);
      if (seq !== 2) await saveDelta(db, source, seq, { offsets: at(seq), state: delta }, 'then'); // delta 2 lost
    }
    const stored = async () => db('tradeflow_checkpoints').where({ source }).select('seq', 'chunk', 'data').union((q) => q.from('tradeflow_checkpoint_deltas').where({ source }).select('seq', 'chunk', 'data'));
    const before = await stored();
    await expect(compactCheckpoint(db, source, foldInWorker, 'now')).rejects.toThrow(new Error('checkpoint fold worker failed: Cannot restore the checkpoint: delta 3 follows delta 1'));
    expect(await stored()).toEqual(before);
  }, 30_000);
});

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}
