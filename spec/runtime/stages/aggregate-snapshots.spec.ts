/**
 * The aggregate stage's snapshots: the groups of each changes partition are saved in the sink
 * database with a flush, so that after a rebalance an owner restores them and reads again only
 * the changes after them, and the table stays exact.
 */
import type { Knex } from 'knex';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { scratchDir } from '../../support/cli.ts';
import { createTopic, KAFKA, produceFile, uniqueTopic } from '../../support/kafka.ts';
import { tutorialSqlOnMariaDb } from '../../support/mariadb-reference.ts';
import { MARIADB, useSpecDatabase } from '../../support/mysql.ts';
import { distinctOrders, numbered, writeLines } from '../../support/order-lines.ts';
import { becomesExact, resultRows } from '../../support/result-rows.ts';
import { saysLine, stageInstances } from '../../support/stage-instances.ts';
import { describeWithService, isReachable } from '../../support/services.ts';

const reachable = (await isReachable(KAFKA)) && (await isReachable(MARIADB));
const DAY = '2021-03-25';
const startInstance = stageInstances(DAY);

/** The changes partitions whose progress the table holds is past their start: those that carry groups. */
async function partitionsWritten(db: Knex, topic: string): Promise<number[]> {
  const rows = (await db('tradeflow_progress').where('source', 'like', `kafka:${topic}-changes:%`).where('source_offset', '>', 0).select('source_partition')) as { source_partition: number }[];
  return rows.map((row) => Number(row.source_partition)).sort((a, b) => a - b);
}

/** The partitions of the changes topic that the lines say were restored from a snapshot with nothing of their logs read again. */
function restoredWithNothingReplayed(text: string, topic: string): number[] {
  const found = [...text.matchAll(new RegExp(`restored ${topic}-changes partition (\\d+) from snapshot at offset [1-9]\\d* \\([1-9][\\d,]* groups?\\), replayed 0 messages`, 'g'))];
  return [...new Set(found.map(([, partition]) => Number(partition)))].sort((a, b) => a - b);
}

describeWithService(KAFKA, reachable, 'per-partition snapshots of the aggregate stage, on a real broker and MariaDB', () => {
  const database = useSpecDatabase();
  const corrupt = useSpecDatabase();
  const remapped = useSpecDatabase();
  const handedOver = useSpecDatabase();
  const restarted = useSpecDatabase();
  // No interval snapshot is ever due: whatever is saved is saved at the revoke or the stop.
  const noneDue = ['--snapshot-interval', '3600000'];

  it('after a rebalance an instance restores the changes partitions it takes from their snapshots in the database, reads again only a short tail, and the table stays exact', async () => {
    const db = database.open();
    const topic = uniqueTopic('aggsnap');
    await createTopic(topic, 4);
    const chunks = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => distinctOrders({ count: 1000, day: DAY, first: 1 + i * 1000 }));
    const later = distinctOrders({ count: 4000, day: DAY, version: 2 }); // a new version of half of them: a wrong state counts them twice
    const snapshotsEvery = ['--snapshot-interval', '300'];

    const first = startInstance(topic, database.url, 'first', {}, snapshotsEvery);
    // Many small transactions of the dedupe stage: many messages on the changes topic.
    for (const chunk of chunks) await produceFile(topic, writeLines(chunk));
    await becomesExact(db, await tutorialSqlOnMariaDb(db, numbered(chunks.flat()), DAY), 120_000);
    expect(first.said()).toMatch(/aggregate stage saved the snapshots of partitions/);

    const second = startInstance(topic, database.url, 'second', {}, snapshotsEvery);
    const [, owned, replayed] = await saysLine(second, /aggregate stage owns \S+ partitions ([\d, ]+); state rebuilt from ([\d,]+) messages/, 120_000);
    await produceFile(topic, writeLines(later));
    const expected = await tutorialSqlOnMariaDb(db, numbered([...chunks.flat(), ...later]), DAY);
    await becomesExact(db, expected, 120_000);

    // The partitions it took that carry groups (four groups: not every partition has one) were restored from snapshots; what it read again is a small part of their logs.
    const restored = [...second.said().matchAll(new RegExp(`restored ${topic}-changes partition (\\d+) from snapshot at offset ([1-9]\\d*) \\([1-9][\\d,]* groups?\\), replayed [\\d,]+ messages`, 'g'))];
    expect(restored.length, second.said()).toBeGreaterThan(0);
    for (const [, partition] of restored) expect(owned!.split(', ')).toContain(partition);
    const skipped = restored.reduce((sum, [, , offset]) => sum + Number(offset), 0);
    expect(Number(replayed!.replaceAll(',', ''))).toBeLessThan(skipped / 4);
    first.child.kill('SIGTERM');
    second.child.kill('SIGTERM');
    for (const result of [await first.done, await second.done]) expect(result.code, result.stderr).toBe(0);
    expect(await resultRows(db)).toEqual(expected);
  }, 300_000);

  it('a snapshot that does not read is not restored: the new owner reads the partition again from its start, says so in one line, and the table is exact', async () => {
    const db = corrupt.open();
    const topic = uniqueTopic('aggsnapbad');
    await createTopic(topic, 3);
    const firstOrders = distinctOrders({ count: 3000, day: DAY });
    const later = distinctOrders({ count: 3000, day: DAY, version: 2 }); // a new version of every order: a wrong state counts them twice
    await produceFile(topic, writeLines(firstOrders));

    const before = startInstance(topic, corrupt.url, 'before', {}, ['--snapshot-interval', '300']);
    await becomesExact(db, await tutorialSqlOnMariaDb(db, numbered(firstOrders), DAY), 90_000);
    before.child.kill('SIGTERM');
    const stopped = await before.done;
    expect(stopped.code, stopped.stderr).toBe(0);
    const saved = (await db('tradeflow_snapshots').distinct('source_partition')) as { source_partition: number }[];
    expect(saved.length).toBeGreaterThan(0);
    await db('tradeflow_snapshots').update({ data: Buffer.from('{"format":1,') });

    const after = startInstance(topic, corrupt.url, 'after');
    await saysLine(after, /aggregate stage owns/, 90_000);
    await produceFile(topic, writeLines(later));
    await becomesExact(db, await tutorialSqlOnMariaDb(db, numbered([...firstOrders, ...later]), DAY), 120_000);
    after.child.kill('SIGTERM');
    const result = await after.done;
    expect(result.code, result.stderr).toBe(0);
    for (const { source_partition: partition } of saved) {
      const lines = result.stderr.split('\n').filter((line) => line.includes(`${topic}-changes partition ${partition} `));
      expect(lines).toEqual([expect.stringMatching(/^WARN  cannot restore \S+ partition \d from a snapshot \(it does not read: .+\); rebuilt it from its log, [1-9][\d,]* messages$/)]);
    }
    expect(result.stderr).not.toMatch(/restored \S+-changes partition/);
  }, 240_000);
  it('a snapshot taken under another channel map is not restored: the new owner says why in one line, rebuilds the partition from its log, and the table is exact for its own map', async () => {
    const db = remapped.open();
    const topic = uniqueTopic('aggsnapmap');
    await createTopic(topic, 3);
    const orders = distinctOrders({ count: 3000, day: DAY });
    await produceFile(topic, writeLines(orders));

    const before = startInstance(topic, remapped.url, 'before', {}, ['--snapshot-interval', '300']);
    const tutorial = await tutorialSqlOnMariaDb(db, numbered(orders), DAY);
    await becomesExact(db, tutorial, 90_000);
    await saysLine(before, /aggregate stage saved the snapshots of partitions/, 30_000);
    before.child.kill('SIGTERM');
    const stopped = await before.done;
    expect(stopped.code, stopped.stderr).toBe(0);
    const saved = (await db('tradeflow_snapshots').distinct('source_partition')) as { source_partition: number }[];
    expect(saved.length).toBeGreaterThan(0);

    // The same shop with its rest renamed: the tutorial's "other" orders are now the group "rest".
    const config = join(scratchDir(), 'tradeflow.json');
    writeFileSync(config, JSON.stringify({ otherChannel: { code: 'rest', name: 'The rest' } }));
    const expected = tutorial.map((row) => (row.channelCode === 'other' ? { ...row, channelCode: 'rest', channelName: 'The rest' } : row)).sort((a, b) => (a.channelCode < b.channelCode ? -1 : 1));
    // The old map's rows are the old map's business: the table is emptied, so that what the new owner writes is all there is.
    await db('trade_channel_collect').delete();
    const after = startInstance(topic, remapped.url, 'after', {}, ['--snapshot-interval', '300', '--config', config]);
    await becomesExact(db, expected, 120_000);
    after.child.kill('SIGTERM');
    const result = await after.done;
    expect(result.code, result.stderr).toBe(0);
    expect(await resultRows(db)).toEqual(expected);
    for (const { source_partition: partition } of saved) {
      const lines = result.stderr.split('\n').filter((line) => line.includes(`${topic}-changes partition ${partition} `));
      expect(lines).toEqual([expect.stringMatching(/^WARN  cannot restore \S+ partition \d from a snapshot \(it was taken for other days or channels\); rebuilt it from its log, [1-9][\d,]* messages$/)]);
    }
  }, 240_000);
  it('an instance that lets partitions go at a rebalance saves their snapshots first, though nothing flowed since its last flush: whoever owns them next restores them and reads nothing of their logs again, and the table stays exact', async () => {
    const db = handedOver.open();
    const topic = uniqueTopic('aggsnaprev');
    await createTopic(topic, 4);
    const orders = distinctOrders({ count: 4000, day: DAY });
    const later = distinctOrders({ count: 4000, day: DAY, version: 2 }); // a new version of every order: a wrong state counts them twice
    await produceFile(topic, writeLines(orders));

    const first = startInstance(topic, handedOver.url, 'first', {}, noneDue);
    await becomesExact(db, await tutorialSqlOnMariaDb(db, numbered(orders), DAY), 90_000);
    const written = await partitionsWritten(db, topic);
    expect(written.length).toBeGreaterThan(0);
    expect(first.said()).not.toMatch(/aggregate stage saved the snapshots/);
    const before = first.said().length;

    const second = startInstance(topic, handedOver.url, 'second', {}, noneDue);
    await saysLine(second, /aggregate stage owns \S+ partitions [\d, ]+; state rebuilt/, 120_000);
    const rejoined = { ...first, said: () => first.said().slice(before) };
    await saysLine(rejoined, /aggregate stage owns \S+ partitions [\d, ]+; state rebuilt/, 60_000);
    // Each partition that carries groups, on whichever instance has it now.
    expect(restoredWithNothingReplayed(second.said() + rejoined.said(), topic), `${rejoined.said()}\n${second.said()}`).toEqual(written);
    expect(rejoined.said()).toMatch(/aggregate stage saved the snapshots of partitions [\d, ]+ before letting them go/);

    await produceFile(topic, writeLines(later));
    const expected = await tutorialSqlOnMariaDb(db, numbered([...orders, ...later]), DAY);
    await becomesExact(db, expected, 120_000);
    first.child.kill('SIGTERM');
    second.child.kill('SIGTERM');
    for (const result of [await first.done, await second.done]) expect(result.code, result.stderr).toBe(0);
    expect(await resultRows(db)).toEqual(expected);
  }, 300_000);

  it('a clean stop saves the snapshots of the partitions that moved past their last one, though nothing flowed since the last flush: the restarted instance restores them and reads nothing of their logs again', async () => {
    const db = restarted.open();
    const topic = uniqueTopic('aggsnapstop');
    await createTopic(topic, 4);
    const orders = distinctOrders({ count: 4000, day: DAY });
    const later = distinctOrders({ count: 4000, day: DAY, version: 2 });
    await produceFile(topic, writeLines(orders));

    const first = startInstance(topic, restarted.url, 'one', {}, noneDue);
    await becomesExact(db, await tutorialSqlOnMariaDb(db, numbered(orders), DAY), 90_000);
    const written = await partitionsWritten(db, topic);
    expect(written.length).toBeGreaterThan(0);
    first.child.kill('SIGTERM');
    const stopped = await first.done;
    expect(stopped.code, stopped.stderr).toBe(0);

    const again = startInstance(topic, restarted.url, 'one', {}, noneDue);
    await saysLine(again, /aggregate stage owns \S+ partitions [\d, ]+; state rebuilt from [\d,]+ messages/, 120_000);
    expect(restoredWithNothingReplayed(again.said(), topic), again.said()).toEqual(written);
    expect(again.said()).toMatch(/aggregate stage owns \S+ partitions [\d, ]+; state rebuilt from 0 messages/);
    expect(stopped.stderr).toMatch(/aggregate stage saved the snapshots of partitions [\d, ]+ at the stop/);
    await produceFile(topic, writeLines(later));
    const expected = await tutorialSqlOnMariaDb(db, numbered([...orders, ...later]), DAY);
    await becomesExact(db, expected, 120_000);
    again.child.kill('SIGTERM');
    const result = await again.done;
    expect(result.code, result.stderr).toBe(0);
    expect(await resultRows(db)).toEqual(expected);
  }, 300_000);
});
