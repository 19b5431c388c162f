import { createRequire } from 'node:module';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import type * as RdKafka from 'node-rdkafka';
import { expect, it } from 'vitest';
import { runCli, SAMPLE, scratchDir, sqliteRows } from '../support/cli.ts';
import { createTopic, KAFKA, uniqueTopic } from '../support/kafka.ts';
import { rdkafkaWithoutZstd, tradeflowWith } from '../support/rdkafka-without-zstd.ts';
import { RESULT_SQL, SAMPLE_DAY } from '../support/sample.ts';
import { describeWithService, isReachable } from '../support/services.ts';

const Kafka = createRequire(import.meta.url)('node-rdkafka') as typeof RdKafka;

/** Produces lines to partition 0 with a codec of choice, as another shop's producer would. */
async function produce(topic: string, lines: readonly string[], codec: 'zstd' | 'lz4'): Promise<void> {
  const producer = new Kafka.Producer({ 'metadata.broker.list': `${KAFKA.host}:${KAFKA.port}`, 'compression.codec': codec, dr_cb: true, 'linger.ms': 50 });
  await new Promise<void>((resolve, reject) => producer.connect({}, (error) => (error ? reject(error) : resolve())));
  let delivered = 0;
  producer.on('delivery-report', () => (delivered += 1));
  producer.setPollInterval(20);
  for (const line of lines) producer.produce(topic, 0, Buffer.from(line), null);
  for (const deadline = Date.now() + 20_000; delivered < lines.length && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 50));
  await new Promise<void>((resolve) => producer.disconnect(() => resolve()));
  expect(delivered).toBe(lines.length);
}

describeWithService(KAFKA, await isReachable(KAFKA), 'a Kafka run whose client lacks a codec, on a real broker', () => {
  it('warns at start, then stops at a zstd message with one line naming topic, partition, offset, codec and the fix, having skipped nothing', async () => {
    const bin = tradeflowWith(await rdkafkaWithoutZstd());
    const sample = readFileSync(SAMPLE, 'utf8').trim().split('\n');
    const topic = uniqueTopic('codec');
    await createTopic(topic, 1);
    await produce(topic, sample.slice(0, 5), 'lz4');
    await produce(topic, sample.slice(5), 'zstd');
    const db = join(scratchDir(), 'codec.sqlite');
    const args = ['run', '--source', 'kafka', '--topic', topic, '--group', topic, '--startup', 'earliest', '--exit-at-end', '--db', `sqlite:${db}`, '--as-of', '2021-03-25 12:03:00'];

    const stopped = await runCli(args, {}, bin);
    expect(stopped.code).toBe(1);
    const lines = stopped.stderr.trim().split('\n');
    expect(lines.some((line) => /^WARN  this node-rdkafka was built without zstd: .*libzstd-dev.*npm rebuild node-rdkafka/.test(line))).toBe(true);
    expect(lines.at(-1)).toBe(
      `FATAL Cannot read topic ${topic} partition 0 at offset 5: the messages there are compressed with zstd, which this node-rdkafka was built without (nothing after them was counted); ` +
        'to go on, install libzstd-dev on Debian and Ubuntu, libzstd-devel on Fedora and RHEL, zstd-dev on Alpine, zstd with Homebrew, then rebuild node-rdkafka (npm rebuild node-rdkafka)',
    );

    // With every codec, the same group goes on and nothing is missing.
    const resumed = await runCli(args);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(sqliteRows(db, RESULT_SQL)).toEqual(SAMPLE_DAY);
  }, 900_000);
});
