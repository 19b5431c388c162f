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

/** Settings for any client of these brokers. */
export function clientConfig(brokers: string, clientId: string): { 'metadata.broker.list': string; 'client.id': string; 'socket.keepalive.enable': boolean } {
  return { 'metadata.broker.list': brokers, 'client.id': clientId, 'socket.keepalive.enable': true };
}

/** A node-rdkafka callback as a promise. */
export function promised<T>(call: (callback: (error: RdKafka.LibrdKafkaError | null | undefined, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => call((error, value) => (error ? reject(new Error(error.message)) : resolve(value))));
}
