/**
 * What a restart promises, seen from outside: the group's offsets in Kafka never run ahead of
 * the table, a run stopped mid-stream goes on from exactly where it stopped, a restart never
 * shows older figures, and a restart after midnight leaves the old day's rows alone.
 */
import { expect, it } from 'vitest';
import { finished, runCli, startCli, type CliResult } from '../support/cli.ts';
import { committedOffsets, createTopic, KAFKA, produceFile, uniqueTopic } from '../support/kafka.ts';
import { tutorialSqlOnMariaDb } from '../support/mariadb-reference.ts';
import { MARIADB, useSpecDatabase } from '../support/mysql.ts';
import { distinctOrders, numbered, writeLines } from '../support/order-lines.ts';
import { figures, resultRows, waitFor, watchFigures, wentBack, wentBackAlong } from '../support/result-rows.ts';
import { describeWithService, isReachable } from '../support/services.ts';

const reachable = (await isReachable(KAFKA)) && (await isReachable(MARIADB));
const DAY = '2021-03-25';

/** `tradeflow run` from the topic into the spec's database, as its group, for DAY. */
function runArgs(topic: string, url: string, ...more: string[]): string[] {
  return ['run', '--source', 'kafka', '--topic', topic, '--group', topic, '--db', url, '--as-of', `${DAY} 00:00:00`, '--http-port', '0', ...more];
}

/**
 * Runs `tradeflow` with a TRADEFLOW_FAULT that kills it; one that is still alive after
 * `timeoutMs` (its fault never came) is stopped, and its exit code 0 fails the spec's check.
 */
async function runToFault(args: string[], fault: string, timeoutMs = 30_000): Promise<CliResult> {
  const child = startCli(args, { TRADEFLOW_FAULT: fault });
  const done = finished(child);
  const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
  try {
    return await done;
  } finally {
    clearTimeout(timer);
  }
}

describeWithService(KAFKA, reachable, 'restarts, as a user sees them: the table, the group\'s offsets, on a real broker and MariaDB', () => {
  // A database of its own per spec: one spec's rows never satisfy another's wait.
  const [commits, midstream, older, midnight] = [useSpecDatabase(), useSpecDatabase(), useSpecDatabase(), useSpecDatabase()];

  it('never commits offsets to Kafka that the table does not cover yet: after kill -9 inside a flush, the group\'s offsets are at most the table\'s', async () => {
    const db = commits.open();
    const topic = uniqueTopic('commit');
    await createTopic(topic, 3);
    const lines = distinctOrders({ count: 30_000, day: DAY });
    const producer = finished(startCli(['produce', '--topic', topic, '--file', writeLines(lines), '--rate', '3000']));
    // A flush every 50 ms, each with the offsets of its batches (a flush cut by time never
    // splits a batch from its offsets); the 8th dies after its rows, before its commit.
    const args = runArgs(topic, commits.url, '--startup', 'group', '--flush-interval', '50');
    const killed = await runToFault(args, 'rows:8');
    expect(killed.code, killed.stderr).toBeNull();
    expect((await producer).code).toBe(0);

    const progress = (await db('tradeflow_progress').where({ source: `kafka:${topic}:${topic}` })) as { source_partition: number; source_offset: number | string }[];
    const covered = new Map(progress.map((p) => [Number(p.source_partition), Number(p.source_offset)]));
    const committed = await committedOffsets(topic, topic, 3);
    expect(committed.size).toBeGreaterThan(0); // seven flushes were written and committed
    for (const [partition, next] of committed) {
      // Both are the next offset to read: the table's effects stop before its own.
      expect(next, `partition ${partition}: committed ${next}, table covers up to ${covered.get(partition)} (excluded)`).toBeLessThanOrEqual(covered.get(partition) ?? 0);
    }
    const resumed = await runCli([...args, '--exit-at-end']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(await resultRows(db)).toEqual(await tutorialSqlOnMariaDb(db, numbered(lines), DAY));
  }, 120_000);

  it('stopped by SIGTERM while orders still wait to be read, goes on from exactly the next one: the table is exact after the restart', async () => {
    const db = midstream.open();
    const topic = uniqueTopic('midstream');
    await createTopic(topic, 3);
    const lines = distinctOrders({ count: 40_000, day: DAY });
    const producer = finished(startCli(['produce', '--topic', topic, '--file', writeLines(lines), '--rate', '5000']));
    const args = runArgs(topic, midstream.url, '--startup', 'group', '--flush-interval', '200');
    const first = startCli(args);
    const firstDone = finished(first);
    await waitFor(async () => (await db.schema.hasTable('trade_channel_collect')) && (await db('trade_channel_collect').count({ n: '*' }))[0]!.n !== 0);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    first.kill('SIGTERM');
    const stopped = await firstDone;
    expect(stopped.code, stopped.stderr).toBe(0);
    const read = Number(/^read ([\d,]+) \|/m.exec(stopped.stdout)?.[1]?.replace(/,/g, ''));
    expect(read).toBeGreaterThan(0);
    expect(read).toBeLessThan(lines.length); // stopped mid-stream: there was more to read
    expect((await producer).code).toBe(0);

    const resumed = await runCli([...args, '--exit-at-end']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const readAgain = Number(/^read ([\d,]+) \|/m.exec(resumed.stdout)?.[1]?.replace(/,/g, ''));
    expect(read + readAgain).toBeGreaterThanOrEqual(lines.length); // nothing skipped
    expect(await resultRows(db)).toEqual(await tutorialSqlOnMariaDb(db, numbered(lines), DAY));
  }, 120_000);

  it('never shows older figures during a restart: a run killed ahead of its checkpoint holds its flushes back until it has caught up with the table', async () => {
    const db = older.open();
    const topic = uniqueTopic('older');
    await createTopic(topic, 3);
    // Every order adds to its channel: the right figures only ever go up.
    const before = distinctOrders({ count: 6_000, day: DAY });
    const after = distinctOrders({ count: 30_000, day: DAY, first: 6_001 });
    await produceFile(topic, writeLines(before));
    // Flushes cut by size as well as time: cut inside a batch, a flush used to hold rows ahead of
    // the offsets written with it, and the restart then held back too little.
    const args = runArgs(topic, older.url, '--startup', 'group', '--flush-rows', '2', '--flush-interval', '50');
    const checkpointed = await runCli([...args, '--exit-at-end']); // a clean stop: a checkpoint at the end of `before`
    expect(checkpointed.code, checkpointed.stderr).toBe(0);
    const producer = finished(startCli(['produce', '--topic', topic, '--file', writeLines(after), '--rate', '3000']));
    // No checkpoint while it runs: killed in its 6th flush, the table is 5 flushes ahead of the checkpoint.
    const ahead = await runToFault([...args, '--checkpoint-interval', '3600000'], 'rows:6');
    expect(ahead.code, ahead.stderr).toBeNull();
    expect((await producer).code).toBe(0);
    const written = await figures(db);

    // Restarted from the older checkpoint; watched from outside while it replays.
    const watcher = watchFigures(db, 10);
    let seen: Map<string, [number, number]>[] = [];
    try {
      const replayed = await runToFault([...args, '--checkpoint-interval', '3600000'], 'rows:2'); // its first write stays
      expect(replayed.code, replayed.stderr).toBeNull();
      expect(wentBack(written, await figures(db))).toEqual([]);
      const last = await runCli([...args, '--exit-at-end']);
      expect(last.code, last.stderr).toBe(0);
    } finally {
      seen = await watcher.stop();
    }
    expect(wentBackAlong(written, seen)).toEqual([]);
    expect(await resultRows(db)).toEqual(await tutorialSqlOnMariaDb(db, numbered([...before, ...after]), DAY));
  }, 120_000);

  it('restarted live after midnight, leaves the old day\'s rows exactly as they were last written and counts the new day from zero', async () => {
    const db = midnight.open();
    const topic = uniqueTopic('midnight');
    await createTopic(topic, 1);
    // Midnight passes between the two runs: the second counts "today" in a zone 24 hours ahead.
    const evening = 'Etc/GMT+10';
    const morning = 'Etc/GMT-14';
    const today = (zone: string): string => new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(Date.now());
    const day = today(evening);
    const nextDay = today(morning);
    const live = (zone: string, ...more: string[]): string[] => ['run', '--source', 'kafka', '--topic', topic, '--group', topic, '--db', midnight.url, '--timezone', zone, '--http-port', '0', '--startup', 'group', '--exit-at-end', ...more];
    const order = (id: string, payTime: string, pay: string, orderTime = payTime): string =>
      JSON.stringify({ order_id: id, order_channel: 'webShop', order_time: orderTime, pay_amount: pay, real_pay: pay, pay_time: payTime, user_id: `u${id}` });

    await produceFile(topic, writeLines([order('1', `${day} 10:00:00`, '10.00'), order('2', `${day} 11:00:00`, '5.00')]));
    const first = await runCli(live(evening));
    expect(first.code, first.stderr).toBe(0);
    const rowsOf = async (): Promise<Record<string, unknown>[]> => (await db('trade_channel_collect').orderBy('begin_time')) as Record<string, unknown>[];
    const lastWritten = await rowsOf();
    expect(lastWritten.map((r) => `${String(r.begin_time)} ${Number(r.cur_gmv)} x${Number(r.cur_order_count)}`)).toEqual([`${day} 00:00:00 15 x2`]);

    await new Promise((resolve) => setTimeout(resolve, 1100)); // a rewrite of the old row would stamp another second
    await produceFile(topic, writeLines([order('3', `${nextDay} 00:09:00`, '3.00'), order('1', `${day} 23:55:00`, '50.00', `${day} 23:58:00`)]));
    const second = await runCli(live(morning));
    expect(second.code, second.stderr).toBe(0);
    const rows = await rowsOf();
    expect(rows[0]).toEqual(lastWritten[0]); // every column, flink_current_time too: not written again
    expect(rows.slice(1).map((r) => `${String(r.begin_time)} ${Number(r.cur_gmv)} x${Number(r.cur_order_count)}`)).toEqual([`${nextDay} 00:00:00 3 x1`]);
  }, 120_000);
});
