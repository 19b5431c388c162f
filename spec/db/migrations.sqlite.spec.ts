import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCounters, type Reject } from '../../src/core/batch.ts';
import { openDatabase, parseDatabase } from '../../src/db/connect.ts';
import { migrateToLatest, migrationSource, MIGRATIONS_TABLE } from '../../src/db/migration-source.ts';
import { databaseSink } from '../../src/sinks/database-sink.ts';
import { scratchDir } from '../support/cli.ts';

describe('the migrations on SQLite', () => {
  it('keys the rejects of an older table by source, position and content, so that none is dropped for another one', async () => {
    const db = openDatabase(parseDatabase(`sqlite:${join(scratchDir(), 'old.sqlite')}`));
    try {
      for (let step = 0; step < 3; step++) await db.migrate.up({ migrationSource, tableName: MIGRATIONS_TABLE }); // as version 003 left it
      await db('trade_order_rejects').insert({ source: 'file:orders.jsonl', source_partition: 0, source_offset: 4, reason: 'not valid JSON', raw: '{"x":', raw_bytes: 5, rejected_at: '2021-03-25 10:00:00' });
      expect(await migrateToLatest(db)).toEqual(['004-reject-keys', '005-trade-channel-history']);
      const reject = (raw: string): Reject => ({ source: 'file:orders.jsonl', partition: 0, offset: 4, reason: 'not valid JSON', raw, rawBytes: Buffer.byteLength(raw), rejectedAt: 0 });
      await databaseSink(db, { counters: createCounters(), formatTime: String }).write({ upserts: [], deletes: [], rejects: [reject('{"x":'), reject('[1]'), reject('[1]')], progress: [], history: [] });
      expect(await db('trade_order_rejects').select('raw').orderBy('id')).toEqual([{ raw: '{"x":' }, { raw: '[1]' }]);
    } finally {
      await db.destroy();
    }
  });
});
