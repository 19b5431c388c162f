/** node-rdkafka, loaded on first use, with the settings every client of tradeflow shares. */
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

/** What every client of tradeflow is configured with: where the brokers are, and how to reach them. */
export interface ClientConfig {
  readonly 'metadata.broker.list': string;
  readonly 'client.id': string;
  readonly 'socket.keepalive.enable': boolean;
}

/** Settings for any client of these brokers. */
export function clientConfig(brokers: string, clientId: string): ClientConfig {
  return { 'metadata.broker.list': brokers, 'client.id': clientId, 'socket.keepalive.enable': true };
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
