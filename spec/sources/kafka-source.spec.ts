/**
 * The Kafka source's flow control on a real broker: the partitions are paused only when the sink
 * is really behind, never at the ordinary short waits of a run that keeps up (a pause throws away
 * what librdkafka has fetched ahead: paused at each such wait, a run with reading threads read
 * 0.38 of the bare consumer's rate).
 */
import { join } from 'node:path';
import { lastValueFrom, reduce } from 'rxjs';
import { beforeAll, expect, it } from 'vitest';
import { createCounters } from '../../src/core/batch.ts';
import { kafkaSource, PAUSE_AFTER_MS } from '../../src/sources/kafka-source.ts';
import { runCli, scratchDir } from '../support/cli.ts';
import { createTopic, KAFKA, produceFile, uniqueTopic } from '../support/kafka.ts';
import { describeWithService, isReachable } from '../support/services.ts';

const reachable = await isReachable(KAFKA);

/** Reads the whole topic, the next batch held back for `wait(n)` ms before batch n; returns the messages read and the pauses. */
async function readAll(topic: string, wait: (batch: number) => number): Promise<{ read: number; pauses: number }> {
  const counters = createCounters();
  const source = kafkaSource({ brokers: `${KAFKA.host}:${KAFKA.port}`, topic, group: uniqueTopic('group'), startup: { kind: 'earliest' }, exitAtEnd: true, counters });
  let batches = 0;
  const ready = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, wait(batches++)));
  try {
    const read = await lastValueFrom(source.batches({ ready, signal: new AbortController().signal }).pipe(reduce((sum, batch) => sum + batch.items.length, 0)));
    return { read, pauses: counters.sourcePauses };
  } finally {
    await source.close();
  }
}

describeWithService(KAFKA, reachable, 'the Kafka source', () => {
  const topic = uniqueTopic('flow');
  const file = join(scratchDir(), 'orders.jsonl');
  let messages = 0;
  beforeAll(async () => {
    expect((await runCli(['generate', '--orders', '20000', '--seed', '21', '--day', '2021-03-25', '--out', file])).code).toBe(0);
    await createTopic(topic, 3);
    messages = Number((await produceFile(topic, file)).match(/^produced ([\d,]+) messages/)?.[1]?.replaceAll(',', ''));
    expect(messages).toBeGreaterThan(20_000);
  }, 60_000);

  it('does not pause its partitions for the short waits of a run that keeps up (a write finishing, a reading thread busy)', async () => {
    expect(await readAll(topic, (batch) => (batch % 2 === 0 ? 5 : 20))).toEqual({ read: messages, pauses: 0 });
  }, 60_000);

  it('pauses its partitions while the sink is more than a second behind, then reads on to the end', async () => {
    expect(await readAll(topic, (batch) => (batch === 3 ? PAUSE_AFTER_MS + 1500 : 0))).toEqual({ read: messages, pauses: 1 });
  }, 60_000);
});
