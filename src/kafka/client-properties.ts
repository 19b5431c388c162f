/**
 * Kafka client properties a user gives (`-X key=value`, `--kafka-config FILE`): read, checked by
 * librdkafka itself, and handed to every client tradeflow makes. Secret ones are never printed.
 */
import { existsSync } from 'node:fs';
import { kafka, type KafkaProperties } from './client.ts';

export type { KafkaProperties } from './client.ts';

/** A property or properties file tradeflow cannot use: the message names the culprit, never a secret value. */
export class KafkaPropertyError extends Error {
  override readonly name = 'KafkaPropertyError';
}

/** Properties whose values are secrets (librdkafka's names): never printed, shown as ***. */
export function isSecretProperty(name: string): boolean {
  // sasl.jaas.config: Java clients carry the password in it (librdkafka refuses it, but says its value).
  return /password|secret|passphrase|jaas|(^|\.)key\.pem$|^ssl\.keystore\.|^sasl\.oauthbearer\.config$|^ssl_key$/.test(name);
}

/**
 * What tradeflow sets itself and a user may not: the property, and the flag that sets it (or why).
 * Everything else a user gives wins over tradeflow's own tuning (client.id, socket.keepalive.enable,
 * compression.codec, linger.ms, batch sizes, timeouts...).
 */
export const RESERVED_PROPERTIES: Readonly<Record<string, string>> = {
  'group.id': 'use --group',
  'group.instance.id': 'use --instance-id',
  'enable.auto.commit': 'tradeflow commits offsets with its checkpoints',
  'enable.auto.offset.store': 'tradeflow commits offsets with its checkpoints',
  'auto.offset.reset': 'use --startup',
  'enable.partition.eof': 'use --exit-at-end',
  'isolation.level': 'the stages read committed changes only',
  'transactional.id': 'a --stage run names its transactions after --group and --instance-id',
  'transaction.timeout.ms': 'a --stage run bounds its transactions by it',
  'enable.idempotence': 'tradeflow keeps each partition in order through it',
  'session.timeout.ms': 'tradeflow\'s consumers set it for their rebalances',
  'max.poll.interval.ms': 'tradeflow\'s consumers set it for their rebalances',
  'fetch.wait.max.ms': 'tradeflow\'s consumers set it for the flush interval',
};

/** The names under which librdkafka takes the broker list; given there, they stand for --brokers. */
export const BROKER_PROPERTIES = ['bootstrap.servers', 'metadata.broker.list'] as const;

/** Reads `key=value` (a `-X` value). */
export function parseAssignment(text: string): [string, string] {
  const equals = text.indexOf('=');
  const key = (equals < 0 ? text : text.slice(0, equals)).trim();
  // The text is not echoed: it may be a secret written without its key.
  if (equals <= 0 || key === '') throw new KafkaPropertyError('Cannot use -X: expected key=value, e.g. -X security.protocol=SASL_SSL');
  return [key, text.slice(equals + 1)];
}

/**
 * Reads a properties file as librdkafka's and kcat's: `key=value` lines, `#` comments, blank lines.
 * A line without `=` is named by its number (its text could be a secret).
 */
export function parsePropertiesFile(text: string, file: string): Map<string, string> {
  const properties = new Map<string, string>();
  text.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) return;
    const equals = line.indexOf('=');
    if (equals <= 0) throw new KafkaPropertyError(`Cannot use --kafka-config ${file}: line ${index + 1} is not key=value`);
    properties.set(line.slice(0, equals).trim(), line.slice(equals + 1).trim());
  });
  return properties;
}

/** A hint for properties people bring from Java clients, which librdkafka names otherwise. */
const JAVA_NAMES: Readonly<Record<string, string>> = {
  'sasl.jaas.config': 'librdkafka takes sasl.username and sasl.password instead',
  'sasl.mechanism': 'librdkafka names it sasl.mechanisms',
  'ssl.truststore.location': 'librdkafka takes a PEM file in ssl.ca.location',
  'sasl.client.callback.handler.class': 'librdkafka has no Java callback handlers (for AWS IAM, see the README)',
  'key.serializer': 'tradeflow writes the message bytes itself',
  'value.serializer': 'tradeflow writes the message bytes itself',
  'key.deserializer': 'tradeflow reads the message bytes itself',
  'value.deserializer': 'tradeflow reads the message bytes itself',
};

/**
 * Checks each property as librdkafka will take it (it validates names and values when a client is
 * made); KafkaPropertyError naming the first it refuses, and where it came from.
 */
export function checkProperties(properties: KafkaProperties, origin: (name: string) => string): void {
  const Kafka = kafka();
  for (const [name, value] of properties) {
    const where = origin(name);
    const reserved = RESERVED_PROPERTIES[name];
    if (reserved !== undefined) throw new KafkaPropertyError(`Cannot use ${where}: tradeflow sets ${name} itself (${reserved})`);
    if (name.endsWith('_cb') || name === 'event_cb') throw new KafkaPropertyError(`Cannot use ${where}: ${name} is a callback, tradeflow sets the callbacks itself`);
    if (/\.location$/.test(name) && value !== 'probe' && !existsSync(value)) throw new KafkaPropertyError(`Cannot use ${where}: no such file ${value}`);
    try {
      // A client that is never connected: librdkafka checks the property, nothing goes on the network.
      new Kafka.Producer({ [name]: value } as never);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (/No such configuration property/i.test(message)) {
        const java = JAVA_NAMES[name];
        throw new KafkaPropertyError(`Cannot use ${where}: librdkafka has no property ${name}${java !== undefined ? ` (a Java client property: ${java})` : ''}`);
      }
      const shown = isSecretProperty(name) ? '' : ` "${value}"`;
      throw new KafkaPropertyError(`Cannot use ${where}: librdkafka refuses the value${shown} of ${name}${/Invalid value/i.test(message) ? '' : ` (${message.replaceAll(value, '***')})`}`);
    }
  }
}

/** The properties as `key=value` for people: secret values as ***. */
export function describeProperties(properties: KafkaProperties): string {
  return [...properties].map(([name, value]) => `${name}=${isSecretProperty(name) ? '***' : value}`).join(' ');
}
