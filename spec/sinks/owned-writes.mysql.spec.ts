import type { Knex } from 'knex';
import { beforeAll, beforeEach, expect, it } from 'vitest';
import { createCounters } from '../../src/core/batch.ts';
import { timestampInZone } from '../../src/core/business-day.ts';
import { migrateToLatest } from '../../src/db/migration-source.ts';
import type { Flush } from '../../src/operators/buffer-flush.ts';
import { databaseSink } from '../../src/sinks/database-sink.ts';
import { claimPartitions, stillOwned } from '../../src/sinks/owned-writes.ts';
import { WriteFenced, type ResultSink } from '../../src/sinks/result-sink.ts';
import { MARIADB, useSpecDatabase } from '../support/mysql.ts';
import { describeWithService, isReachable } from '../support/services.ts';
import { asNextOffset, type NextOffset } from '../../src/core/positions.ts';

const KEY = 'kafka:fence-changes:fence';
const DAY = '2021-03-25 00:00:00';

/** A flush of one webShop row with `orders` orders, covering the changes up to these positions. */
function flush(orders: number, covered: Record<number, number>): Flush {
  const figures = { channelName: 'Website', gmvText: `${orders}.000000`, gmv: orders, userCount: orders, orderCount: orders, lastPayTime: '2021-03-25 10:00:00', computedAt: '2021-03-25 10:00:01.000' };
  const progress = Object.entries(covered).map(([partition, next]) => ({ partition: Number(partition), next: asNextOffset(next) }));
  return { upserts: [{ beginTime: DAY, channelCode: 'webShop', figures }], deletes: [], history: [], rejects: [], progress };
}

/** One aggregate-stage owner as the stage builds it: it writes only while the progress rows hold what it last wrote. */
function owner(db: Knex, claimed: Map<number, NextOffset>): { write: (f: Flush) => Promise<void> } {
  const expected = new Map(claimed);
  const sink: ResultSink = databaseSink(db, {
    counters: createCounters(),
    formatTime: (ms) => timestampInZone(ms, 'UTC'),
    guard: async (trx) => {
      if (!(await stillOwned(trx, KEY, expected))) throw new WriteFenced('partitions of fence-changes were written by another instance');
    },
  });
  return {
    write: async (f) => {
      await sink.write(f, { key: KEY, covered: f.progress });
      for (const { partition, next } of f.progress) expected.set(partition, next);
    },
  };
}

describeWithService(MARIADB, await isReachable(MARIADB), 'the fence of the aggregate stage\'s writes, on MariaDB', () => {
  const database = useSpecDatabase();
  let db: Knex;
  beforeAll(async () => {
    db = database.open();
    await migrateToLatest(db);
  });
  beforeEach(async () => {
    await db('trade_channel_collect').delete();
    await db('tradeflow_progress').delete();
  });

  const table = async (): Promise<string> => {
    const rows = (await db('trade_channel_collect').select('channel_code', 'cur_order_count')) as { channel_code: string; cur_order_count: number }[];
    const progress = (await db('tradeflow_progress').where({ source: KEY }).orderBy('source_partition')) as { source_partition: number; source_offset: number | string }[];
    return `${rows.map((r) => `${r.channel_code}=${r.cur_order_count}`).join(' ')} | ${progress.map((p) => `${p.source_partition}:${p.source_offset}`).join(' ')}`;
  };

  it('refuses, writing nothing, the flush of an owner whose partition another instance has written since', async () => {
    const first = owner(db, await claimPartitions(db, KEY, [0, 1]));
    await first.write(flush(1, { 0: 5, 1: 7 }));
    expect(await table()).toBe('webShop=1 | 0:5 1:7');

    // A rebalance hands partition 1 to a second instance, which writes on from where the table is.
    const claimed = await claimPartitions(db, KEY, [1]);
    expect([...claimed]).toEqual([[1, 7]]);
    await owner(db, claimed).write(flush(2, { 1: 9 }));
    expect(await table()).toBe('webShop=2 | 0:5 1:9');

    // The first instance has not heard of the move yet: its next flush must not land.
    await expect(first.write(flush(3, { 0: 8, 1: 12 }))).rejects.toBeInstanceOf(WriteFenced);
    expect(await table()).toBe('webShop=2 | 0:5 1:9');
  });

  it('lets an owner write on as long as nobody else wrote its partitions', async () => {
    const only = owner(db, await claimPartitions(db, KEY, [0, 1]));
    await only.write(flush(4, { 0: 3, 1: 2 }));
    await only.write(flush(5, { 0: 6 }));
    expect(await table()).toBe('webShop=5 | 0:6 1:2');
  });
});
