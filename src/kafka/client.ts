/** node-rdkafka, loaded on first use, with the settings every client of tradeflow shares. */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import type * as RdKafka from 'node-rdkafka';

let loaded: typeof RdKafka | undefined;

/**
 * The node-rdkafka module. Loaded only when a Kafka client is made, so that file replays never
 * need the native addon (which also cannot load in worker threads).
 */
export function kafka(): typeof RdKafka {
  loaded ??= createRequire(import.meta.url)('node-rdkafka') as typeof RdKafka;
  return loaded;
}

/** librdkafka properties by name, as the user wrote them (`-X`, `--kafka-config`). */
export type KafkaProperties = ReadonlyMap<string, string>;

/** What every client of tradeflow is configured with: where the brokers are, how to reach them, and the user's properties. */
export interface ClientConfig {
  readonly 'metadata.broker.list': string;
  readonly 'client.id': string;
  readonly 'socket.keepalive.enable': boolean;
  readonly [property: string]: string | number | boolean;
}

const userProperties = new AsyncLocalStorage<KafkaProperties>();

/**
 * Runs `work` with the user's `properties` given to every Kafka client made inside it (sources,
 * sinks, admin clients, however deep). Context rather than a parameter through every layer: like
 * the broker list, they are the connection settings of the whole command.
 */
export function withKafkaProperties<T>(properties: KafkaProperties, work: () => T): T {
  return userProperties.run(properties, work);
}

/**
 * Settings for any client of these brokers: tradeflow's defaults, then `tuning` (a client's own,
 * which a user may change), then the user's properties. What a client sets after this (group.id,
 * transactions) is not the user's: the CLI refuses those names (RESERVED_PROPERTIES).
 */
export function clientConfig(brokers: string, clientId: string, tuning: Readonly<Record<string, string | number | boolean>> = {}): ClientConfig {
  return {
    'metadata.broker.list': brokers,
    'client.id': clientId,
    'socket.keepalive.enable': true,
    ...tuning,
    ...Object.fromEntries(userProperties.getStore() ?? []),
  };
}

/** A node-rdkafka callback as a promise; a failure is an Error with librdkafka's message and code. */
export function promised<T>(call: (callback: (error: RdKafka.LibrdKafkaError | null | undefined, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => call((error, value) => (error ? reject(Object.assign(new Error(error.message), { code: error.code })) : resolve(value))));
}

/** librdkafka's error code of a failure of {@link promised}, if it has one. */
export function errorCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}
