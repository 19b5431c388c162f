import { changesTopicOf, createTopic, type TopicOutcome } from '../kafka/topics.ts';
import type { CommandIO } from './command-io.ts';
import { helpText, readOptions, UsageError, wholeNumber, type OptionSpec } from './options.ts';
import { KAFKA_CONFIG_OPTION, kafkaPropertiesHelp, readKafkaConnection, splitKafkaArgs, withKafka } from './kafka-options.ts';

const TOPIC_OPTIONS: readonly OptionSpec[] = [
  { name: 'brokers', type: 'string', value: 'HOST:PORT[,..]', description: 'the bootstrap brokers', default: '127.0.0.1:9092' },
  { name: 'topic', type: 'string', value: 'NAME', description: 'the topic', default: 'trade_order_detail_info' },
  { name: 'partitions', type: 'string', value: 'N', description: 'partitions of a new topic', default: '1' },
  { name: 'stages-of', type: 'string', value: 'GROUP', description: 'also the changes topic of a scaled-out run (--stage) of this group, with as many partitions as the orders topic has' },
  { name: 'replication', type: 'string', value: 'N', description: 'replicas of each partition', default: '1' },
  KAFKA_CONFIG_OPTION,
];

/** `tradeflow topic create`: makes a topic, so that nobody needs Kafka's own scripts. */
export async function topicCommand(args: readonly string[], io: CommandIO): Promise<number> {
  const [action, ...given] = args;
  const { rest, assignments } = splitKafkaArgs(given);
  const options = readOptions('topic create', rest, TOPIC_OPTIONS, io.env);
  if (action !== 'create' || options.has('help')) {
    if (action !== 'create' && action !== '--help' && action !== undefined) throw new UsageError(`topic: unknown action "${action}" (the action is: create)`);
    io.stdout(helpText('tradeflow topic create [options]', 'Creates a Kafka topic; an existing one is left as it is.', TOPIC_OPTIONS) + kafkaPropertiesHelp());
    return 0;
  }
  const connection = readKafkaConnection(assignments, options, rest, io);
  const topic = String(options.get('topic'));
  const partitions = wholeNumber('partitions', options.get('partitions')) ?? 1;
  const replication = wholeNumber('replication', options.get('replication')) ?? 1;
  const group = options.get('stages-of');
  const brokers = connection.brokers;
  const report = (name: string, wanted: number, outcome: TopicOutcome): void =>
    io.stdout(outcome.created ? `created topic ${name} with ${wanted} partition(s)` : `topic ${name} already exists, with ${outcome.partitions} partition(s)`);
  await withKafka(connection, async () => {
    const orders = await createTopic(brokers, topic, partitions, replication);
    report(topic, partitions, orders);
    if (group !== undefined) {
      // The changes topic follows the orders topic as it is, so that both stages scale alike.
      const changes = changesTopicOf(String(group));
      const wanted = orders.created ? partitions : orders.partitions;
      report(changes, wanted, await createTopic(brokers, changes, wanted, replication));
    }
  });
  return 0;
}
