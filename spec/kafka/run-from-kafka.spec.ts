import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { finished, runCli, SAMPLE, scratchDir, startCli } from '../support/cli.ts';
import { createTopic, KAFKA, produceFile, uniqueTopic } from '../support/kafka.ts';
import { rejectedRecords, tutorialSqlOnMariaDb } from '../support/mariadb-reference.ts';
import { dropAllTables, MARIADB, useSpecDatabase } from '../support/mysql.ts';
import { RESULT_SQL, SAMPLE_DAY } from '../support/sample.ts';
import { historyBesideRows, linesOf, resultRows, waitFor } from '../support/result-rows.ts';
import { describeWithService, isReachable } from '../support/services.ts';

const reachable = (await isReachable(KAFKA)) && (await isReachable(MARIADB));
const DAY = '2021-03-25';

describeWithService(KAFKA, reachable, 'tradeflow run --source kafka, from a real broker into MariaDB', () => {
  const database = useSpecDatabase();

  it('turns the tutorial sample, produced to Kafka, into the documented table', async () => {
    const db = database.open();
    await dropAllTables(db);
    const topic = uniqueTopic('sample');
    await createTopic(topic, 1);
    expect(await produceFile(topic, SAMPLE)).toMatch(/^produced 11 messages to sample-\w+ in /);
    const result = await runCli(['run', '--source', 'kafka', '--topic', topic, '--group', topic, '--startup', 'earliest', '--exit-at-end', '--db', database.url, '--as-of', `${DAY} 12:03:00`]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^read 11 \| rejected 0 \| filtered 2 /m);
    expect(await db.raw(RESULT_SQL).then(([rows]: [unknown[]]) => rows.map((row) => ({ ...(row as object) })))).toEqual(SAMPLE_DAY);
  }, 60_000);

  it('gives for 200,000 generated orders on 3 partitions, read by three threads, the table of the tutorial SQL run by MariaDB, with every bad line rejected once', async () => {
    const db = database.open();
    await dropAllTables(db);
    const file = join(scratchDir(), 'orders.jsonl');
    expect((await runCli(['generate', '--orders', '200000', '--seed', '11', '--day', DAY, '--out', file])).code).toBe(0);
    const topic = uniqueTopic('volume');
    await createTopic(topic, 3);
    await produceFile(topic, file);
    const result = await runCli(['run', '--source', 'kafka', '--topic', topic, '--group', topic, '--startup', 'earliest', '--exit-at-end', '--db', database.url, '--as-of', `${DAY} 00:00:00`, '--workers', '3']);
    expect(result.code, result.stderr).toBe(0);

    const lines = linesOf(file);
    expect(await resultRows(db)).toEqual(await tutorialSqlOnMariaDb(db, lines, DAY));
    const expectedRejects = new Set((await rejectedRecords(db, lines)).map((r) => `${r.offset}`));
    const rejects = (await db('trade_order_rejects').select('raw')) as { raw: string }[];
    expect(rejects.length).toBe(expectedRejects.size);
    expect(rejects.map((r) => r.raw).sort()).toEqual(lines.filter((l) => expectedRejects.has(`${l.offset}`)).map((l) => l.line).sort());
  }, 180_000);

  it('stops cleanly on SIGTERM and resumes with --startup group, without losing or double counting', async () => {
    const db = database.open();
    await dropAllTables(db);
    const dir = scratchDir();
    const file = join(dir, 'orders.jsonl');
    expect((await runCli(['generate', '--orders', '60000', '--seed', '12', '--day', DAY, '--out', file])).code).toBe(0);
    const all = readFileSync(file, 'utf8').trim().split('\n');
    const half = Math.floor(all.length / 2);
    writeFileSync(join(dir, 'first.jsonl'), `${all.slice(0, half).join('\n')}\n`);
    writeFileSync(join(dir, 'second.jsonl'), `${all.slice(half).join('\n')}\n`);
    const topic = uniqueTopic('restart');
    await createTopic(topic, 3);
    await produceFile(topic, join(dir, 'first.jsonl'));

    const args = ['run', '--source', 'kafka', '--topic', topic, '--group', topic, '--startup', 'group', '--db', database.url, '--as-of', `${DAY} 00:00:00`];
    // Two hosts, as far as the group can tell (on one host the default id is the same, and the
    // second process would fence the first instead).
    const firstPort = 20_000 + Math.floor(Math.random() * 20_000);
    const first = startCli([...args, '--instance-id', 'host-a', '--http-port', String(firstPort)]);
    const firstDone = finished(first);
    await waitFor(async () => (await db.schema.hasTable('trade_channel_collect')) && (await db('trade_channel_collect').count({ n: '*' }))[0]!.n !== 0);
    await produceFile(topic, join(dir, 'second.jsonl')); // versions of the same orders on both sides of the stop
    const signalled = Date.now();
    first.kill('SIGTERM');
    const stopped = await firstDone;
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(10_000); // flush, checkpoint, commit: within seconds
    expect(stopped.stderr).toMatch(/checkpoint of [\d,]+ orders saved/);

    const resumed = await runCli([...args, '--exit-at-end']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resuming kafka:restart-\w+:restart-\w+ with [\d,]+ orders of state/);
    expect(await resultRows(db)).toEqual(await tutorialSqlOnMariaDb(db, linesOf(file), DAY));
    const { history, rows } = await historyBesideRows(db); // the day curves survive the restart too
    expect(history).toEqual(rows);
  }, 180_000);

  it('warns, naming --stage both, when a second single-process run joins its group and takes a share of the partitions, and counts the rebalances on /metrics', async () => {
    const topic = uniqueTopic('shared');
    await createTopic(topic, 2);
    await produceFile(topic, SAMPLE);
    const args = ['run', '--source', 'kafka', '--topic', topic, '--group', topic, '--startup', 'earliest', '--db', database.url, '--as-of', `${DAY} 12:03:00`, '--http-port', '0'];
    // Two hosts, as far as the group can tell (on one host the default id is the same, and the
    // second process would fence the first instead).
    const firstPort = 20_000 + Math.floor(Math.random() * 20_000);
    const first = startCli([...args, '--instance-id', 'host-a', '--http-port', String(firstPort)]);
    const firstDone = finished(first);
    let said = '';
    first.stderr?.on('data', (chunk: Buffer) => (said += chunk.toString()));
    await waitFor(async () => /assigned shared-\w+ partitions 0, 1/.test(said), 30_000);
    expect(said).not.toMatch(/WARN/); // alone in the group, it owns both
    const second = startCli([...args, '--instance-id', 'host-b']);
    const secondDone = finished(second);
    await waitFor(async () => /WARN  this run owns 1 of the 2 partitions/.test(said), 60_000);
    expect(said).toMatch(/both would write partial figures\. Run one process per group, or scale out with --stage both/);
    // The first run's group rebalanced: its partitions assigned, revoked for the newcomer, and a share assigned again.
    const metrics = await (await fetch(`http://127.0.0.1:${firstPort}/metrics`)).text();
    expect(Number(/^tradeflow_kafka_rebalances_total\{kind="assign"\} (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(2);
    expect(Number(/^tradeflow_kafka_rebalances_total\{kind="revoke"\} (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
    expect(metrics).toMatch(/^tradeflow_kafka_commit_failures_total \d+$/m);
    first.kill('SIGTERM');
    second.kill('SIGTERM');
    expect((await firstDone).code).toBe(0);
    expect((await secondDone).stderr).toMatch(/WARN  this run owns 1 of the 2 partitions/);
  }, 120_000);
});
