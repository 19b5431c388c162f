/**
 * A Kafka run writes its checkpoints as deltas after a base, folds them now and then, and a
 * restart from base + deltas goes on exactly.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runCli, scratchDir } from '../support/cli.ts';
import { createTopic, KAFKA, produceFile, uniqueTopic } from '../support/kafka.ts';
import { tutorialSqlOnMariaDb } from '../support/mariadb-reference.ts';
import { MARIADB, useSpecDatabase } from '../support/mysql.ts';
import { linesOf, resultRows } from '../support/result-rows.ts';
import { describeWithService, isReachable } from '../support/services.ts';

const reachable = (await isReachable(KAFKA)) && (await isReachable(MARIADB));
const DAY = '2021-03-25';

describeWithService(KAFKA, reachable, 'incremental checkpoints, on a real broker and MariaDB', () => {
  const database = useSpecDatabase();

  it('checkpoints deltas after a base, folds them into a new base, and a restart from base + deltas ends with the exact table', async () => {
    const db = database.open();
    const dir = scratchDir();
    const whole = join(dir, 'orders.jsonl');
    expect((await runCli(['generate', '--orders', '30000', '--seed', '35', '--day', DAY, '--out', whole])).code).toBe(0);
    const lines = linesOf(whole).map((l) => l.line);
    const [before, after] = [join(dir, 'before.jsonl'), join(dir, 'after.jsonl')];
    writeFileSync(before, `${lines.slice(0, lines.length / 2).join('\n')}\n`);
    writeFileSync(after, `${lines.slice(lines.length / 2).join('\n')}\n`);
    const topic = uniqueTopic('incremental');
    await createTopic(topic, 2);
    await produceFile(topic, before);
    const source = `kafka:${topic}:${topic}`;
    const args = ['run', '--source', 'kafka', '--topic', topic, '--group', topic, '--db', database.url, '--as-of', `${DAY} 00:00:00`, '--exit-at-end', '--checkpoint-interval', '1', '--flush-interval', '50'];
    const first = await runCli([...args, '--startup', 'earliest']);
    expect(first.code, first.stderr).toBe(0);
    const [base] = (await db('tradeflow_checkpoints').where({ source, chunk: 0 }).select('seq')) as { seq: number }[];
    const deltas = (await db('tradeflow_checkpoint_deltas').where({ source }).distinct('seq').pluck('seq')) as number[];
    expect(Number(base!.seq)).toBeGreaterThan(0); // folded at least once
    expect(deltas.length + Number(base!.seq)).toBeGreaterThan(2); // one checkpoint per flush, as deltas

    await produceFile(topic, after);
    const resumed = await runCli(args);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resuming kafka:incremental-\w+:incremental-\w+ with [\d,]+ orders of state/);
    expect(await resultRows(db)).toEqual(await tutorialSqlOnMariaDb(db, linesOf(whole), DAY));
  }, 180_000);
});
