/**
 * A run checkpointed by a version that stored "last offset included" goes on exactly after an
 * upgrade: migration 006 turns its positions into "next offset to read".
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { migrationSource, MIGRATIONS_TABLE } from '../../src/db/migration-source.ts';
import { runCli, scratchDir } from '../support/cli.ts';
import { createTopic, KAFKA, produceFile, uniqueTopic } from '../support/kafka.ts';
import { rejectedRecords, tutorialSqlOnMariaDb } from '../support/mariadb-reference.ts';
import { MARIADB, useSpecDatabase } from '../support/mysql.ts';
import { linesOf, resultRows } from '../support/result-rows.ts';
import { describeWithService, isReachable } from '../support/services.ts';

const reachable = (await isReachable(KAFKA)) && (await isReachable(MARIADB));
const DAY = '2021-03-25';

describeWithService(KAFKA, reachable, 'a checkpoint of the old offset format, on a real broker and MariaDB', () => {
  const database = useSpecDatabase();

  it('resumes after the upgrade exactly where the old run stopped: no order lost, none counted twice, each bad line once', async () => {
    const db = database.open();
    const dir = scratchDir();
    const whole = join(dir, 'orders.jsonl');
    expect((await runCli(['generate', '--orders', '20000', '--seed', '34', '--day', DAY, '--out', whole])).code).toBe(0);
    const lines = linesOf(whole).map((l) => l.line);
    const [before, after] = [join(dir, 'before.jsonl'), join(dir, 'after.jsonl')];
    writeFileSync(before, `${lines.slice(0, lines.length / 2).join('\n')}\n`);
    writeFileSync(after, `${lines.slice(lines.length / 2).join('\n')}\n`);
    const topic = uniqueTopic('oldformat');
    await createTopic(topic, 2);
    await produceFile(topic, before);
    const args = ['run', '--source', 'kafka', '--topic', topic, '--group', topic, '--db', database.url, '--as-of', `${DAY} 00:00:00`, '--exit-at-end'];
    const first = await runCli([...args, '--startup', 'earliest']);
    expect(first.code, first.stderr).toBe(0);

    // The database as the version before left it: migrations 008, 007 and 006 undone, positions "last included".
    for (let step = 0; step < 3; step++) await db.migrate.down({ migrationSource, tableName: MIGRATIONS_TABLE });
    const [stored] = (await db('tradeflow_checkpoints').where({ source: `kafka:${topic}:${topic}`, chunk: 0 }).select('offsets')) as { offsets: string }[];
    const old = JSON.parse(stored!.offsets) as { partition: number; offset: number }[];
    expect(old.map((o) => Object.keys(o).sort())).toEqual([['offset', 'partition'], ['offset', 'partition']]);
    expect(old.reduce((sum, o) => sum + o.offset + 1, 0)).toBe(lines.length / 2); // every message of the first half, none more

    await produceFile(topic, after);
    const resumed = await runCli(args);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resuming kafka:oldformat-\w+:oldformat-\w+ with [\d,]+ orders of state/);
    const all = linesOf(whole);
    expect(await resultRows(db)).toEqual(await tutorialSqlOnMariaDb(db, all, DAY));
    const expectedRejects = new Set((await rejectedRecords(db, all)).map((r) => r.offset));
    const rejects = (await db('trade_order_rejects').select('raw')) as { raw: string }[];
    expect(rejects.map((r) => r.raw).sort()).toEqual(all.filter((l) => expectedRejects.has(l.offset)).map((l) => l.line).sort());
  }, 180_000);
});
