/** The edge of the dedupe stage: its changes go to the changes topic in Kafka transactions. */
import type * as RdKafka from 'node-rdkafka';
import type { ChannelMap } from '../core/channel.ts';
import type { Batch, KafkaCounters } from '../core/batch.ts';
import { encodeChanges, encodeReject } from '../core/change-message.ts';
import type { Contribution } from '../core/dedupe-state.ts';
import { clientConfig, kafka } from '../kafka/client.ts';
import { nextToCommit } from '../kafka/offsets.ts';

/** Options of {@link changeTopicSink}. */
export interface ChangeTopicSinkOptions {
  readonly brokers: string;
  /** The internal topic the changes go to. */
  readonly changesTopic: string;
  /** The orders topic, whose offsets are committed with the changes. */
  readonly ordersTopic: string;
  /** One per instance: a restarted instance fences its old self and aborts what it left open. */
  readonly transactionalId: string;
  /** Where transactions that could not commit are counted. Default: nowhere. */
  readonly counters?: Pick<KafkaCounters, 'commitFailures'>;
  /** The shop's channels, which key each change by its group. Default: the tutorial's. */
  readonly channels?: ChannelMap;
  /** Called inside each transaction, its changes sent and its offsets not yet: where the fault specs hold a write in flight. Default: nothing. */
  readonly inside?: (step: 'changes') => void | Promise<void>;
}

/** Writes the changes of one batch and commits its input offsets, atomically. */
export interface ChangeTopicSink {
  /** Throws {@link TransactionAborted} when the transaction could not commit (a rebalance): nothing of it counts. */
  write(batch: Batch<Contribution>, consumer: RdKafka.KafkaConsumer): Promise<void>;
  close(): Promise<void>;
}

/** A transaction of the dedupe stage was aborted: its changes are invisible, its offsets not committed. */
export class TransactionAborted extends Error {}

/**
 * Opens the transactional producer of the dedupe stage. Each batch is one transaction: its
 * changes and rejects, and the next offsets of the orders it read (`sendOffsetsToTransaction`),
 * so that a crash or a rebalance at any point leaves either all of it or none of it; the
 * aggregate stage reads with `isolation.level=read_committed`.
 */
export async function changeTopicSink(options: ChangeTopicSinkOptions): Promise<ChangeTopicSink> {
  const { brokers, changesTopic, ordersTopic, transactionalId, counters, channels, inside = () => {} } = options;
  const Kafka = kafka();
  const producer = new Kafka.Producer({
    ...clientConfig(brokers, transactionalId, { 'linger.ms': 5, 'queue.buffering.max.messages': 1_000_000, 'compression.codec': 'lz4' }),
    'transactional.id': transactionalId,
    // Kept short: an instance killed with a transaction open holds back the readers of the
    // changes topic until the broker aborts it (or the instance comes back).
    'transaction.timeout.ms': 10_000,
  });
  await call<unknown>((done) => producer.connect({}, done));
  producer.setPollInterval(100);
  await call((done) => producer.initTransactions(30_000, done));
  return {
    write: async (batch, consumer) => {
      if (batch.items.length === 0 && batch.rejects.length === 0 && batch.progress.length === 0) return;
      try {
        await call((done) => producer.beginTransaction(done));
        for (const { key, value } of encodeChanges(batch.items, channels)) producer.produce(changesTopic, null, Buffer.from(value), key);
        for (const reject of batch.rejects) {
          const { key, value } = encodeReject(reject);
          producer.produce(changesTopic, null, Buffer.from(value), key);
        }
        await inside('changes');
        const offsets = batch.progress.map(({ partition, next }) => ({ topic: ordersTopic, partition, offset: nextToCommit(next) }));
        await call((done) => producer.sendOffsetsToTransaction(offsets, consumer, 30_000, done));
        await call((done) => producer.commitTransaction(30_000, done));
      } catch (error) {
        const kafkaError = error as Partial<RdKafka.LibrdKafkaError>;
        if (kafkaError.isFatal === true) {
          throw new Error(`Cannot go on: the dedupe stage's producer ${transactionalId} was fenced (${kafkaError.message ?? String(error)}); is another instance running with the same --instance-id?`);
        }
        if (counters !== undefined) counters.commitFailures++;
        await call((done) => producer.abortTransaction(30_000, done)).catch(() => {});
        throw new TransactionAborted(`a transaction of ${transactionalId} was aborted: ${kafkaError.message ?? String(error)}`);
      }
    },
    close: () => call<unknown>((done) => producer.disconnect(done)).then(() => undefined),
  };
}

/** A node-rdkafka callback as a promise that keeps the error's flags (fatal, abortable). */
function call<T = void>(start: (done: (error: RdKafka.LibrdKafkaError | null | undefined, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => start((error, value) => (error ? reject(error) : resolve(value as T))));
}
