/**
 * A partition that moves to another instance is rebuilt there up to exactly the last offset its
 * old owner wrote: the last message of every partition before the move gets a later version
 * after it, so a state one message short counts that order twice (or misses a change).
 */
import type { ChildProcess } from 'node:child_process';
import { afterEach, expect, it } from 'vitest';
import { finished, startCli, type CliResult } from '../support/cli.ts';
import { createTopic, KAFKA, produceFile, uniqueTopic } from '../support/kafka.ts';
import { tutorialSqlOnMariaDb } from '../support/mariadb-reference.ts';
import { MARIADB, useSpecDatabase } from '../support/mysql.ts';
import { distinctOrders, numbered, writeLines } from '../support/order-lines.ts';
import type { ExpectedRow } from '../support/reference.ts';
import { resultRows, waitFor } from '../support/result-rows.ts';
import { describeWithService, isReachable } from '../support/services.ts';
import type { Knex } from 'knex';

const reachable = (await isReachable(KAFKA)) && (await isReachable(MARIADB));
const DAY = '2021-03-25';
const running = new Set<ChildProcess>();

function startInstance(topic: string, url: string, id: string): { child: ChildProcess; done: Promise<CliResult> } {
  const child = startCli(['run', '--source', 'kafka', '--topic', topic, '--group', topic, '--stage', 'both', '--instance-id', id, '--db', url, '--as-of', `${DAY} 00:00:00`, '--flush-interval', '200']);
  running.add(child);
  child.on('exit', () => running.delete(child));
  return { child, done: finished(child) };
}

afterEach(() => {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
});

/** Waits until the table is the reference's; on timeout shows the difference. */
async function becomesExact(db: Knex, expected: ExpectedRow[], timeoutMs: number): Promise<void> {
  const same = async (): Promise<boolean> => JSON.stringify(await resultRows(db), (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) === JSON.stringify(expected, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  await waitFor(same, timeoutMs).catch(async () => {
    expect(await resultRows(db)).toEqual(expected);
  });
}

describeWithService(KAFKA, reachable, 'a partition moved to another instance, on a real broker and MariaDB', () => {
  const database = useSpecDatabase();

  it('is rebuilt up to exactly what its old owner wrote: later versions of the last orders before the move replace them, never add to them', async () => {
    const db = database.open();
    const topic = uniqueTopic('moved');
    await createTopic(topic, 3);
    const first = distinctOrders({ count: 3000, day: DAY });
    const later = distinctOrders({ count: 3000, day: DAY, version: 2 }); // a new version of every order, other amounts
    await produceFile(topic, writeLines(first));

    const before = startInstance(topic, database.url, 'before');
    await becomesExact(db, await tutorialSqlOnMariaDb(db, numbered(first), DAY), 90_000);
    before.child.kill('SIGTERM');
    const stopped = await before.done;
    expect(stopped.code, stopped.stderr).toBe(0);

    // Every partition moves: the new owner rebuilds dedupe and aggregate state from the logs.
    const after = startInstance(topic, database.url, 'after');
    await produceFile(topic, writeLines(later));
    await becomesExact(db, await tutorialSqlOnMariaDb(db, numbered([...first, ...later]), DAY), 120_000);
    after.child.kill('SIGTERM');
    const result = await after.done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/moved-\w+ partitions 0, 1, 2/); // it owned them all
  }, 240_000);
});
