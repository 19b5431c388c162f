import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { seededRandom } from '../../src/generate/random.ts';
import { finished, runCli, scratchDir, startCli } from '../support/cli.ts';
import { createTopic, KAFKA, produceFile, uniqueTopic } from '../support/kafka.ts';
import { rejectedRecords, tutorialSqlOnMariaDb } from '../support/mariadb-reference.ts';
import { MARIADB, useSpecDatabase } from '../support/mysql.ts';
import { linesOf, resultRows, waitFor } from '../support/result-rows.ts';
import { describeWithService, isReachable } from '../support/services.ts';

const reachable = (await isReachable(KAFKA)) && (await isReachable(MARIADB));
const DAY = '2021-03-25';

/** The arguments of the same command a supervisor runs again and again: no --startup. */
const plainRun = (topic: string, url: string): string[] => ['run', '--source', 'kafka', '--topic', topic, '--group', topic, '--db', url, '--as-of', `${DAY} 00:00:00`, '--http-port', '0'];

/** Resolves once the run has restored (or begun) and is reading: it printed where it reads into. */
function reading(child: ChildProcess, topic: string): Promise<void> {
  let said = '';
  child.stderr?.on('data', (chunk: Buffer) => (said += chunk.toString()));
  return waitFor(async () => said.includes(`INFO  kafka:${topic} -> `), 60_000);
}

/** A generated day of orders, and its lines cut into `parts` recorded files of about equal length. */
async function ordersInParts(orders: number, seed: number, parts: number): Promise<{ whole: string; parts: string[] }> {
  const dir = scratchDir();
  const whole = join(dir, 'orders.jsonl');
  expect((await runCli(['generate', '--orders', String(orders), '--seed', String(seed), '--day', DAY, '--out', whole])).code).toBe(0);
  const lines = linesOf(whole).map((l) => l.line);
  const size = Math.ceil(lines.length / parts);
  const files = Array.from({ length: parts }, (_, i) => {
    const file = join(dir, `part-${i}.jsonl`);
    writeFileSync(file, `${lines.slice(i * size, (i + 1) * size).join('\n')}\n`);
    return file;
  });
  return { whole, parts: files };
}

describeWithService(KAFKA, reachable, 'restarts without --startup, on a real broker and MariaDB', () => {
  const database = useSpecDatabase();

  it('ends with the exact table and each bad line once when the same plain command is killed with -9 at random moments while orders flow', async () => {
    const db = database.open();
    const { whole } = await ordersInParts(100_000, 31, 1);
    const topic = uniqueTopic('restart');
    await createTopic(topic, 3);
    const args = [...plainRun(topic, database.url), '--flush-interval', '200', '--checkpoint-interval', '1500'];
    // The first run begins before the shop writes anything (at latest, the default); the orders
    // then flow while it and its plain restarts are killed.
    const first = startCli(args);
    const firstDone = finished(first);
    await reading(first, topic);
    const producer = finished(startCli(['produce', '--topic', topic, '--file', whole, '--rate', '15000']));
    const random = seededRandom(12);
    await new Promise((resolve) => setTimeout(resolve, 1000 + Math.floor(random() * 2000)));
    first.kill('SIGKILL');
    expect((await firstDone).code).toBeNull();
    let resumed = 0;
    for (let i = 0; i < 5; i++) {
      const child = startCli(args);
      const done = finished(child);
      // Any moment is fair: every other run dies at a random time from its start (before its
      // restore, on a busy machine), the others at a random time after they restored and read.
      if (i % 2 === 0) await reading(child, topic);
      await new Promise((resolve) => setTimeout(resolve, (i % 2 === 0 ? 0 : 800) + Math.floor(random() * 3000)));
      child.kill('SIGKILL');
      const { code, stderr } = await done;
      expect(code, stderr).toBeNull();
      if (/resuming kafka:restart-\w+:restart-\w+ with [\d,]+ orders of state/.test(stderr)) resumed += 1;
    }
    expect(resumed).toBeGreaterThanOrEqual(3);
    const produced = await producer;
    expect(produced.code, produced.stderr).toBe(0);
    const last = await runCli([...args, '--exit-at-end']);
    expect(last.code, last.stderr).toBe(0);
    expect(last.stderr).toMatch(/resuming kafka:restart-\w+:restart-\w+ with [\d,]+ orders of state/);

    const lines = linesOf(whole);
    expect(await resultRows(db)).toEqual(await tutorialSqlOnMariaDb(db, lines, DAY));
    const expectedRejects = new Set((await rejectedRecords(db, lines)).map((r) => r.offset));
    expect(expectedRejects.size).toBeGreaterThan(0);
    const rejects = (await db('trade_order_rejects').select('raw')) as { raw: string }[];
    expect(rejects.map((r) => r.raw).sort()).toEqual(lines.filter((l) => expectedRejects.has(l.offset)).map((l) => l.line).sort());
  }, 300_000);
});

describeWithService(KAFKA, reachable, 'a run killed before its first checkpoint, on a real broker and MariaDB', () => {
  const database = useSpecDatabase();

  it('resumes from where it began, not from a later end of the topic', async () => {
    const db = database.open();
    const { parts } = await ordersInParts(20_000, 32, 2);
    const [before, after] = parts as [string, string];
    const topic = uniqueTopic('begun');
    await createTopic(topic, 2);
    await produceFile(topic, before); // there before the run: latest begins after these
    const args = [...plainRun(topic, database.url), '--checkpoint-interval', '600000'];
    const first = startCli(args);
    const firstDone = finished(first);
    await reading(first, topic);
    first.kill('SIGKILL'); // long before its first checkpoint, before any order
    expect((await firstDone).code).toBeNull();
    await produceFile(topic, after); // while nothing runs
    const restart = await runCli([...args, '--exit-at-end']);
    expect(restart.code, restart.stderr).toBe(0);
    expect(await resultRows(db)).toEqual(await tutorialSqlOnMariaDb(db, linesOf(after), DAY));
  }, 180_000);
});

describeWithService(KAFKA, reachable, '--reset, on a real broker and MariaDB', () => {
  const database = useSpecDatabase();

  it('drops the checkpoint, says so in one line, and starts from nothing at --startup', async () => {
    const db = database.open();
    const { parts } = await ordersInParts(30_000, 33, 3);
    const [first, second, third] = parts as [string, string, string];
    const topic = uniqueTopic('reset');
    await createTopic(topic, 2);
    await produceFile(topic, first);
    const args = [...plainRun(topic, database.url), '--exit-at-end'];
    const initial = await runCli([...args, '--startup', 'earliest']);
    expect(initial.code, initial.stderr).toBe(0);
    expect(await resultRows(db)).toEqual(await tutorialSqlOnMariaDb(db, linesOf(first), DAY));
    await produceFile(topic, second);

    const reset = await runCli([...args, '--reset']);
    expect(reset.code, reset.stderr).toBe(0);
    const said = reset.stderr.split('\n').filter((line) => line.includes('--reset'));
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(new RegExp(`^INFO  --reset: dropped the checkpoint of kafka:${topic}:${topic} \\(offsets [\\d: ]+\\) and its progress; starting from nothing at --startup latest$`));
    expect(reset.stderr).not.toMatch(/resuming/);

    // The reset began at the end, with no state: the next plain run counts only what came after.
    await produceFile(topic, third);
    const after = await runCli(args);
    expect(after.code, after.stderr).toBe(0);
    expect(after.stderr).toMatch(/resuming kafka:reset-\w+:reset-\w+ with 0 orders of state/);
    expect(await resultRows(db)).toEqual(await tutorialSqlOnMariaDb(db, linesOf(third), DAY));
  }, 180_000);

  it('is refused for a --stage instance, and is never read from the environment', async () => {
    const stage = await runCli(['run', '--source', 'kafka', '--stage', 'both', '--reset']);
    expect(stage.code).toBe(2);
    expect(stage.stderr.trim()).toMatch(/^ERROR --reset: not with --stage \(the instances share their groups' state/);
    const help = await runCli(['run', '--help']);
    expect(help.stdout).toMatch(/--reset +kafka: drop the checkpoint[^\n]*\n +flag only, never from the environment/);
  }, 60_000);
});
