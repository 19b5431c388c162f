import type * as RdKafka from 'node-rdkafka';
import { clientConfig, kafka, promised } from './client.ts';

/** Options of {@link produceLines}. */
export interface ProduceOptions {
  readonly brokers: string;
  readonly topic: string;
  /** Messages per second at most. Default: as fast as the broker takes them. */
  readonly rate?: number;
  /** Stops producing. */
  readonly signal?: AbortSignal;
  /** Called about once a second with the messages delivered so far. */
  readonly onProgress?: (delivered: number) => void;
}

const ORDER_ID = /"order_id"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d+)/;

/** The Kafka key of an order line: its `order_id` as text, so all versions share a partition. */
export function orderKey(line: string): string | null {
  const match = ORDER_ID.exec(line);
  if (match === null || match[1] === undefined) return null;
  const raw = match[1];
  if (!raw.startsWith('"')) return raw;
  try {
    return JSON.parse(raw) as string;
  } catch {
    return null;
  }
}

/** Produces each line as one message keyed by its order id; resolves with the number delivered. */
export async function produceLines(lines: AsyncIterable<string> | Iterable<string>, options: ProduceOptions): Promise<number> {
  const { brokers, topic, rate, signal, onProgress } = options;
  const Kafka = kafka();
  const producer = new Kafka.Producer({
    ...clientConfig(brokers, 'tradeflow-produce', { 'compression.codec': 'lz4', 'linger.ms': 10, 'batch.num.messages': 10_000, 'queue.buffering.max.messages': 200_000 }),
    dr_cb: true,
    'enable.idempotence': true, // keeps each partition's order even when a send is retried
  });
  let delivered = 0;
  let failed = 0;
  let failure: Error | undefined;
  producer.on('delivery-report', (error: RdKafka.LibrdKafkaError | null) => {
    if (error) {
      failed += 1;
      failure ??= new Error(`Cannot deliver to ${topic}: ${error.message}`);
    } else delivered += 1;
  });
  await promised((done) => producer.connect({ topic, timeout: 10_000 }, done));
  producer.setPollInterval(50);
  const started = performance.now();
  let sent = 0;
  let lastReport = started;
  const reportEachSecond = (): void => {
    if (performance.now() - lastReport < 1000) return;
    lastReport = performance.now();
    onProgress?.(delivered);
  };
  try {
    for await (const line of lines) {
      if (signal?.aborted || failure) break;
      if (line.trim() === '') continue;
      for (;;) {
        try {
          producer.produce(topic, null, Buffer.from(line), orderKey(line), Date.now());
          break;
        } catch (error) {
          if (!(error instanceof Error) || !/queue full/i.test(error.message)) throw error;
          producer.poll();
          await pause(20);
        }
      }
      sent += 1;
      if (rate !== undefined) {
        const due = started + (sent / rate) * 1000;
        const wait = due - performance.now();
        if (wait > 1) await pause(wait);
      } else if (sent % 5000 === 0) {
        await pause(0); // let delivery reports and signals in
      }
      reportEachSecond();
    }
    // Every message is answered within librdkafka's message.timeout.ms (5 minutes by default),
    // delivered or failed, a broker that is away meanwhile included: wait for every answer (the
    // progress goes on each second; Ctrl-C stops), not for a shorter time of our own, which failed
    // a produce whose broker was restarting.
    while (delivered + failed < sent && !signal?.aborted) {
      // A flush that times out is only the next round; the answers reach JS through poll().
      await promised<void>((done) => producer.flush(1000, () => done(null, undefined)));
      producer.poll();
      reportEachSecond();
    }
  } finally {
    await promised((done) => producer.disconnect(done));
  }
  if (failure) throw failure;
  return delivered;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
