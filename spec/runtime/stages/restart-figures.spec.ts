/**
 * What a person watching the table sees while the aggregate stage of a scaled-out run rebuilds
 * its groups after a restart: the figures stand, and only go up again once it reads on.
 */
import { expect, it } from 'vitest';
import { createTopic, KAFKA, produceFile, uniqueTopic } from '../../support/kafka.ts';
import { tutorialSqlOnMariaDb } from '../../support/mariadb-reference.ts';
import { MARIADB, useSpecDatabase } from '../../support/mysql.ts';
import { distinctOrders, numbered, writeLines } from '../../support/order-lines.ts';
import { becomesExact, figures, resultRows, watchFigures, wentBackAlong } from '../../support/result-rows.ts';
import { saysLine, stageInstances } from '../../support/stage-instances.ts';
import { describeWithService, isReachable } from '../../support/services.ts';

const reachable = (await isReachable(KAFKA)) && (await isReachable(MARIADB));
const DAY = '2021-03-25';
const startInstance = stageInstances(DAY);

describeWithService(KAFKA, reachable, 'a restarted aggregate stage, as a person watching the table sees it', () => {
  const database = useSpecDatabase();

  it('never shows older figures while it rebuilds its groups: the rows of an older snapshot and of the changes read again are not written, and the table ends exact', async () => {
    const db = database.open();
    const topic = uniqueTopic('stagefigures');
    await createTopic(topic, 3);
    // Every order adds to its channel: the right figures only ever go up.
    const first = distinctOrders({ count: 6_000, day: DAY });
    const middle = distinctOrders({ count: 3_000, day: DAY, first: 6_001 });
    const last = distinctOrders({ count: 1_000, day: DAY, first: 9_001 });
    const exactFor = async (lines: readonly string[]): Promise<void> => becomesExact(db, await tutorialSqlOnMariaDb(db, numbered(lines), DAY), 90_000);
    // No snapshot is due by the interval: one is saved at a clean stop only.
    const args = ['--snapshot-interval', '3600000'];

    await produceFile(topic, writeLines(first));
    const saver = startInstance(topic, database.url, 'a', {}, args);
    await exactFor(first);
    saver.child.kill('SIGTERM'); // saves the snapshots of the groups of `first`
    expect((await saver.done).code, saver.said()).toBe(0);
    const killed = startInstance(topic, database.url, 'a', {}, args);
    await saysLine(killed, /aggregate stage owns/, 90_000);
    await produceFile(topic, writeLines(middle));
    await exactFor([...first, ...middle]);
    killed.child.kill('SIGKILL'); // the table is past the snapshots now
    await killed.done;

    const written = await figures(db);
    const watcher = watchFigures(db, 5);
    let seen: Map<string, [number, number]>[] = [];
    try {
      // A flush every millisecond: the restored rows go out before the changes after them are read
      // again. Each write held open 1 s: whatever it writes stands that long for the watcher to see.
      const after = startInstance(topic, database.url, 'b', { TRADEFLOW_FAULT: 'slow-write:1000' }, [...args, '--flush-interval', '1']);
      await saysLine(after, /restored \S+-changes partition \d+ from snapshot at offset \d+ \([\d,]+ groups?\), replayed [1-9][\d,]* messages/, 90_000);
      await produceFile(topic, writeLines(last));
      await exactFor([...first, ...middle, ...last]);
      after.child.kill('SIGTERM');
      expect((await after.done).code, after.said()).toBe(0);
    } finally {
      seen = await watcher.stop();
    }
    expect(seen.length).toBeGreaterThan(50);
    expect(wentBackAlong(written, seen)).toEqual([]);
    expect(await resultRows(db)).toEqual(await tutorialSqlOnMariaDb(db, numbered([...first, ...middle, ...last]), DAY));
  }, 300_000);
});
