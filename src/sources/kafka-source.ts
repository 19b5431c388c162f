import { SILENT_LOGGER, type Logger } from '../core/log.ts';
import { Observable } from 'rxjs';
import type * as RdKafka from 'node-rdkafka';
import { uncounted, type Batch, type KafkaCounters, type RawRecord, type SourceOffset } from '../core/batch.ts';
import { clientConfig, kafka, promised } from '../kafka/client.ts';
import { readBatch } from '../kafka/read-batch.ts';
import { missingTopic } from '../kafka/topics.ts';
import { nextToCommit } from '../kafka/offsets.ts';
import type { NextOffset } from '../core/positions.ts';
import type { EdgeStartup } from '../kafka/startup.ts';
import type { FlowControl, OrderSource } from './order-source.ts';

/** Options of {@link kafkaSource}. */
export interface KafkaSourceOptions {
  /** `host:port[,host:port]`. */
  readonly brokers: string;
  readonly topic: string;
  /** The consumer group; its committed offsets follow the rows written. */
  readonly group: string;
  /** Where a partition not in `resumeFrom` begins (a `--startup` timestamp is resolved to `resumeFrom` before). */
  readonly startup: EdgeStartup;
  /**
   * Stop once every partition of the topic has been read to the end it had at the start (as
   * `kcat -e`): for replays and backfills by one process. Default: false.
   */
  readonly exitAtEnd?: boolean;
  /**
   * The consumer's static group membership (`group.instance.id`): a process restarted with the
   * same id takes its partitions back at once, instead of waiting for the dead one to time out
   * while the group runs without it. Default: none (dynamic membership).
   */
  readonly instanceId?: string;
  /** Messages asked for at a time. Default: 1000. */
  readonly batchSize?: number;
  /** Where to go on per partition (next offset to read), from a checkpoint; wins over `startup`. */
  readonly resumeFrom?: ReadonlyMap<number, NextOffset>;
  /** One line per event worth telling (assignments, pauses). Default: nothing. */
  readonly log?: Logger;
  /** Where rebalances and refused commits are counted. Default: nowhere. */
  readonly counters?: KafkaCounters;
}

/**
 * How long the run may hold the next batch back before the partitions are paused. A pause throws
 * away what librdkafka has fetched ahead, so a wait of the ordinary kind (a write finishing, a
 * reading thread's batch) must not cause one: paused at every such wait, a run with reading
 * threads read 0.38 of the bare consumer's rate, against 0.86 on one thread.
 */
export const PAUSE_AFTER_MS = 1000;

/** Whether `waiting` resolves within `ms` (at once, without a timer, when it already has). */
async function readyWithin(waiting: Promise<void>, ms: number): Promise<boolean> {
  const ready = waiting.then(() => true);
  if (await Promise.race([ready, new Promise<boolean>((resolve) => setImmediate(() => resolve(false)))])) return true;
  let timer: NodeJS.Timeout | undefined;
  const later = await Promise.race([ready, new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)))]);
  clearTimeout(timer);
  return later;
}

/**
 * Orders from a Kafka topic, consumed in batches by a consumer group. Offsets are committed only
 * through {@link OrderSource.commit}, after the rows that include them are written; while the
 * sink is behind (the run not ready for more for {@link PAUSE_AFTER_MS}), the assigned
 * partitions are paused.
 */
export function kafkaSource(options: KafkaSourceOptions): OrderSource & { close(): Promise<void> } {
  const { brokers, topic, group, startup, exitAtEnd = false, batchSize = 1000, resumeFrom, instanceId, log = SILENT_LOGGER, counters = uncounted() } = options;
  const name = `kafka:${topic}`;
  const position = new Map<number, NextOffset>(); // per assigned partition
  let consumer: RdKafka.KafkaConsumer | undefined;
  let read = 0;
  let lastCommitWarning = -Infinity;

  const offsetFor = (partition: number): number => {
    const resume = resumeFrom?.get(partition);
    if (resume !== undefined) return nextToCommit(resume);
    return startup.kind === 'earliest' ? -2 : -1; // OFFSET_BEGINNING, OFFSET_END
  };

  return {
    name,
    batches: (flow) =>
      new Observable<Batch<RawRecord>>((subscriber) => {
        const stopped = new AbortController();
        consume(flow, stopped.signal, (batch) => subscriber.next(batch)).then(
          () => subscriber.complete(),
          (error: unknown) => subscriber.error(error),
        );
        return () => stopped.abort();
      }),
    commit: async (progress: readonly SourceOffset[]) => {
      const assigned = new Set(consumer?.assignments().map((a) => a.partition));
      const offsets = progress.filter((p) => assigned.has(p.partition)).map((p) => ({ topic, partition: p.partition, offset: nextToCommit(p.next) }));
      if (consumer === undefined || offsets.length === 0) return;
      try {
        consumer.commitSync(offsets);
      } catch (error) {
        counters.commitFailures++;
        // No coordinator (a broker restarting): the next flush commits these offsets too; until
        // then a restart re-reads a little, which the dedupe and the upsert make harmless.
        const now = performance.now();
        if (now - lastCommitWarning > 10_000) {
          lastCommitWarning = now;
          log.warn(`offsets not committed yet (${error instanceof Error ? error.message : String(error)}); retried with the next flush`, { topic, group });
        }
      }
    },
    describeProgress: () => `${read.toLocaleString('en-US')} messages from ${topic}`,
    lag: () => {
      const client = consumer;
      if (client === undefined || !client.isConnected()) return [];
      return client.assignments().flatMap(({ partition }) => {
        const next = position.get(partition);
        if (next === undefined) return [];
        try {
          // The watermarks librdkafka already has from fetching: no request to the broker.
          return [{ partition, messages: Math.max(0, client.getWatermarkOffsets(topic, partition).highOffset - next) }];
        } catch {
          return [];
        }
      });
    },
    close: async () => {
      const client = consumer;
      consumer = undefined;
      if (client?.isConnected()) await promised<unknown>((done) => client.disconnect(done));
    },
  };

  async function consume(flow: FlowControl, stopped: AbortSignal, emit: (batch: Batch<RawRecord>) => void): Promise<void> {
    const endAt = new Map<number, number>();
    const finished = new Set<number>();
    let assignedOnce = false;
    let topicPartitions = 0;
    const Kafka = kafka();
    const client = new Kafka.KafkaConsumer(
      {
        ...clientConfig(brokers, `tradeflow-${group}`),
        'group.id': group,
        'enable.auto.commit': false,
        'enable.partition.eof': exitAtEnd,
        'max.poll.interval.ms': 600_000,
        'session.timeout.ms': 10_000,
        ...(instanceId !== undefined && { 'group.instance.id': instanceId }),
        'fetch.wait.max.ms': 100,
        rebalance_cb: (error: RdKafka.LibrdKafkaError, assignment: RdKafka.TopicPartition[]) => {
          if (error.code === Kafka.CODES.ERRORS.ERR__ASSIGN_PARTITIONS) {
            const withOffsets = assignment.map((a) => ({ ...a, offset: offsetFor(a.partition) }));
            client.assign(withOffsets);
            assignedOnce = true;
            counters.rebalanceAssigns++;
            log.info(`assigned ${topic} partitions ${assignment.map((a) => a.partition).join(', ')}`, { topic, group, partitions: assignment.map((a) => a.partition) });
            if (assignment.length < topicPartitions) {
              // One process computes each day's figures from every partition: with a share
              // only, it would write partial sums over the other member's rows.
              log.warn(
                `this run owns ${assignment.length} of the ${topicPartitions} partitions of ${topic}; another member of group ${group} ` +
                  '(a second process, or one that died and has not timed out yet) has the rest, and both would write partial figures. ' +
                  'Run one process per group, or scale out with --stage both (README: Operating at scale)',
              );
            }
          } else {
            // Everything written is committed already; what was read but not yet written is read
            // again by the next owner, which the upsert and the dedupe make harmless.
            client.unassign();
            counters.rebalanceRevokes++;
            for (const a of assignment) position.delete(a.partition);
            log.info(`revoked ${topic} partitions ${assignment.map((a) => a.partition).join(', ')}`, { topic, group, partitions: assignment.map((a) => a.partition) });
          }
        },
      },
      { 'auto.offset.reset': startup.kind === 'latest' ? 'latest' : 'earliest' },
    );
    consumer = client;
    await promised<unknown>((done) => client.connect({ topic }, done));
    client.setDefaultConsumeTimeout(200);
    let partitions: number[] = [];
    try {
      const metadata = await promised<RdKafka.Metadata>((done) => client.getMetadata({ topic, timeout: 10_000 }, done));
      partitions = metadata.topics.find((t) => t.name === topic)?.partitions.map((p) => p.id) ?? [];
    } catch (error) {
      if (exitAtEnd) throw error; // it needs the partitions; the rest only warns with them
    }
    topicPartitions = partitions.length;
    if (exitAtEnd) {
      if (partitions.length === 0) throw missingTopic(topic, brokers);
      for (const partition of partitions) endAt.set(partition, (await promised<RdKafka.WatermarkOffsets>((done) => client.queryWatermarkOffsets(topic, partition, 10_000, done))).highOffset);
    }
    if (exitAtEnd) {
      client.on('partition.eof', ({ partition, offset }) => {
        if (offset >= (endAt.get(partition) ?? 0)) finished.add(partition);
      });
    }
    client.subscribe([topic]);
    // Every partition of the topic, not only those assigned now: after a crash the group may
    // still count the dead process as a member for a while and hand this one only some of them.
    const allDone = (): boolean =>
      exitAtEnd && assignedOnce && [...endAt].every(([partition, end]) => finished.has(partition) || (position.get(partition) ?? -1) >= end);
    // The next batch is asked for as soon as one arrives, so that librdkafka's thread fetches
    // while this one is processed.
    const consumeBatch = (): Promise<Batch<RawRecord>> => {
      const batch = readBatch(client, {
        source: name,
        size: batchSize,
        onError: (error) => {
          if (error.isFatal) return Promise.reject(new Error(`Cannot consume ${topic}: ${error.message}`));
          // A broker restarting or out of reach: librdkafka reconnects by itself; ask again soon.
          log.warn(`kafka: ${error.message}; retrying`, { topic, group });
          return new Promise((resolve) => setTimeout(() => resolve([]), 500));
        },
        // A codec this build lacks: never skipped (orders would be lost), never retried for ever.
        undecodable: { config: clientConfig(brokers, `tradeflow-${group}`), topic, from: nextOffsets },
      });
      batch.catch(() => {}); // thrown where it is awaited, in order, not while the sink is behind
      return batch;
    };
    let next = consumeBatch();
    let lastPauseLog = -Infinity;
    while (!stopped.aborted && !flow.signal.aborted && !allDone()) {
      const waiting = flow.ready();
      if (!(await readyWithin(waiting, PAUSE_AFTER_MS))) {
        const paused = client.assignments().map(({ topic: t, partition }) => ({ topic: t, partition }));
        client.pause(paused);
        counters.sourcePauses++;
        if (performance.now() - lastPauseLog > 10_000) {
          lastPauseLog = performance.now();
          log.info('the sink is behind: partitions paused until it catches up', { topic, group });
        }
        await waiting;
        client.resume(paused);
      }
      const batch = await next;
      next = consumeBatch();
      if (batch.items.length === 0) continue;
      for (const { partition, next: after } of batch.progress) position.set(partition, after);
      read += batch.items.length;
      emit(batch);
    }
    // A batch asked for but not taken is read again next time: nothing of it was committed.
    await next.catch(() => undefined);

    /** Per assigned partition, the next offset not read (the earliest there is, for one not read yet). */
    async function nextOffsets(): Promise<Map<number, number>> {
      const offsets = new Map<number, number>();
      for (const { partition } of client.assignments()) {
        const known = position.get(partition);
        const low = known ?? (await promised<RdKafka.WatermarkOffsets>((done) => client.queryWatermarkOffsets(topic, partition, 10_000, done)).catch(() => undefined))?.lowOffset;
        if (low !== undefined) offsets.set(partition, low);
      }
      return offsets;
    }
  }
}
