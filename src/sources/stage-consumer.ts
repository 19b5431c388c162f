import { SILENT_LOGGER, type Logger } from '../core/log.ts';
import { Observable } from 'rxjs';
import type * as RdKafka from 'node-rdkafka';
import { uncounted, type Batch, type KafkaCounters, type RawRecord, type SourceOffset } from '../core/batch.ts';
import { clientConfig, kafka, promised } from '../kafka/client.ts';
import { readBatch } from '../kafka/read-batch.ts';
import { committedToNext, nextToCommit, nextToRead } from '../kafka/offsets.ts';
import { START, type NextOffset } from '../core/positions.ts';
import { firstLineOf } from '../core/first-line.ts';

/** Options of {@link stageConsumer}. */
export interface StageConsumerOptions {
  readonly brokers: string;
  readonly topic: string;
  readonly group: string;
  /** Static group membership: a restarted instance takes its partitions back at once. */
  readonly instanceId: string;
  /** Messages asked for at a time (a batch is one transaction of the dedupe stage). Default: 10000. */
  readonly batchSize?: number;
  /** One line per event worth telling (assignments). Default: nothing. */
  readonly log?: Logger;
  /**
   * Runs when partitions are revoked, before they are let go: the group cannot hand them to
   * another instance until it resolves, so a transaction in flight commits (or aborts) while
   * this instance still owns what it covers (Kafka Streams commits in onPartitionsRevoked for
   * the same reason). Default: nothing to wait for.
   */
  readonly beforeRevoke?: () => Promise<void>;
  /** Where rebalances and refused commits are counted. Default: nowhere. */
  readonly counters?: KafkaCounters;
}

/** The partitions a stage owns now; `generation` changes with every rebalance. */
export interface Assignment {
  readonly generation: number;
  readonly partitions: readonly number[];
}

/** A consumer-group member of one stage: it owns some partitions until the next rebalance. */
export interface StageConsumer {
  /** The librdkafka consumer, for `sendOffsetsToTransaction`. */
  readonly client: RdKafka.KafkaConsumer;
  /** The partitions owned now. */
  assignment(): Assignment;
  /** Resolves once some partitions are owned (or the signal aborts). */
  assigned(signal: AbortSignal): Promise<Assignment>;
  /** Per partition, the position the group has committed (the start when none). */
  committed(partitions: readonly number[]): Promise<Map<number, NextOffset>>;
  /**
   * The messages of the owned partitions from `from` (next offset per partition), in batches,
   * each emitted only once `ready()` resolves. Errors with {@link AssignmentChanged} at the next
   * rebalance, so that nothing read for partitions that moved is acted on.
   */
  batches(assignment: Assignment, from: ReadonlyMap<number, NextOffset>, ready: () => Promise<void>, signal: AbortSignal): Observable<Batch<RawRecord>>;
  /** Commits these positions for the group; a failure only waits for the next commit. */
  commit(progress: readonly SourceOffset[]): void;
  close(): Promise<void>;
}

/** The partitions of a stage moved: its state must be rebuilt for the new ones. */
export class AssignmentChanged extends Error {
  constructor(topic: string) {
    super(`the partitions of ${topic} were reassigned`);
  }
}

/** Connects a consumer-group member for one stage of a scaled-out run. */
export async function stageConsumer(options: StageConsumerOptions): Promise<StageConsumer> {
  const { brokers, topic, group, instanceId, batchSize = 10_000, log = SILENT_LOGGER, beforeRevoke = () => Promise.resolve(), counters = uncounted() } = options;
  const Kafka = kafka();
  let current: Assignment = { generation: 0, partitions: [] };
  const waiters = new Set<() => void>();
  // Set by close(): the revoke in progress (waiting for a write in flight) finishes before the
  // consumer disconnects, and librdkafka's refusals while it leaves are not worth a warning.
  let closing = false;
  let revoking: Promise<void> = Promise.resolve();
  /** Runs an assign or unassign; librdkafka refuses one in an erroneous state (a consumer closing): said, not thrown out of its callback. */
  const settle = (act: () => void, what: string): boolean => {
    try {
      act();
      return true;
    } catch (failure) {
      if (!closing) log.warn(`${group}: Cannot ${what} ${topic} partitions: ${firstLineOf(failure)}`, { group, topic });
      return false;
    }
  };
  const client = new Kafka.KafkaConsumer(
    {
      ...clientConfig(brokers, `tradeflow-${instanceId}`),
      'group.id': group,
      'group.instance.id': instanceId,
      'enable.auto.commit': false,
      // Also makes committed() wait for the offsets of open transactions (KIP-447).
      'isolation.level': 'read_committed',
      'session.timeout.ms': 10_000,
      'max.poll.interval.ms': 600_000,
      'fetch.wait.max.ms': 100,
      rebalance_cb: (error: RdKafka.LibrdKafkaError, assignment: RdKafka.TopicPartition[]) => {
        const partitions = assignment.map((a) => a.partition).sort((a, b) => a - b);
        if (error.code === Kafka.CODES.ERRORS.ERR__ASSIGN_PARTITIONS) {
          if (!settle(() => client.assign(assignment), 'assign')) return;
          counters.rebalanceAssigns++;
          current = { generation: current.generation + 1, partitions };
          log.info(`${group} assigned ${topic} partitions ${partitions.join(', ')}`, { group, topic, partitions });
          for (const wake of waiters) wake();
        } else {
          // A new generation at once: no write starts for the old one from here on.
          counters.rebalanceRevokes++;
          current = { generation: current.generation + 1, partitions: [] };
          log.info(`${group} revoked ${topic} partitions ${partitions.join(', ')}: let go once the write in flight is done`, { group, topic, partitions });
          revoking = beforeRevoke()
            .catch(() => {})
            .finally(() => {
              if (client.isConnected()) settle(() => client.unassign(), 'unassign');
            });
        }
      },
    },
    { 'auto.offset.reset': 'earliest' },
  );
  await promised<unknown>((done) => client.connect({ topic }, done));
  client.setDefaultConsumeTimeout(100);
  client.subscribe([topic]);
  // The group only forms while the consumer polls: keep a poll going until a stage reads.
  // What it reads meanwhile is dropped: a stage assigns explicit offsets before it reads.
  let readers = 0;
  let idlePoll: Promise<unknown> = Promise.resolve();
  const idle = setInterval(() => {
    if (readers === 0) idlePoll = new Promise((done) => client.consume(1, done));
  }, 200);
  // The read loop of the epoch before, which may still be inside a consume() when the next
  // epoch starts: whatever it takes after the next assign() would be dropped, and lost.
  let lastReader: Promise<void> = Promise.resolve();
  return {
    client,
    assignment: () => current,
    assigned: (signal) =>
      new Promise((resolve) => {
        const check = (): void => {
          if (current.partitions.length === 0 && !signal.aborted) return;
          waiters.delete(check);
          signal.removeEventListener('abort', check);
          resolve(current);
        };
        waiters.add(check);
        signal.addEventListener('abort', check);
        check();
      }),
    committed: async (partitions) => {
      const found = await promised<RdKafka.TopicPartitionOffset[]>((done) => client.committed(partitions.map((partition) => ({ topic, partition })), 30_000, done));
      return new Map(found.map(({ partition, offset }) => [partition, committedToNext(offset)]));
    },
    batches: (assignment, from, ready, signal) =>
      new Observable<Batch<RawRecord>>((subscriber) => {
        const next = new Map(from);
        const changed = (): boolean => current.generation !== assignment.generation;
        let stopped = false;
        const read = async (): Promise<void> => {
          readers += 1;
          await lastReader;
          await idlePoll; // a message it takes after the assign below would be lost
          // Start exactly where the rebuilt state ends, whatever librdkafka had fetched before.
          client.assign(assignment.partitions.map((partition) => ({ topic, partition, offset: nextToCommit(next.get(partition) ?? START) })));
          while (!stopped && !signal.aborted) {
            await ready();
            if (stopped) break;
            if (changed()) throw new AssignmentChanged(topic);
            const batch = await readBatch(client, {
              source: `kafka:${topic}`,
              size: batchSize,
              keep: (partition, offset) => {
                const expected = next.get(partition);
                if (expected === undefined || offset < expected) return false; // not ours, or read already
                next.set(partition, nextToRead({ offset }));
                return true;
              },
              undecodable: { config: clientConfig(brokers, `tradeflow-${instanceId}`), topic, from: () => next },
            });
            if (changed()) throw new AssignmentChanged(topic);
            if (batch.items.length > 0 && !stopped) subscriber.next(batch);
          }
        };
        const reader = read().finally(() => (readers -= 1));
        lastReader = reader.then(
          () => undefined,
          () => undefined,
        );
        reader.then(
          () => subscriber.complete(),
          (error: unknown) => subscriber.error(error),
        );
        return () => {
          stopped = true;
        };
      }),
    commit: (progress) => {
      const owned = new Set(current.partitions);
      const offsets = progress.filter((p) => owned.has(p.partition)).map((p) => ({ topic, partition: p.partition, offset: nextToCommit(p.next) }));
      if (offsets.length === 0) return;
      try {
        client.commitSync(offsets);
      } catch {
        counters.commitFailures++;
        // The next flush commits further offsets anyway; these are only a hint for lag tools.
      }
    },
    close: async () => {
      closing = true;
      clearInterval(idle);
      await revoking;
      if (client.isConnected()) await promised<unknown>((done) => client.disconnect(done));
    },
  };
}
