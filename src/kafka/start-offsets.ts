/** Where a run with no checkpoint begins: `--startup` resolved to offsets before anything is read. */
import type * as RdKafka from 'node-rdkafka';
import { clientConfig, kafka, promised } from './client.ts';
import type { NextOffset } from '../core/positions.ts';
import { watermarkToNext } from './offsets.ts';
import type { StartupMode } from './startup.ts';

/**
 * Per partition of `topic`, the next offset to read for this startup mode (`group`: from the start,
 * as a run with no checkpoint has nothing to go on from; `timestamp`: the first message at or after
 * the time, the end where there is none). Empty when the topic does not exist. Resolved once, here
 * only (the source takes these offsets as they are), so that it can be checkpointed: a run killed
 * before its first checkpoint then resumes from where it began instead of from a later "latest".
 */
export async function startOffsets(brokers: string, topic: string, startup: StartupMode): Promise<Map<number, NextOffset>> {
  const Kafka = kafka();
  const client = new Kafka.KafkaConsumer({ ...clientConfig(brokers, 'tradeflow-start'), 'group.id': 'tradeflow-start-offsets', 'enable.auto.commit': false }, {});
  await promised<unknown>((done) => client.connect({ topic, timeout: 10_000 }, done));
  try {
    const metadata = await promised<RdKafka.Metadata>((done) => client.getMetadata({ topic, timeout: 10_000 }, done));
    const partitions = metadata.topics.find((t) => t.name === topic)?.partitions.map((p) => p.id) ?? [];
    const offsets = new Map<number, NextOffset>();
    for (const partition of partitions) {
      const { lowOffset, highOffset } = await promised<RdKafka.WatermarkOffsets>((done) => client.queryWatermarkOffsets(topic, partition, 10_000, done));
      offsets.set(partition, watermarkToNext(startup.kind === 'earliest' || startup.kind === 'group' ? lowOffset : highOffset));
    }
    if (startup.kind === 'timestamp' && partitions.length > 0) {
      // Asked after the watermarks: a message at or after the time that arrives in between is found here.
      const found = await promised<RdKafka.TopicPartitionOffset[]>((done) =>
        client.offsetsForTimes(partitions.map((partition) => ({ topic, partition, offset: startup.epochMs })), 10_000, done),
      );
      // -1 (OFFSET_END): no message at or after the time; that partition starts at its end, the
      // high watermark of now, so that what is produced from now on is read.
      for (const { partition, offset } of found) if (offset >= 0) offsets.set(partition, watermarkToNext(offset));
    }
    return offsets;
  } finally {
    await promised<unknown>((done) => client.disconnect(done));
  }
}
