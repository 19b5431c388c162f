/**
 * A rebalance that lands while a write is in flight: the old owner's Kafka transaction (changes
 * and the orders' offsets) and its fenced database flush are held inside their transactions, so a
 * second instance joins while they are open. The partitions are let go only once those writes are
 * done, so the new owner resumes exactly after them and no order is counted twice.
 */
import { expect, it } from 'vitest';
import { createTopic, KAFKA, produceFile, uniqueTopic } from '../../support/kafka.ts';
import { tutorialSqlOnMariaDb } from '../../support/mariadb-reference.ts';
import { MARIADB, useSpecDatabase } from '../../support/mysql.ts';
import { distinctOrders, numbered, writeLines } from '../../support/order-lines.ts';
import { becomesExact, resultRows, waitFor } from '../../support/result-rows.ts';
import { stageInstances } from '../../support/stage-instances.ts';
import { describeWithService, isReachable } from '../../support/services.ts';

const reachable = (await isReachable(KAFKA)) && (await isReachable(MARIADB));
const DAY = '2021-03-25';
const startInstance = stageInstances(DAY);

describeWithService(KAFKA, reachable, 'a rebalance while a write is in flight, on a real broker and MariaDB', () => {
  const database = useSpecDatabase();

  it('lets the partitions go only after the transaction in flight: the table equals the reference and no order is counted twice', async () => {
    const db = database.open();
    const topic = uniqueTopic('inflight');
    await createTopic(topic, 4);
    // Every order once, then a later version of the first half of them: a change counted twice shows in the figures.
    const chunks = [0, 1, 2, 3, 4, 5].map((i) => distinctOrders({ count: 600, day: DAY, first: 1 + i * 600 }));
    chunks.push(distinctOrders({ count: 1800, day: DAY, version: 2 }));
    const produced: string[] = [];
    const produce = async (lines: readonly string[]): Promise<void> => {
      await produceFile(topic, writeLines(lines));
      produced.push(...lines);
    };

    // Each of its writes stays open 1.5 s inside its transaction: one is in flight almost all the time.
    const first = startInstance(topic, database.url, 'first', { TRADEFLOW_FAULT: 'slow-write:1500' });
    await produce(chunks[0]!);
    await waitFor(async () => (await resultRows(db)).length > 0, 90_000);
    await produce(chunks[1]!);
    const second = startInstance(topic, database.url, 'second');
    // Orders keep coming while the partitions move.
    for (const chunk of chunks.slice(2)) await produce(chunk);
    await waitFor(async () => /aggregate stage owns/.test(second.said()) && /dedupe stage owns/.test(second.said()), 120_000);

    const expected = await tutorialSqlOnMariaDb(db, numbered(produced), DAY);
    await becomesExact(db, expected, 180_000);
    const rows = await resultRows(db);
    expect(rows.reduce((sum, row) => sum + row.orderCount, 0)).toBe(3600); // each distinct order once
    first.child.kill('SIGTERM');
    second.child.kill('SIGTERM');
    for (const result of [await first.done, await second.done]) expect(result.code, result.stderr).toBe(0);
    expect(await resultRows(db)).toEqual(expected);
  }, 360_000);

  it('stops with exit 0 when a SIGTERM lands while a revoke waits for the write in flight, and the instance left makes the table exact', async () => {
    const db = database.open();
    await db.raw('DELETE FROM trade_channel_collect').catch(() => {}); // the first test's rows
    const topic = uniqueTopic('inflight-stop');
    await createTopic(topic, 4);
    const produced: string[] = [];
    const produce = async (lines: readonly string[]): Promise<void> => {
      await produceFile(topic, writeLines(lines));
      produced.push(...lines);
    };
    // Each write stays open 3 s: the revoke that the second instance's arrival starts waits that long.
    const first = startInstance(topic, database.url, 'first', { TRADEFLOW_FAULT: 'slow-write:3000' });
    await produce(distinctOrders({ count: 400, day: DAY, first: 1 }));
    await waitFor(async () => (await resultRows(db)).length > 0, 90_000);
    await produce(distinctOrders({ count: 400, day: DAY, first: 401 }));
    const second = startInstance(topic, database.url, 'second');
    await waitFor(async () => /revoked/.test(first.said()), 120_000);
    first.child.kill('SIGTERM');
    const stopped = await first.done;
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stderr).not.toMatch(/\n\s+at /); // no stack trace
    await produce(distinctOrders({ count: 400, day: DAY, first: 801 }));
    await becomesExact(db, await tutorialSqlOnMariaDb(db, numbered(produced), DAY), 180_000);
    second.child.kill('SIGTERM');
    expect((await second.done).code).toBe(0);
  }, 360_000);
});
