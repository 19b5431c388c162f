import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { afterEach, expect, it } from 'vitest';
import { finished, runCli, scratchDir, startCli, type CliResult } from '../../support/cli.ts';
import { createTopic, KAFKA, produceFile, uniqueTopic } from '../../support/kafka.ts';
import { rejectedRecords, tutorialSqlOnMariaDb } from '../../support/mariadb-reference.ts';
import { MARIADB, useSpecDatabase } from '../../support/mysql.ts';
import type { ExpectedRow } from '../../support/reference.ts';
import { historyBesideRows, linesOf, resultRows, waitFor } from '../../support/result-rows.ts';
import { describeWithService, isReachable } from '../../support/services.ts';

const reachable = (await isReachable(KAFKA)) && (await isReachable(MARIADB));
const DAY = '2021-03-25';

/** The instances started and not yet exited: a failing spec must not leave them running. */
const running = new Set<ChildProcess>();

/** One `tradeflow run --stage both` (or one stage) instance of the group. */
function startInstance(topic: string, url: string, id: string, stage = 'both'): { child: ChildProcess; done: Promise<CliResult> } {
  const child = startCli(['run', '--source', 'kafka', '--topic', topic, '--group', topic, '--stage', stage, '--instance-id', id, '--db', url, '--as-of', `${DAY} 00:00:00`, '--flush-interval', '300']);
  running.add(child);
  child.on('exit', () => running.delete(child));
  return { child, done: finished(child) };
}

afterEach(() => {
  for (const child of running) child.kill('SIGKILL'); // the node process itself, not a wrapper
  running.clear();
});

/** Generates `orders` orders of DAY into a file; returns the file and its lines. */
async function generated(orders: number, seed: number): Promise<{ file: string; lines: ReturnType<typeof linesOf> }> {
  const file = join(scratchDir(), `orders-${seed}.jsonl`);
  expect((await runCli(['generate', '--orders', String(orders), '--seed', String(seed), '--day', DAY, '--out', file])).code).toBe(0);
  return { file, lines: linesOf(file) };
}

/** Waits until the table and the rejects are exactly the reference's, then checks they stay so. */
async function expectExact(db: Knex, expected: ExpectedRow[], rejects: number, timeoutMs: number): Promise<void> {
  const exact = async (): Promise<boolean> => {
    const count = Number(((await db('trade_order_rejects').count({ n: '*' })) as { n: number }[])[0]?.n);
    return count === rejects && JSON.stringify(await resultRows(db), jsonBigInt) === JSON.stringify(expected, jsonBigInt);
  };
  await waitFor(exact, timeoutMs).catch(async () => {
    expect(await resultRows(db)).toEqual(expected); // shows the difference
    throw new Error('the table never became exact');
  });
  const { history, rows } = await historyBesideRows(db); // the minutes of the day curves, written with the rows by their owners
  expect(history).toEqual(rows);
}

/** Resolves once the child has written a line matching `pattern` to stderr. */
function saidLine(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`Cannot wait longer for ${String(pattern)}; the instance said:\n${text}`)), timeoutMs);
    child.stderr?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (pattern.test(text)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

function jsonBigInt(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

describeWithService(KAFKA, reachable, 'scale-out: instances of one group share the partitions, on a real broker and MariaDB', () => {
  const threeInstances = useSpecDatabase();
  const scaling = useSpecDatabase();
  const split = useSpecDatabase();

  it('runs the stages in separate instances: one --stage dedupe, one --stage aggregate, with the topics made by topic create', async () => {
    const db = split.open();
    const { file, lines } = await generated(50_000, 33);
    const topic = uniqueTopic('split');
    const created = await runCli(['topic', 'create', '--topic', topic, '--partitions', '4', '--stages-of', topic]);
    expect(created.stdout.trim()).toBe(`created topic ${topic} with 4 partition(s)\ncreated topic ${topic}-changes with 4 partition(s)`);
    await produceFile(topic, file);
    const expected = await tutorialSqlOnMariaDb(db, lines, DAY);
    const rejects = (await rejectedRecords(db, lines)).length;

    const dedupe = startInstance(topic, split.url, 'parser', 'dedupe');
    const aggregate = startInstance(topic, split.url, 'counter', 'aggregate');
    await expectExact(db, expected, rejects, 120_000);
    dedupe.child.kill('SIGTERM');
    aggregate.child.kill('SIGTERM');
    const [parsed, counted] = [await dedupe.done, await aggregate.done];
    expect(parsed.code, parsed.stderr).toBe(0);
    expect(counted.code, counted.stderr).toBe(0);
    expect(parsed.stderr).toMatch(/instance parser, dedupe stage: /);
    expect(parsed.stdout).toMatch(/^read [1-9][\d,]* \| .*\| rows written 0 \|/); // it writes no rows
    expect(counted.stdout).toMatch(/^read 0 \| .*rows written [1-9]/); // it reads no orders
  }, 200_000);

  it('three instances on a six-partition topic write exactly the table of the tutorial SQL for 300,000 orders', async () => {
    const db = threeInstances.open();
    const { file, lines } = await generated(300_000, 31);
    const topic = uniqueTopic('scale');
    await createTopic(topic, 6);
    await produceFile(topic, file);
    const expected = await tutorialSqlOnMariaDb(db, lines, DAY);
    const rejects = (await rejectedRecords(db, lines)).length;

    const instances = ['a', 'b', 'c'].map((id) => startInstance(topic, threeInstances.url, id));
    await expectExact(db, expected, rejects, 240_000).catch(async (error: unknown) => {
      for (const { child } of instances) child.kill('SIGTERM');
      const said = await Promise.all(instances.map((i) => i.done));
      throw new Error(`${String(error)}\n${said.map((r, i) => `--- instance ${i}:\n${r.stderr}`).join('\n')}`);
    });
    for (const { child } of instances) child.kill('SIGTERM');
    const results = await Promise.all(instances.map((i) => i.done));
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    // Each instance did part of the work, and together exactly all of it.
    const owned = results.map((r) => /dedupe stage owns \S+ partitions ([\d, ]+);/.exec(r.stderr)?.[1]);
    expect(owned.every((partitions) => partitions !== undefined)).toBe(true);
    expect(await resultRows(db)).toEqual(expected);
  }, 400_000);

  it('scaling from one instance to three and back to two, one of them killed -9, then a fourth joining and leaving, leaves the table exact while orders flow', async () => {
    const db = scaling.open();
    const { file, lines } = await generated(200_000, 32);
    const topic = uniqueTopic('rescale');
    await createTopic(topic, 6);
    const expected = await tutorialSqlOnMariaDb(db, lines, DAY);
    const rejects = (await rejectedRecords(db, lines)).length;

    const producing = startCli(['produce', '--topic', topic, '--file', file, '--rate', '15000']);
    running.add(producing);
    const producer = finished(producing);
    const pause = (ms: number): Promise<unknown> => new Promise((resolve) => setTimeout(resolve, ms));
    const first = startInstance(topic, scaling.url, 'first');
    await pause(3000);
    const second = startInstance(topic, scaling.url, 'second');
    const third = startInstance(topic, scaling.url, 'third');
    await pause(4000);
    third.child.kill('SIGKILL'); // mid-stream, transactions and flushes in flight
    expect((await third.done).code).toBeNull();
    // More rebalances while orders flow: one more joins, then leaves cleanly.
    const fourth = startInstance(topic, scaling.url, 'fourth');
    await saidLine(fourth.child, /dedupe stage owns/, 60_000); // up and in the group, not still starting
    await pause(1500);
    fourth.child.kill('SIGTERM');
    expect((await fourth.done).code).toBe(0);
    expect((await producer).code).toBe(0);

    await expectExact(db, expected, rejects, 240_000);
    first.child.kill('SIGTERM');
    second.child.kill('SIGTERM');
    for (const result of [await first.done, await second.done]) expect(result.code, result.stderr).toBe(0);
    // The survivors took over the killed instance's partitions and rebuilt their state.
    expect((await first.done).stderr + (await second.done).stderr).toMatch(/rebuilding the state of the partitions owned now|state rebuilt from [1-9]/);
    expect(await resultRows(db)).toEqual(expected);
  }, 400_000);
});
