/**
 * End to end on the local stack: orders from a pre-filled 3-partition topic into MariaDB,
 * beside a node-rdkafka consumer that only counts the same messages (the client's ceiling),
 * and the latency from produce to committed row at a fixed produce rate.
 */
import { createInterface } from 'node:readline';
import { createReadStream } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tap } from 'rxjs';
import type * as RdKafka from 'node-rdkafka';
import knex from 'knex';
import { createCounters } from '../src/core/batch.ts';
import { MAX_MESSAGE_BYTES } from '../src/core/reject.ts';
import { clientConfig, kafka, promised } from '../src/kafka/client.ts';
import { produceLines } from '../src/kafka/produce-lines.ts';
import { createTopic } from '../src/kafka/topics.ts';
import { openDatabase, parseDatabase } from '../src/db/connect.ts';
import { migrateToLatest } from '../src/db/migration-source.ts';
import { runPipeline } from '../src/runtime/run-pipeline.ts';
import { databaseSink } from '../src/sinks/database-sink.ts';
import { kafkaSource } from '../src/sources/kafka-source.ts';
import type { OrderSource } from '../src/sources/order-source.ts';
import { readPool, type ReadPool } from '../src/workers/read-pool.ts';
import { BENCH_DAY } from './recorded-file.ts';

const BROKERS = '127.0.0.1:9092';
const DB = 'tradeflow_bench';

async function* linesOf(file: string): AsyncGenerator<string> {
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) yield line;
}

/** A fresh topic of `partitions` partitions filled with the file's lines; returns its name and message count. */
export async function filledTopic(file: string, partitions = 3): Promise<{ topic: string; messages: number }> {
  const topic = `bench-${randomBytes(4).toString('hex')}`;
  await createTopic(BROKERS, topic, partitions);
  const messages = await produceLines(linesOf(file), { brokers: BROKERS, topic });
  return { topic, messages };
}

/** Messages/s of a consumer that only counts: from the first message to the last. */
export async function rawConsumerRate(topic: string, messages: number): Promise<number> {
  const Kafka = kafka();
  const consumer = new Kafka.KafkaConsumer({ ...clientConfig(BROKERS, 'bench-raw'), 'group.id': `raw-${topic}`, 'enable.auto.commit': false, 'fetch.wait.max.ms': 100 }, { 'auto.offset.reset': 'earliest' });
  await promised((done) => consumer.connect({ topic }, done));
  consumer.setDefaultConsumeTimeout(200);
  consumer.subscribe([topic]);
  let seen = 0;
  let first = 0;
  while (seen < messages) {
    const batch = await promised<RdKafka.Message[]>((done) => consumer.consume(1000, done));
    if (batch.length > 0 && first === 0) first = performance.now();
    seen += batch.length;
  }
  const rate = (seen / (performance.now() - first)) * 1000;
  await promised((done) => consumer.disconnect(done));
  return rate;
}

/** Drops and creates a benchmark database on the local MariaDB; returns its URL. */
export async function freshDatabase(name = DB): Promise<string> {
  const admin = knex({ client: 'mysql2', connection: { host: '127.0.0.1', port: 3306, user: 'root' } });
  await admin.raw(`DROP DATABASE IF EXISTS ${name}`);
  await admin.raw(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci`);
  await admin.destroy();
  return `mysql://root@127.0.0.1:3306/${name}`;
}

/** The reading threads of a run with `workers` workers (none for 1), as `tradeflow run --workers` makes them. */
function readingThreads(workers: number): ReadPool | undefined {
  return workers > 1 ? readPool({ threads: workers - 1, zone: 'UTC', maxRecordBytes: MAX_MESSAGE_BYTES }) : undefined;
}

/** Orders/s of the whole pipeline from the topic into MariaDB, with `workers` workers: from the first batch to the last row committed. */
export async function pipelineRate(topic: string, workers = 1): Promise<number> {
  const db = openDatabase(parseDatabase(await freshDatabase()));
  await migrateToLatest(db);
  const counters = createCounters();
  const source = kafkaSource({ brokers: BROKERS, topic, group: `pipe-${topic}`, startup: { kind: 'earliest' }, exitAtEnd: true });
  let first = 0;
  const timed: OrderSource = { ...source, batches: (flow) => source.batches(flow).pipe(tap(() => (first ||= performance.now()))) };
  const reading = readingThreads(workers);
  await runPipeline({ source: timed, sink: databaseSink(db, { counters, formatTime: (ms) => new Date(ms).toISOString() }), days: { kind: 'fixed', day: BENCH_DAY }, zone: 'UTC', counters, ...(reading && { reading }) });
  const rate = (counters.read / (performance.now() - first)) * 1000;
  await reading?.close();
  await source.close();
  await db.destroy();
  return rate;
}

/** Latency from produce to committed row (p50, p99, ms) while producing at `rate` messages/s for `seconds`, with `workers` workers. */
export async function latencyAtRate(file: string, rate: number, seconds: number, workers = 1): Promise<{ p50: number; p99: number }> {
  const reading = readingThreads(workers);
  const topic = `bench-${randomBytes(4).toString('hex')}`;
  await createTopic(BROKERS, topic, 3);
  const db = openDatabase(parseDatabase(await freshDatabase()));
  await migrateToLatest(db);
  const counters = createCounters();
  const stop = new AbortController();
  const source = kafkaSource({ brokers: BROKERS, topic, group: `lat-${topic}`, startup: { kind: 'earliest' } });
  // Per partition, the messages read and not yet written, in offset order.
  const waiting = new Map<number, { offset: number; timestamp: number }[]>();
  const heads = new Map<number, number>();
  const latencies: number[] = [];
  const timed: OrderSource = {
    ...source,
    batches: (flow) =>
      source.batches(flow).pipe(
        tap((batch) => {
          for (const record of batch.items) {
            if (record.timestamp === undefined) continue;
            let queue = waiting.get(record.partition);
            if (queue === undefined) waiting.set(record.partition, (queue = []));
            queue.push({ offset: record.offset, timestamp: record.timestamp });
          }
        }),
      ),
  };
  const running = runPipeline({
    source: timed,
    sink: databaseSink(db, { counters, formatTime: (ms) => new Date(ms).toISOString() }),
    days: { kind: 'fixed', day: BENCH_DAY },
    zone: 'UTC',
    counters,
    ...(reading && { reading }),
    signal: stop.signal,
    onFlush: (flush) => {
      const now = Date.now();
      for (const { partition, next } of flush.progress) {
        const queue = waiting.get(partition) ?? [];
        let head = heads.get(partition) ?? 0;
        for (; head < queue.length && queue[head]!.offset < next; head++) latencies.push(now - queue[head]!.timestamp);
        heads.set(partition, head);
      }
    },
  });
  async function* paced(): AsyncGenerator<string> {
    let sent = 0;
    for await (const line of linesOf(file)) {
      if (sent++ >= rate * seconds) return;
      yield line;
    }
  }
  await new Promise((resolve) => setTimeout(resolve, 4000)); // the consumer has joined its group
  await produceLines(paced(), { brokers: BROKERS, topic, rate });
  await new Promise((resolve) => setTimeout(resolve, 2500));
  stop.abort();
  await running;
  await reading?.close();
  await source.close();
  await db.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return { p50: at(0.5), p99: at(0.99) };
}
