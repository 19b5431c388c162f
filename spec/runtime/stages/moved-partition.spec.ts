/**
 * A partition that moves to another instance is rebuilt there up to exactly the last offset its
 * old owner wrote: the last message of every partition before the move gets a later version
 * after it, so a state one message short counts that order twice (or misses a change).
 */
import { expect, it } from 'vitest';
import { createTopic, KAFKA, produceFile, uniqueTopic } from '../../support/kafka.ts';
import { tutorialSqlOnMariaDb } from '../../support/mariadb-reference.ts';
import { MARIADB, useSpecDatabase } from '../../support/mysql.ts';
import { distinctOrders, numbered, writeLines } from '../../support/order-lines.ts';
import { becomesExact } from '../../support/result-rows.ts';
import { stageInstances } from '../../support/stage-instances.ts';
import { describeWithService, isReachable } from '../../support/services.ts';

const reachable = (await isReachable(KAFKA)) && (await isReachable(MARIADB));
const DAY = '2021-03-25';
const startInstance = stageInstances(DAY);

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
