import { readFileSync } from 'node:fs';
import type { Knex } from 'knex';
import { concatMap, from } from 'rxjs';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCounters, type Batch, type RawRecord, type Reject } from '../../src/core/batch.ts';
import { timestampInZone } from '../../src/core/business-day.ts';
import type { GroupHistory } from '../../src/core/minute-history.ts';
import { openDatabase, parseDatabase } from '../../src/db/connect.ts';
import { migrateToLatest } from '../../src/db/migration-source.ts';
import type { Flush, UpsertRow } from '../../src/operators/buffer-flush.ts';
import { runPipeline } from '../../src/runtime/run-pipeline.ts';
import { databaseSink } from '../../src/sinks/database-sink.ts';
import type { ResultSink } from '../../src/sinks/result-sink.ts';
import type { RetryOptions } from '../../src/sinks/retry.ts';
import type { OrderSource } from '../../src/sources/order-source.ts';
import { SAMPLE } from '../support/cli.ts';
import { MARIADB, useSpecDatabase } from '../support/mysql.ts';
import { toBatches } from '../support/replay.ts';
import { describeWithService, freePort, isReachable } from '../support/services.ts';

const DAY = '2021-03-25 00:00:00';
const formatTime = (ms: number): string => timestampInZone(ms, 'UTC');

function row(channelCode: string, orderCount: number): UpsertRow {
  const figures = { channelName: channelCode, gmvText: `${orderCount}.000000`, gmv: orderCount, userCount: orderCount, orderCount, lastPayTime: '2021-03-25 10:00:00', computedAt: '2021-03-25 10:00:01.000' };
  return { beginTime: DAY, channelCode, figures };
}

function reject(offset: number): Reject {
  return { source: 'file:test.jsonl', partition: 0, offset, reason: 'real_pay: not a decimal number (got "12.x")', raw: '{"real_pay":"12.x"}', rawBytes: 19, rejectedAt: 0 };
}

function flush(parts: { upserts?: UpsertRow[]; deletes?: string[]; rejects?: Reject[]; history?: GroupHistory[] }): Flush {
  const deletes = (parts.deletes ?? []).map((channelCode) => ({ beginTime: DAY, channelCode }));
  return { upserts: parts.upserts ?? [], deletes, history: parts.history ?? [], rejects: parts.rejects ?? [], progress: [] };
}

/** The tables as another connection sees them, e.g. "appShop=1 other=1 | rejects 0". */
async function state(db: Knex): Promise<string> {
  const rows = (await db('trade_channel_collect').select('channel_code', 'cur_order_count').orderBy('channel_code')) as { channel_code: string; cur_order_count: number }[];
  const [count] = (await db('trade_order_rejects').count({ n: '*' })) as { n: number }[];
  return `${rows.map((r) => `${r.channel_code}=${r.cur_order_count}`).join(' ')} | rejects ${count?.n ?? '?'}`;
}

/** A source of fixed batches, `gapMs` apart, that waits as the pipeline asks. */
function fixedSource(batches: readonly Batch<RawRecord>[], gapMs = 0): OrderSource {
  return {
    name: 'file:test.jsonl',
    batches: (flow) =>
      from(batches).pipe(
        concatMap(async (batch, index) => {
          if (index > 0 && gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
          await flow.ready();
          return batch;
        }),
      ),
    commit: async () => {},
  };
}

/** A sink that, after each write, records the table as a separate connection then sees it. */
function observedSink(inner: ResultSink, observer: Knex, seen: string[]): ResultSink {
  return {
    write: async (f) => {
      await inner.write(f);
      seen.push(await state(observer));
    },
    close: async () => {},
  };
}

/** The id of the connection running a statement like `pattern` in `database`, once it runs. */
async function runningStatement(observer: Knex, database: string, pattern: string): Promise<number> {
  for (let tries = 0; tries < 200; tries++) {
    const [found] = (await observer('information_schema.PROCESSLIST').select({ id: 'ID' }).where({ DB: database }).andWhere('INFO', 'like', pattern)) as { id: number }[];
    if (found !== undefined) return found.id;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no statement like ${pattern} ran`);
}

/** Retry options that record what happens instead of waiting. */
function recorded(onWait: (attempt: number) => Promise<void> = async () => {}): { options: RetryOptions; errors: string[]; delays: number[]; recovered: [number, number][] } {
  const errors: string[] = [], delays: number[] = [], recovered: [number, number][] = [];
  let now = 0;
  const options: RetryOptions = {
    initialDelayMs: 1,
    onRetry: (error) => errors.push(String((error as { code?: unknown }).code ?? (error as Error).message)),
    onRecovered: (attempts, downMs) => recovered.push([attempts, downMs]),
    sleep: async (ms) => (delays.push(ms), (now += ms), await onWait(delays.length)),
    clock: () => now,
  };
  return { options, errors, delays, recovered };
}

const sampleLines = readFileSync(SAMPLE, 'utf8').trim().split('\n');
const SAMPLE_TABLE = 'appShop=1 miniAppShop=2 other=1 webShop=5 | rejects 0';

describeWithService(MARIADB, await isReachable(MARIADB), 'databaseSink on MariaDB', () => {
  const database = useSpecDatabase();
  let db: Knex;
  let observer: Knex;
  beforeAll(async () => {
    db = database.open();
    observer = database.open();
    await migrateToLatest(db);
  });
  beforeEach(async () => {
    await db('trade_channel_collect').delete();
    await db('trade_order_rejects').delete();
    await db('trade_channel_history').delete();
  });
  const sink = (options: Partial<Parameters<typeof databaseSink>[1]> = {}, on: Knex = db): ResultSink =>
    databaseSink(on, { counters: createCounters(), formatTime, ...options });

  it('inserts the row of a new group, then updates that same row when its figures change', async () => {
    await sink().write(flush({ upserts: [row('webShop', 1)] }));
    expect(await state(observer)).toBe('webShop=1 | rejects 0');
    await sink().write(flush({ upserts: [row('webShop', 2), row('appShop', 1)] }));
    expect(await state(observer)).toBe('appShop=1 webShop=2 | rejects 0');
    const [written] = (await observer('trade_channel_collect').where({ channel_code: 'webShop' })) as Record<string, unknown>[];
    expect(written).toEqual({
      begin_time: DAY, channel_code: 'webShop', channel_name: 'webShop', cur_gmv: 2, cur_order_user_count: 2, cur_order_count: 2,
      last_pay_time: '2021-03-25 10:00:00', flink_current_time: '2021-03-25 10:00:01.000',
    });
  });

  it('deletes the row of a group whose last order left, and keeps the other rows', async () => {
    await sink().write(flush({ upserts: [row('webShop', 1), row('other', 1)] }));
    await sink().write(flush({ deletes: ['other'] }));
    expect(await state(observer)).toBe('webShop=1 | rejects 0');
  });

  it('writes a flush that both deletes and upserts rows: every delete and every upsert lands', async () => {
    await sink().write(flush({ upserts: [row('webShop', 1), row('other', 1), row('appShop', 1)] }));
    await sink().write(flush({ upserts: [row('webShop', 2), row('miniAppShop', 1)], deletes: ['other'], rejects: [reject(5)] }));
    expect(await state(observer)).toBe('appShop=1 miniAppShop=1 webShop=2 | rejects 1');
    await sink().write(flush({ deletes: ['appShop', 'miniAppShop'], upserts: [row('other', 3)] }));
    expect(await state(observer)).toBe('other=3 webShop=2 | rejects 1');
  });

  it('writes the minutes of the day curve exactly (DECIMAL, beyond a double), in the flush\'s transaction, replacing a group\'s minutes when they come whole', async () => {
    // DECIMAL(40,18) answers with 18 decimal places: compared as the exact value, without its trailing zeros.
    const exact = (gmv: string): string => (gmv.includes('.') ? gmv.replace(/0+$/, '').replace(/\.$/, '') : gmv);
    const minutes = async (): Promise<unknown[]> =>
      ((await observer('trade_channel_history').select('channel_code', 'pay_minute', 'gmv', 'order_count').orderBy(['channel_code', 'pay_minute'])) as { gmv: string }[]).map((m) => ({ ...m, gmv: exact(m.gmv) }));
    const big = '12345678901234.123457'; // 20 digits: a double would end it in ...234.125
    await sink().write(flush({ upserts: [row('webShop', 1)], history: [{ beginTime: DAY, channelCode: 'webShop', whole: true, minutes: [{ minute: 0, gmvText: big, orderCount: 3 }, { minute: 5, gmvText: '0.100000', orderCount: 1 }] }] }));
    expect(await minutes()).toEqual([
      { channel_code: 'webShop', pay_minute: 0, gmv: big, order_count: 3 },
      { channel_code: 'webShop', pay_minute: 5, gmv: '0.1', order_count: 1 },
    ]);
    // A change of one minute upserts that minute; a group's first row of a new run replaces them all.
    await sink().write(flush({ upserts: [row('webShop', 1)], history: [{ beginTime: DAY, channelCode: 'webShop', whole: false, minutes: [{ minute: 5, gmvText: '0.000000', orderCount: 0 }] }] }));
    expect(await minutes()).toEqual([
      { channel_code: 'webShop', pay_minute: 0, gmv: big, order_count: 3 },
      { channel_code: 'webShop', pay_minute: 5, gmv: '0', order_count: 0 },
    ]);
    await sink().write(flush({ upserts: [row('webShop', 1)], history: [{ beginTime: DAY, channelCode: 'webShop', whole: true, minutes: [{ minute: 9, gmvText: '2.000000', orderCount: 1 }] }] }));
    expect(await minutes()).toEqual([{ channel_code: 'webShop', pay_minute: 9, gmv: '2', order_count: 1 }]);
    // A flush that fails after its minutes were written (before the commit) leaves none of them.
    const cut = (): void => {
      throw new Error('cut before the commit');
    };
    const failed = sink({ inside: cut }).write(flush({ upserts: [row('webShop', 2)], history: [{ beginTime: DAY, channelCode: 'webShop', whole: true, minutes: [{ minute: 1, gmvText: '1.000000', orderCount: 1 }] }] }));
    await expect(failed).rejects.toThrow('Cannot write to the database: cut before the commit');
    expect(await minutes()).toEqual([{ channel_code: 'webShop', pay_minute: 9, gmv: '2', order_count: 1 }]);
  });

  it('inserts the rejects a flush carries once: the same reject written again is ignored', async () => {
    await sink().write(flush({ rejects: [reject(4), reject(9)] }));
    await sink().write(flush({ rejects: [reject(9), reject(12)] }));
    const rows = (await observer('trade_order_rejects').select('source', 'source_offset', 'reason').orderBy('source_offset')) as { source_offset: number }[];
    expect(rows.map((r) => r.source_offset)).toEqual([4, 9, 12]);
    expect(rows[0]).toEqual({ source: 'file:test.jsonl', source_offset: 4, reason: 'real_pay: not a decimal number (got "12.x")' });
  });

  it('keeps exactly the newest keepRejects rejects, with gaps in the ids, pruning while it writes and at the end', async () => {
    const counters = createCounters();
    const keeping = sink({ keepRejects: 10, counters });
    // 7 new rejects per flush, each flush also carrying the previous one's last reject again:
    // ignored, it leaves a gap in the ids (MariaDB spends an id on it anyway).
    for (let f = 0; f < 5; f++) {
      const offsets = Array.from({ length: 7 }, (_, i) => f * 7 + i + 1);
      await keeping.write(flush({ rejects: [...(f > 0 ? [reject(f * 7)] : []), ...offsets.map(reject)] }));
    }
    await keeping.finish?.();
    const kept = (await observer('trade_order_rejects').select('source_offset').orderBy('source_offset')) as { source_offset: number }[];
    expect(kept.map((r) => r.source_offset)).toEqual([26, 27, 28, 29, 30, 31, 32, 33, 34, 35]);
    expect(counters.rejectsDropped).toBe(25);
  });

  const run = (seen: string[], batches: readonly Batch<RawRecord>[], cut: { flushRows: number; flushIntervalMs: number; gapMs?: number }): Promise<void> =>
    runPipeline({
      source: fixedSource(batches, cut.gapMs),
      sink: observedSink(sink(), observer, seen),
      days: { kind: 'fixed', day: '2021-03-25' },
      zone: 'UTC',
      counters: createCounters(),
      flushRows: cut.flushRows,
      flushIntervalMs: cut.flushIntervalMs,
    });

  it('commits a transaction every flushRows changes through the real pipeline, each seen by other connections', async () => {
    const seen: string[] = [];
    await run(seen, toBatches(sampleLines, 1), { flushRows: 2, flushIntervalMs: 60_000 });
    expect(seen.length).toBeGreaterThanOrEqual(6);
    expect(new Set(seen).size).toBeGreaterThanOrEqual(5); // the table grew step by step
    expect(seen.at(-1)).toBe(SAMPLE_TABLE);
  });

  it('commits one transaction at the end when neither the interval nor flushRows is reached', async () => {
    const seen: string[] = [];
    await run(seen, toBatches(sampleLines, 1), { flushRows: 100_000, flushIntervalMs: 60_000 });
    expect(seen).toEqual([SAMPLE_TABLE]);
  });

  it('commits a transaction per interval when the batches come further apart than the interval', async () => {
    const seen: string[] = [];
    // Lines 1-4 (only 2021-03-25's miniAppShop and other count), 5-8, 9-11.
    const batches = [toBatches(sampleLines.slice(0, 4), 4), toBatches(sampleLines.slice(4, 8), 4), toBatches(sampleLines.slice(8), 4)].flat();
    await run(seen, batches, { flushRows: 100_000, flushIntervalMs: 20, gapMs: 500 });
    expect(seen).toEqual(['miniAppShop=1 other=1 | rejects 0', 'appShop=1 miniAppShop=1 other=1 webShop=3 | rejects 0', SAMPLE_TABLE]);
  });

  it('retries a flush blocked by another transaction\'s lock, never half-written, and writes it once when the lock goes', async () => {
    // The sink's session gives up a lock wait after 1 s (ER_LOCK_WAIT_TIMEOUT) instead of 50 s.
    const impatient = database.open({
      pool: { min: 0, max: 4, afterCreate: (conn: { query: (sql: string, cb: (error: unknown) => void) => void }, done: (error: unknown, conn: unknown) => void) => conn.query('SET SESSION innodb_lock_wait_timeout = 1', (error) => done(error, conn)) },
    });
    await sink().write(flush({ upserts: [row('appShop', 1), row('other', 1)] }));
    const before = 'appShop=1 other=1 | rejects 0';
    const blocker = await observer.transaction();
    await blocker.raw('SELECT * FROM trade_channel_collect WHERE begin_time = ? AND channel_code = ? FOR UPDATE', [DAY, 'other']);
    const seenWhileWaiting: string[] = [];
    const retry = recorded(async (attempt) => {
      seenWhileWaiting.push(await state(db));
      if (attempt === 2) await blocker.commit();
    });
    try {
      // Upserts first (they go through), then the delete of the locked row waits.
      const writing = sink({ retry: retry.options }, impatient).write(flush({ upserts: [row('appShop', 2), row('webShop', 3)], deletes: ['other'], rejects: [reject(7)] }));
      await runningStatement(db, database.name, 'delete from%');
      expect(await state(db)).toBe(before); // while the flush is blocked part-way
      await writing;
    } finally {
      if (!blocker.isCompleted()) await blocker.rollback();
    }
    expect(retry.errors).toEqual(['ER_LOCK_WAIT_TIMEOUT', 'ER_LOCK_WAIT_TIMEOUT']);
    expect(seenWhileWaiting).toEqual([before, before]); // each failed attempt rolled back whole
    expect(retry.delays).toEqual([1, 2]);
    expect(retry.recovered).toEqual([[3, 3]]);
    expect(await state(db)).toBe('appShop=2 webShop=3 | rejects 1');
  }, 20_000);

  it('retries a flush whose connection is killed mid-transaction, on a new connection', async () => {
    await sink().write(flush({ upserts: [row('other', 1)] }));
    const blocker = await observer.transaction();
    await blocker.raw('SELECT * FROM trade_channel_collect WHERE begin_time = ? AND channel_code = ? FOR UPDATE', [DAY, 'other']);
    const retry = recorded(async () => void (await blocker.commit()));
    const own = database.open();
    try {
      const writing = sink({ retry: retry.options }, own).write(flush({ upserts: [row('webShop', 1)], deletes: ['other'] }));
      await db.raw('KILL CONNECTION ?', [await runningStatement(db, database.name, 'delete from%')]);
      await writing;
    } finally {
      if (!blocker.isCompleted()) await blocker.rollback();
    }
    expect(retry.errors).toHaveLength(1);
    expect(retry.errors[0]).toMatch(/closed state|killed|lost/i);
    expect(await state(db)).toBe('webShop=1 | rejects 0');
  }, 20_000);

  it('retries while the pool has no free connection (knex acquire timeout), and writes once one is free', async () => {
    const tiny = database.open({ pool: { min: 0, max: 1 }, acquireConnectionTimeout: 200 });
    const holder = await tiny.transaction(); // takes the pool's only connection
    const retry = recorded(async () => void (await holder.commit()));
    try {
      await sink({ retry: retry.options }, tiny).write(flush({ upserts: [row('webShop', 1)] }));
    } finally {
      if (!holder.isCompleted()) await holder.rollback();
    }
    expect(retry.errors).toEqual([expect.stringMatching(/^Knex: Timeout acquiring a connection/)]);
    expect(await state(db)).toBe('webShop=1 | rejects 0');
  }, 20_000);

  it.each([
    ['a value too long for its column', () => db, /^Cannot write to the database: Data too long for column 'channel_code' at row 2 \(ER_DATA_TOO_LONG\)$/],
    ['a database that does not exist', () => database.open({ connection: { host: MARIADB.host, port: MARIADB.port, user: 'root', database: `${database.name}_missing` } }), /^Cannot write to the database: Unknown database 'tradeflow_spec_\w+_missing' \(ER_BAD_DB_ERROR\)$/],
  ])('fails at once, without retrying, with one line when the write meets %s', async (_, on, message) => {
    const retry = recorded();
    const failed = sink({ retry: retry.options }, on()).write(flush({ upserts: [row('webShop', 1), row('x'.repeat(40), 1)], rejects: [reject(3)] }));
    await expect(failed).rejects.toThrow(message);
    expect(retry.errors).toEqual([]);
    expect(retry.delays).toEqual([]);
    expect(await state(db)).toBe(' | rejects 0'); // nothing of the flush
  });
});

// No database needed: the connections are refused before any MariaDB is reached.
describe('databaseSink with the database down', () => {
  it('keeps retrying, 200 ms doubling up to 5 s, while connections are refused, and stops with one line when the signal aborts', async () => {
    const port = await freePort();
    const stop = new AbortController();
    const delays: number[] = [];
    const down = openDatabase(parseDatabase(`mysql://root@127.0.0.1:${port}/tradeflow`));
    const options: RetryOptions = { signal: stop.signal, sleep: async (ms) => (delays.push(ms), delays.length === 8 ? stop.abort() : undefined) };
    await expect(databaseSink(down, { counters: createCounters(), formatTime, retry: options }).write(flush({ upserts: [row('webShop', 1)] }))).rejects.toThrow(
      new RegExp(`^Cannot write to the database: gave up after 8 attempts: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}$`),
    );
    expect(delays).toEqual([200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
    await down.destroy();
  });
});
