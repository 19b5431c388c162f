/** The one message-to-batch loop of every Kafka reader: the run's source, a stage's consumer, a replay. */
import type * as RdKafka from 'node-rdkafka';
import type { Batch, RawRecord } from '../core/batch.ts';
import type { NextOffset } from '../core/positions.ts';
import type { ClientConfig } from './client.ts';
import { NOT_IMPLEMENTED, undecodableMessage } from './codecs.ts';
import { nextToRead } from './offsets.ts';

/** Options of {@link readBatch}. */
export interface ReadBatchOptions {
  /** The batch's source name, e.g. `kafka:orders`. */
  readonly source: string;
  /** Messages asked for at a time. */
  readonly size: number;
  /**
   * Whether a message belongs in the batch; called once per message, in order, so it may note
   * the message (the offset read up to). Default: every message.
   */
  readonly keep?: (partition: number, offset: number) => boolean;
  /**
   * A consume error other than a missing codec: the messages to go on with (none, after a while,
   * for a broker out of reach), or a rejection. Default: the error is thrown.
   */
  readonly onError?: (error: RdKafka.LibrdKafkaError) => Promise<RdKafka.Message[]>;
  /** How to find the message a missing codec stops at: the client and where each partition's reading stands (-2: its start). */
  readonly undecodable: {
    readonly config: ClientConfig;
    readonly topic: string;
    readonly from: () => ReadonlyMap<number, number> | Promise<ReadonlyMap<number, number>>;
  };
}

/**
 * Consumes one batch and turns the messages kept into records, with per partition the next
 * offset after the last one kept as `progress`. A message compressed with a codec this build
 * lacks rejects with an `UndecodableMessage` naming where it is: never skipped, never retried.
 */
export async function readBatch(consumer: RdKafka.KafkaConsumer, options: ReadBatchOptions): Promise<Batch<RawRecord>> {
  const { source, size, keep = () => true, onError = asError, undecodable } = options;
  // The raw callback, not promised(): onError needs librdkafka's own error (isFatal).
  const messages = await new Promise<RdKafka.Message[]>((resolve, reject) =>
    consumer.consume(size, (error, found) => {
      if (!error) return resolve(found);
      if (error.code !== NOT_IMPLEMENTED) return resolve(onError(error));
      Promise.resolve(undecodable.from())
        .then((from) => undecodableMessage(undecodable.config, undecodable.topic, from))
        .then(reject, reject);
    }),
  );
  const items: RawRecord[] = [];
  const after = new Map<number, NextOffset>();
  for (const message of messages) {
    if (!keep(message.partition, message.offset)) continue;
    items.push({ value: message.value ?? new Uint8Array(0), partition: message.partition, offset: message.offset, timestamp: message.timestamp });
    after.set(message.partition, nextToRead(message));
  }
  return { source, items, rejects: [], progress: [...after].map(([partition, next]) => ({ partition, next })) };
}

/** A consume error as promised() gives it: an Error with librdkafka's message and code. */
function asError(error: RdKafka.LibrdKafkaError): Promise<never> {
  return Promise.reject(Object.assign(new Error(error.message), { code: error.code }));
}
