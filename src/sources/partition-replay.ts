import { Observable } from 'rxjs';
import type { Batch, RawRecord } from '../core/batch.ts';
import { clientConfig, kafka, promised } from '../kafka/client.ts';
import { readBatch } from '../kafka/read-batch.ts';
import { nextToRead } from '../kafka/offsets.ts';
import { START, type NextOffset } from '../core/positions.ts';

/** Options of {@link replayPartitions}. */
export interface ReplayOptions {
  readonly brokers: string;
  readonly topic: string;
  /** Per partition, the position to read again up to (that offset excluded); a partition at its start is skipped, one at Infinity read to its end now. */
  readonly until: ReadonlyMap<number, NextOffset>;
  /**
   * Per partition, where to begin: where a restored snapshot ends. Default: the start of the
   * partition. A partition whose beginning is at or past its `until` is skipped.
   */
  readonly from?: ReadonlyMap<number, NextOffset>;
  /** Skip the messages of aborted transactions (the changes topic). Default: false. */
  readonly readCommitted?: boolean;
  /** Messages asked for at a time. Default: 5000. */
  readonly batchSize?: number;
}

/**
 * The messages of some partitions from their start (or given offsets) up to given offsets, read without a
 * consumer group: how a stage rebuilds the state of the partitions it was handed, from the log
 * itself (as Kafka Streams restores a store from its changelog). Completes at those offsets.
 */
export function replayPartitions(options: ReplayOptions): Observable<Batch<RawRecord>> {
  const { brokers, topic, readCommitted = false, batchSize = 5000 } = options;
  const source = `replay:${topic}`;
  return new Observable<Batch<RawRecord>>((subscriber) => {
    const from = options.from ?? new Map<number, NextOffset>();
    const wanted = new Map([...options.until].filter(([partition, until]) => until > START && until > (from.get(partition) ?? START)));
    if (wanted.size === 0) {
      subscriber.complete();
      return undefined;
    }
    let closed = false;
    const Kafka = kafka();
    const client = new Kafka.KafkaConsumer(
      {
        ...clientConfig(brokers, `tradeflow-replay-${topic}`),
        // Never used to join or commit: only assign() is called. librdkafka wants one anyway.
        'group.id': 'tradeflow-replay',
        'enable.auto.commit': false,
        'enable.partition.eof': true,
        'isolation.level': readCommitted ? 'read_committed' : 'read_uncommitted',
        'fetch.wait.max.ms': 50,
      },
      { 'auto.offset.reset': 'earliest' },
    );
    const read = async (): Promise<void> => {
      await promised<unknown>((done) => client.connect({ topic }, done));
      const left = new Set(wanted.keys());
      client.on('partition.eof', ({ partition, offset }) => {
        // The end (or the last stable offset) is at or past the wanted position: nothing more to wait for.
        const until = wanted.get(partition);
        if (until === undefined || until === Infinity || offset >= until) left.delete(partition);
      });
      client.assign([...wanted.keys()].map((partition) => ({ topic, partition, offset: from.get(partition) ?? -2 })));
      client.setDefaultConsumeTimeout(100);
      while (left.size > 0 && !closed) {
        const batch = await readBatch(client, {
          source,
          size: batchSize,
          keep: (partition, offset) => {
            const until = wanted.get(partition);
            if (until === undefined || offset >= until || offset < (from.get(partition) ?? START)) return false;
            if (nextToRead({ offset }) === until) left.delete(partition);
            return true;
          },
          undecodable: { config: clientConfig(brokers, `tradeflow-replay-${topic}`), topic, from: () => new Map([...left].map((p) => [p, -2])) },
        });
        if (batch.items.length > 0) subscriber.next(batch);
      }
    };
    read().then(
      () => subscriber.complete(),
      (error: unknown) => subscriber.error(error),
    ).finally(() => {
      if (client.isConnected()) client.disconnect();
    });
    return () => {
      closed = true;
    };
  });
}
