import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { produceLines } from '../kafka/produce-lines.ts';
import { formatCount, formatDuration } from '../core/format.ts';
import type { CommandIO } from './command-io.ts';
import { helpText, readOptions, UsageError, wholeNumber, type OptionSpec } from './options.ts';
import { KAFKA_CONFIG_OPTION, kafkaPropertiesHelp, readKafkaConnection, splitKafkaArgs, withKafka } from './kafka-options.ts';

const PRODUCE_OPTIONS: readonly OptionSpec[] = [
  { name: 'file', type: 'string', value: 'PATH', description: 'the recorded stream (.jsonl), one order per line' },
  { name: 'brokers', type: 'string', value: 'HOST:PORT[,..]', description: 'the bootstrap brokers', default: '127.0.0.1:9092' },
  { name: 'topic', type: 'string', value: 'NAME', description: 'the orders topic', default: 'trade_order_detail_info' },
  { name: 'rate', type: 'string', value: 'N', description: 'at most N messages per second (default: as fast as possible)' },
  { name: 'loop', type: 'boolean', description: 'start the file again at its end, until Ctrl-C' },
  KAFKA_CONFIG_OPTION,
];

/** `tradeflow produce`: replays a recorded stream into Kafka, each message keyed by its order id. */
export async function produceCommand(args: readonly string[], io: CommandIO): Promise<number> {
  const { rest, assignments } = splitKafkaArgs(args);
  const options = readOptions('produce', rest, PRODUCE_OPTIONS, io.env);
  if (options.has('help')) {
    io.stdout(helpText('tradeflow produce --file PATH [options]', 'Sends a recorded order stream to Kafka (the tutorial\'s step 5.5), keyed by order_id so that all versions of an order share a partition.', PRODUCE_OPTIONS) + kafkaPropertiesHelp());
    return 0;
  }
  const connection = readKafkaConnection(assignments, options, rest, io);
  const file = options.get('file');
  if (file === undefined) throw new UsageError('--file is required, e.g. --file spec/fixtures/orders-sample.jsonl');
  if (!existsSync(String(file))) throw new UsageError(`--file: no such file "${String(file)}"`);
  const rate = wholeNumber('rate', options.get('rate'));
  const loop = options.get('loop') === true;
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  const started = performance.now();
  async function* lines(): AsyncGenerator<string> {
    do {
      for await (const line of createInterface({ input: createReadStream(String(file)), crlfDelay: Infinity })) yield line;
    } while (loop && !stop.signal.aborted);
  }
  try {
    const delivered = await withKafka(connection, () => produceLines(lines(), {
      brokers: connection.brokers,
      topic: String(options.get('topic')),
      ...(rate !== undefined && { rate }),
      signal: stop.signal,
      onProgress: (n) => io.log.info(`produce: ${formatCount(n)} messages delivered (${formatCount(n / ((performance.now() - started) / 1000))}/s)`, { topic: String(options.get('topic')), delivered: n, elapsedMs: Math.round(performance.now() - started) }),
    }));
    io.stdout(`produced ${formatCount(delivered)} messages to ${String(options.get('topic'))} in ${formatDuration(performance.now() - started)}`);
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
  return 0;
}
