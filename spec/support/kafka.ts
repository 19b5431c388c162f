/** Kafka for specs: the broker of `npm run stack:up`, driven through the real `tradeflow` command. */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as RdKafka from 'node-rdkafka';
import { expect } from 'vitest';
import { runCli } from './cli.ts';
import type { Service } from './services.ts';

/** The broker of `npm run stack:up`. */
export const KAFKA: Service = { name: 'Kafka', host: '127.0.0.1', port: 9092 };

/** A topic name of its own for a spec. */
export function uniqueTopic(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** Creates a topic with `tradeflow topic create`. */
export async function createTopic(topic: string, partitions: number): Promise<void> {
  const result = await runCli(['topic', 'create', '--topic', topic, '--partitions', String(partitions)]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
}

/** Produces a file's lines with `tradeflow produce`; returns what it printed. */
export async function produceFile(topic: string, file: string): Promise<string> {
  const result = await runCli(['produce', '--topic', topic, '--file', file]);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

/**
 * The offsets a consumer group has committed on a topic's partitions (the next offset to read;
 * absent: none committed), as Kafka has them, read without joining the group.
 */
export async function committedOffsets(topic: string, group: string, partitions: number): Promise<Map<number, number>> {
  const Kafka = createRequire(import.meta.url)('node-rdkafka') as typeof RdKafka;
  const client = new Kafka.KafkaConsumer({ 'metadata.broker.list': `${KAFKA.host}:${KAFKA.port}`, 'group.id': group, 'enable.auto.commit': false }, {});
  await new Promise<void>((resolve, reject) => client.connect({ timeout: 10_000 }, (error) => (error ? reject(error) : resolve())));
  try {
    const wanted = Array.from({ length: partitions }, (_, partition) => ({ topic, partition }));
    const found = await new Promise<RdKafka.TopicPartitionOffset[]>((resolve, reject) => client.committed(wanted, 10_000, (error, offsets) => (error ? reject(error) : resolve(offsets))));
    return new Map(found.filter((o) => o.offset >= 0).map((o) => [o.partition, o.offset]));
  } finally {
    await new Promise<void>((resolve) => client.disconnect(() => resolve()));
  }
}
