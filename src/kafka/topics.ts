import { clientConfig, kafka, promised } from './client.ts';

/** What {@link createTopic} did. */
export type TopicOutcome = { readonly created: true } | { readonly created: false; readonly partitions: number };

/** Creates a topic with `partitions` partitions; an existing one is left as it is. */
export async function createTopic(brokers: string, topic: string, partitions: number, replicationFactor = 1): Promise<TopicOutcome> {
  const Kafka = kafka();
  const admin = Kafka.AdminClient.create({ ...clientConfig(brokers, 'tradeflow-admin') });
  try {
    await promised<void>((done) => admin.createTopic({ topic, num_partitions: partitions, replication_factor: replicationFactor }, 15_000, (error) => done(error, undefined)));
    return { created: true };
  } catch (error) {
    if (!(error instanceof Error) || !/already exists/i.test(error.message)) throw error;
    return { created: false, partitions: await partitionCount(brokers, topic) };
  } finally {
    admin.disconnect();
  }
}

/** The number of partitions of a topic (0 when it does not exist). */
export async function partitionCount(brokers: string, topic: string): Promise<number> {
  const Kafka = kafka();
  const producer = new Kafka.Producer({ ...clientConfig(brokers, 'tradeflow-metadata') });
  await promised((done) => producer.connect({ topic, timeout: 10_000 }, done));
  try {
    const metadata = await promised<import('node-rdkafka').Metadata>((done) => producer.getMetadata({ topic, timeout: 10_000 }, done));
    return metadata.topics.find((t) => t.name === topic)?.partitions.length ?? 0;
  } finally {
    await promised((done) => producer.disconnect(done));
  }
}

/** The one-line error of a run that needs `topic` and finds no such topic on `brokers`. */
export function missingTopic(topic: string, brokers: string): RangeError {
  return new RangeError(`Cannot read topic ${topic}: it does not exist on ${brokers} (create it with: tradeflow topic create)`);
}

/** The internal topic between the stages of a scaled-out run of `group` (named as Kafka Streams names its internal topics). */
export function changesTopicOf(group: string): string {
  return `${group}-changes`;
}
