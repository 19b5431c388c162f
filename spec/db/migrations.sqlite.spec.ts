import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCounters, type Reject } from '../../src/core/batch.ts';
import { openDatabase, parseDatabase } from '../../src/db/connect.ts';
import { migrateToLatest, migrationSource, MIGRATIONS_TABLE } from '../../src/db/migration-source.ts';
import { loadCheckpoint, loadProgress } from '../../src/sinks/checkpoint-writes.ts';
import { databaseSink } from '../../src/sinks/database-sink.ts';
import { scratchDir } from '../support/cli.ts';

describe('the migrations on SQLite', () => {
  it('keys the rejects of an older table by source, position and content, so that none is dropped for another one', async () => {
    const db = openDatabase(parseDatabase(`sqlite:${join(scratchDir(), 'old.sqlite')}`));
    try {
      for (let step = 0; step < 3; step++) await db.migrate.up({ migrationSource, tableName: MIGRATIONS_TABLE }); // as version 003 left it
      await db('trade_order_rejects').insert({ source: 'file:orders.jsonl', source_partition: 0, source_offset: 4, reason: 'not valid JSON', raw: '{"x":', raw_bytes: 5, rejected_at: '2021-03-25 10:00:00' });
      expect(await migrateToLatest(db)).toEqual(['004-reject-keys', '005-trade-channel-history', '006-next-offsets', '007-tradeflow-snapshots', '008-checkpoint-deltas']);
      const reject = (raw: string): Reject => ({ source: 'file:orders.jsonl', partition: 0, offset: 4, reason: 'not valid JSON', raw, rawBytes: Buffer.byteLength(raw), rejectedAt: 0 });
      await databaseSink(db, { counters: createCounters(), formatTime: String }).write({ upserts: [], deletes: [], rejects: [reject('{"x":'), reject('[1]'), reject('[1]')], progress: [], history: [] });
      expect(await db('trade_order_rejects').select('raw').orderBy('id')).toEqual([{ raw: '{"x":' }, { raw: '[1]' }]);
    } finally {
      await db.destroy();
    }
  });

  it('turns the stored positions of an older version, last offset included, into the next offset to read', async () => {
    const db = openDatabase(parseDatabase(`sqlite:${join(scratchDir(), 'positions.sqlite')}`));
    try {
      for (let step = 0; step < 5; step++) await db.migrate.up({ migrationSource, tableName: MIGRATIONS_TABLE }); // as version 005 left it
      const offsets = JSON.stringify([{ partition: 0, offset: 41 }, { partition: 1, offset: -1 }]);
      await db('tradeflow_checkpoints').insert([
        { source: 'kafka:orders:g', chunk: 0, offsets, data: Buffer.from([1]), saved_at: 'then' },
        { source: 'kafka:orders:g', chunk: 1, offsets: null, data: Buffer.from([2]), saved_at: 'then' },
      ]);
      await db('tradeflow_progress').insert([
        { source: 'kafka:orders:g', source_partition: 0, source_offset: 45 },
        { source: 'kafka:changes:agg', source_partition: 3, source_offset: -1 }, // an aggregate stage's "nothing written yet"
      ]);
      expect(await migrateToLatest(db)).toEqual(['006-next-offsets', '007-tradeflow-snapshots', '008-checkpoint-deltas']);
      expect(await loadCheckpoint(db, 'kafka:orders:g')).toEqual({ offsets: [{ partition: 0, next: 42 }, { partition: 1, next: 0 }], state: Buffer.from([1, 2]) });
      expect([...(await loadProgress(db, 'kafka:orders:g'))]).toEqual([[0, 46]]);
      expect([...(await loadProgress(db, 'kafka:changes:agg'))]).toEqual([[3, 0]]);
    } finally {
      await db.destroy();
    }
  });
});
