import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as RdKafka from 'node-rdkafka';
import { expect, it } from 'vitest';
import { runCli, scratchDir } from '../support/cli.ts';
import { createTopic, KAFKA, produceFile, uniqueTopic } from '../support/kafka.ts';
import { tutorialSqlOnMariaDb } from '../support/mariadb-reference.ts';
import { MARIADB, useSpecDatabase } from '../support/mysql.ts';
import { linesOf, resultRows } from '../support/result-rows.ts';
import { describeWithService, isReachable } from '../support/services.ts';

const Kafka = createRequire(import.meta.url)('node-rdkafka') as typeof RdKafka;
const DAY = '2021-03-25';
const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;

/** Messages that must each be rejected, never stop a run, and be kept once (raw bytes, as a broken producer sends them). */
const POISON: readonly Buffer[] = [
  Buffer.from(deep),
  Buffer.from(`{"order_id":"p1","order_time":"${DAY} 10:00:00","real_pay":${deep},"pay_time":"${DAY} 10:00:00"}`),
  Buffer.from(`{"order_id":"p2","order_time":"${DAY} 10:00:00","real_pay":1e400,"pay_time":"${DAY} 10:00:00"}`),
  Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
  Buffer.from(`\ufeff{"order_id":"p3","order_time":"${DAY} 10:00:00","real_pay":"1","pay_time":"${DAY} 10:00:00"}`),
  Buffer.from(`{"order_id":${'9'.repeat(400)}.5,"order_time":"${DAY} 10:00:00","real_pay":"1","pay_time":"${DAY} 10:00:00"}`),
];

async function producePoison(topic: string): Promise<void> {
  const producer = new Kafka.Producer({ 'metadata.broker.list': `${KAFKA.host}:${KAFKA.port}`, dr_cb: true, 'message.max.bytes': 2_000_000 });
  await new Promise<void>((resolve, reject) => producer.connect({}, (error) => (error ? reject(error) : resolve())));
  let delivered = 0;
  producer.on('delivery-report', (error) => (delivered += error ? 0 : 1));
  producer.setPollInterval(20);
  POISON.forEach((value, i) => producer.produce(topic, i % 3, value, null));
  for (const deadline = Date.now() + 20_000; delivered < POISON.length && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 50));
  await new Promise<void>((resolve) => producer.disconnect(() => resolve()));
  expect(delivered).toBe(POISON.length);
}

describeWithService(KAFKA, (await isReachable(KAFKA)) && (await isReachable(MARIADB)), 'poison messages on a real broker', () => {
  const database = useSpecDatabase();

  it('never stop a run: the table equals the SQL reference, each poison message is kept once, and a restart does not read it again', async () => {
    const db = database.open();
    const file = join(scratchDir(), 'orders.jsonl');
    expect((await runCli(['generate', '--orders', '20000', '--seed', '31', '--day', DAY, '--out', file])).code).toBe(0);
    const topic = uniqueTopic('poison');
    await createTopic(topic, 3);
    const half = linesOf(file);
    await produceFile(topic, file);
    await producePoison(topic);
    await produceFile(topic, file); // every order again after the poison: versions on both sides of it
    const args = ['run', '--source', 'kafka', '--topic', topic, '--group', topic, '--startup', 'group', '--db', database.url, '--as-of', `${DAY} 00:00:00`, '--exit-at-end'];
    const first = await runCli(args);
    expect(first.code, first.stderr).toBe(0);
    expect(await resultRows(db)).toEqual(await tutorialSqlOnMariaDb(db, [...half, ...half.map((line) => ({ ...line, offset: line.offset + half.length + POISON.length }))], DAY));

    // Each poison message, by the start of its text the rejects table keeps.
    const kept = new Set(POISON.map((value) => new TextDecoder('utf-8', { ignoreBOM: true }).decode(value).slice(0, 4096)));
    const poisonRejects = async (): Promise<string[]> =>
      ((await db('trade_order_rejects').select('reason', 'raw')) as { reason: string; raw: string }[]).filter((r) => kept.has(r.raw)).map((r) => r.reason).sort();
    expect(await poisonRejects()).toEqual(
      [
        'not a JSON object (got [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[...)',
        'real_pay: not a decimal number (got [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[...)',
        'real_pay: above 10^15 (got 1e400)',
        'not valid UTF-8',
        'not valid JSON: it starts with a byte order mark (U+FEFF)',
        `order_id: must be a non-empty string or an integer (got ${'9'.repeat(57)}...)`,
      ].sort(),
    );

    const restarted = await runCli(args);
    expect(restarted.code, restarted.stderr).toBe(0);
    expect(restarted.stdout).toMatch(/^read 0 \| rejected 0 \|/m);
    expect(await poisonRejects()).toHaveLength(POISON.length);
  }, 240_000);
});
