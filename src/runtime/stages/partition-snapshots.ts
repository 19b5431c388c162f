/**
 * Where the dedupe stage keeps the snapshots of its partitions' states: a compacted topic of its
 * own, one partition per orders partition (as Kafka Streams keeps a store's changelog), so that a
 * dedupe-only instance needs nothing but Kafka, and a new owner reads only its partitions'.
 */
import { lastValueFrom, tap } from 'rxjs';
import { SnapshotChunks, snapshotChunks, type SnapshotMeta, type StoredSnapshot } from '../../core/partition-snapshot.ts';
import { asNextOffset } from '../../core/positions.ts';
import { clientConfig, kafka, promised } from '../../kafka/client.ts';
import { partitionCount } from '../../kafka/topics.ts';
import { replayPartitions } from '../../sources/partition-replay.ts';

/** The snapshots topic of a dedupe stage's consumer group. */
export function snapshotsTopicOf(group: string): string {
  return `${group}-snapshots`;
}

/** The snapshots found for some partitions: the complete ones, and how many were not. */
export interface FoundSnapshots {
  readonly snapshots: StoredSnapshot[];
  readonly broken: number;
}

/** Reads and writes the snapshots of one stage's partitions. */
export interface PartitionSnapshots {
  /** Per partition asked for, what its part of the topic holds (read to its end now). */
  load(partitions: readonly number[]): Promise<Map<number, FoundSnapshots>>;
  /** Writes one snapshot; resolves once every chunk is acknowledged by the broker (acks=all). */
  save(meta: SnapshotMeta, body: Buffer): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens the snapshots topic, creating it (compacted, as many partitions as the orders topic) if
 * it is not there; `created` is told when it was made.
 */
export async function partitionSnapshots(brokers: string, topic: string, partitions: number, created: (line: string) => void): Promise<PartitionSnapshots> {
  let available = await partitionCount(brokers, topic);
  if (available === 0) {
    await createCompactedTopic(brokers, topic, partitions);
    available = await partitionCount(brokers, topic);
    created(`created the snapshots topic ${topic} with ${partitions} partitions, compacted`);
  }
  const Kafka = kafka();
  const producer = new Kafka.Producer({
    ...clientConfig(brokers, `tradeflow-snapshots`, { 'linger.ms': 5, 'compression.codec': 'lz4' }),
    'enable.idempotence': true, // and so acks=all
    'message.max.bytes': 1_000_000,
    dr_cb: true,
  });
  const waiting = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  let next = 0;
  producer.on('delivery-report', (error, report) => {
    const pending = waiting.get(report.opaque as number);
    waiting.delete(report.opaque as number);
    if (error) pending?.reject(new Error(`Cannot save a snapshot to ${topic}: ${error.message}`));
    else pending?.resolve();
  });
  await promised<unknown>((done) => producer.connect({}, done));
  producer.setPollInterval(50);
  return {
    load: async (wanted) => {
      const found = new Map(wanted.map((partition) => [partition, new SnapshotChunks()]));
      const inTopic = wanted.filter((partition) => partition < available);
      const until = new Map(inTopic.map((partition) => [partition, asNextOffset(Infinity)])); // to the end there is now
      await lastValueFrom(replayPartitions({ brokers, topic, until, batchSize: 64 }).pipe(tap((batch) => batch.items.forEach((item) => found.get(item.partition)?.add(typeof item.value === 'string' ? Buffer.from(item.value) : item.value)))), { defaultValue: undefined });
      return new Map([...found].map(([partition, chunks]) => [partition, chunks.complete()]));
    },
    save: async (meta, body) => {
      if (meta.partition >= available) return; // the orders topic grew: that partition rebuilds from its log
      const delivered = snapshotChunks(meta, body).map(
        ({ key, value }) =>
          new Promise<void>((resolve, reject) => {
            const opaque = next++;
            waiting.set(opaque, { resolve, reject });
            try {
              producer.produce(topic, meta.partition, value, key, null, opaque); // null: librdkafka stamps it (the runtime keeps no clock)
            } catch (error) {
              waiting.delete(opaque);
              reject(error instanceof Error ? error : new Error(String(error)));
            }
          }),
      );
      await Promise.all(delivered);
    },
    close: () => promised<unknown>((done) => producer.disconnect(done)).then(() => undefined),
  };
}

/**
 * A topic that keeps the newest message per key: the snapshots of a day take little room once
 * cleaned. Segments roll every 10 minutes so that the cleaner can get at them within the day.
 */
async function createCompactedTopic(brokers: string, topic: string, partitions: number): Promise<void> {
  const Kafka = kafka();
  const admin = Kafka.AdminClient.create({ ...clientConfig(brokers, 'tradeflow-admin') });
  try {
    await promised<void>((done) =>
      admin.createTopic(
        { topic, num_partitions: partitions, replication_factor: 1, config: { 'cleanup.policy': 'compact', 'segment.ms': '600000', 'min.cleanable.dirty.ratio': '0.1', 'max.message.bytes': '1048588' } },
        15_000,
        (error) => done(error, undefined),
      ),
    ).catch((error: unknown) => {
      if (!(error instanceof Error) || !/already exists/i.test(error.message)) throw error;
    });
  } finally {
    admin.disconnect();
  }
}
