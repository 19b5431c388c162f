/**
 * The compression codecs a producer may use (Kafka's: gzip, snappy, lz4, zstd), and what to do
 * when the node-rdkafka in use was built without one: librdkafka cannot read such a message,
 * and skipping it would lose orders, so a run stops at it, saying where and how to mend it.
 */
import type * as RdKafka from 'node-rdkafka';
import { kafka, promised, type ClientConfig } from './client.ts';

/** Every codec a Kafka producer may compress with. */
export const CODECS = ['gzip', 'snappy', 'lz4', 'zstd'] as const;

/** librdkafka's code for a message it cannot read for lack of a feature (its codec). */
export const NOT_IMPLEMENTED = -170;

/** The system packages that give node-rdkafka's bundled librdkafka each codec when it is built. */
const PACKAGES: Readonly<Record<string, string>> = {
  zstd: 'libzstd-dev on Debian and Ubuntu, libzstd-devel on Fedora and RHEL, zstd-dev on Alpine, zstd with Homebrew',
  gzip: 'zlib1g-dev on Debian and Ubuntu, zlib-devel on Fedora and RHEL, zlib-dev on Alpine',
};

/** The codecs a build lacks, by its `features` list. */
export function missingCodecs(features: readonly string[]): string[] {
  return CODECS.filter((codec) => !features.includes(codec));
}

/** How to get a codec back: the package, then a rebuild of node-rdkafka. */
export function codecFix(codec: string): string {
  const packages = PACKAGES[codec];
  return `${packages === undefined ? `install the ${codec} development files` : `install ${packages}`}, then rebuild node-rdkafka (npm rebuild node-rdkafka)`;
}

/** The warning line of a build without some codecs; undefined when it has them all. */
export function codecWarning(features: readonly string[]): string | undefined {
  const missing = missingCodecs(features);
  if (missing.length === 0) return undefined;
  return `this node-rdkafka was built without ${missing.join(', ')}: a message compressed with ${missing.length === 1 ? 'it' : 'one of them'} will stop the run; to read it, ${missing.map(codecFix).join('; and ')}`;
}

/** A message the client cannot decompress: the run stops here, never skips it and never retries for ever. */
export class UndecodableMessage extends Error {
  override readonly name = 'UndecodableMessage';
}

/**
 * Finds which of the partitions (each from the offset given, the next one not read, or -2 for
 * its start) holds the
 * message that cannot be read, with a consumer of its own per partition: node-rdkafka reports
 * the error without its partition. Resolves with the error to stop the run with.
 */
export async function undecodableMessage(config: ClientConfig, topic: string, from: ReadonlyMap<number, number>): Promise<UndecodableMessage> {
  const missing = missingCodecs(kafka().features);
  const codec = missing.length === 1 ? missing[0]! : missing.length === 0 ? 'a codec this node-rdkafka lacks' : `one of ${missing.join(', ')}`;
  const fix = missing.length === 0 ? 'rebuild node-rdkafka with the codecs of the producer' : missing.map(codecFix).join('; and ');
  let where = `topic ${topic}`;
  for (const [partition, offset] of from) {
    const at = await cannotReadAt(config, topic, partition, offset);
    if (at !== undefined) {
      where = `topic ${topic} partition ${partition} at offset ${at}`;
      break;
    }
  }
  return new UndecodableMessage(`Cannot read ${where}: the messages there are compressed with ${codec}, which this node-rdkafka was built without (nothing after them was counted); to go on, ${fix}`);
}

/** Where reading one partition from an offset fails for lack of a codec; undefined when it does not. */
async function cannotReadAt(config: ClientConfig, topic: string, partition: number, offset: number): Promise<number | undefined> {
  const Kafka = kafka();
  const probe = new Kafka.KafkaConsumer({ ...config, 'group.id': 'tradeflow-probe', 'enable.auto.commit': false }, { 'auto.offset.reset': 'earliest' });
  try {
    await promised<unknown>((done) => probe.connect({ timeout: 10_000 }, done));
    const start = offset >= 0 ? offset : (await promised<RdKafka.WatermarkOffsets>((done) => probe.queryWatermarkOffsets(topic, partition, 10_000, done))).lowOffset;
    probe.assign([{ topic, partition, offset: start }]);
    probe.setDefaultConsumeTimeout(1000);
    for (let attempt = 0; attempt < 10; attempt++) {
      const outcome = await new Promise<'read' | 'undecodable' | 'nothing'>((resolve) =>
        probe.consume(1, (error, messages) => resolve(error ? (error.code === NOT_IMPLEMENTED ? 'undecodable' : 'nothing') : messages.length > 0 ? 'read' : 'nothing')),
      );
      if (outcome !== 'nothing') return outcome === 'undecodable' ? start : undefined;
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    if (probe.isConnected()) await promised<unknown>((done) => probe.disconnect(done)).catch(() => {});
  }
}
