import { join } from 'node:path';
import { expect, it } from 'vitest';
import { seededRandom } from '../../src/generate/random.ts';
import { finished, runCli, scratchDir, startCli } from '../support/cli.ts';
import { createTopic, KAFKA, uniqueTopic } from '../support/kafka.ts';
import { rejectedRecords, tutorialSqlOnMariaDb } from '../support/mariadb-reference.ts';
import { MARIADB, useSpecDatabase } from '../support/mysql.ts';
import { historyBesideRows, linesOf, resultRows } from '../support/result-rows.ts';
import { describeWithService, isReachable } from '../support/services.ts';

const reachable = (await isReachable(KAFKA)) && (await isReachable(MARIADB));
const DAY = '2021-03-25';

describeWithService(KAFKA, reachable, 'recovery after kill -9, on a real broker and MariaDB', () => {
  const database = useSpecDatabase();

  it('ends with the exact table and each bad line once, after kill -9 at seven moments (inside a flush and inside a checkpoint among them), restarted with one, two and three reading threads', async () => {
    const db = database.open();
    const file = join(scratchDir(), 'orders.jsonl');
    expect((await runCli(['generate', '--orders', '200000', '--seed', '21', '--day', DAY, '--out', file])).code).toBe(0);
    const topic = uniqueTopic('crash');
    await createTopic(topic, 3);
    // Orders keep flowing while the pipeline is killed and restarted.
    const producer = finished(startCli(['produce', '--topic', topic, '--file', file, '--rate', '40000']));
    const args = ['run', '--source', 'kafka', '--topic', topic, '--group', topic, '--startup', 'group', '--db', database.url, '--as-of', `${DAY} 00:00:00`];
    const often = [...args, '--checkpoint-interval', '500', '--flush-interval', '200']; // many flushes and checkpoints to die in

    const faults = ['rows:3', 'checkpoint:2'];
    for (const fault of faults) {
      const killed = await finished(startCli(often, { TRADEFLOW_FAULT: fault }));
      expect(killed.code, `${fault}: ${killed.stderr}`).toBeNull(); // died by SIGKILL, mid-transaction
    }
    const random = seededRandom(7);
    let resumed = 0;
    for (let i = 0; i < 5; i++) {
      const child = startCli([...often, '--workers', String(1 + (i % 3))]);
      const done = finished(child);
      await new Promise((resolve) => setTimeout(resolve, 2500 + Math.floor(random() * 2500)));
      child.kill('SIGKILL');
      // Any moment is fair, even one before the restore; most of them come after it.
      if (/resuming kafka:crash-\w+:crash-\w+ with [\d,]+ orders of state/.test((await done).stderr)) resumed += 1;
    }
    expect(resumed).toBeGreaterThanOrEqual(2);
    expect((await producer).code).toBe(0);
    const last = await runCli([...args, '--exit-at-end']);
    expect(last.code, last.stderr).toBe(0);
    expect(last.stderr).toMatch(/resuming kafka:crash-\w+:crash-\w+ with [\d,]+ orders of state/);

    const lines = linesOf(file);
    expect(await resultRows(db)).toEqual(await tutorialSqlOnMariaDb(db, lines, DAY));
    const { history, rows } = await historyBesideRows(db); // written in the same transactions as the rows
    expect(history).toEqual(rows);
    const expectedRejects = new Set((await rejectedRecords(db, lines)).map((r) => r.offset));
    const rejects = (await db('trade_order_rejects').select('raw')) as { raw: string }[];
    expect(rejects.map((r) => r.raw).sort()).toEqual(lines.filter((l) => expectedRejects.has(l.offset)).map((l) => l.line).sort());
  }, 300_000);
});
