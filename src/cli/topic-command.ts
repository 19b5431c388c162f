import { changesTopicOf, createTopic } from '../kafka/topics.ts';
import type { CommandIO } from './main.ts';
import { helpText, readOptions, UsageError, wholeNumber, type OptionSpec } from './options.ts';

const TOPIC_OPTIONS: readonly OptionSpec[] = [
  { name: 'brokers', type: 'string', value: 'HOST:PORT[,..]', description: 'the bootstrap brokers', default: '127.0.0.1:9092' },
  { name: 'topic', type: 'string', value: 'NAME', description: 'the topic', default: 'trade_order_detail_info' },
  { name: 'partitions', type: 'string', value: 'N', description: 'partitions of a new topic', default: '1' },
  { name: 'stages-of', type: 'string', value: 'GROUP', description: 'also the changes topic of a scaled-out run (--stage) of this group, with as many partitions' },
  { name: 'replication', type: 'string', value: 'N', description: 'replicas of each partition', default: '1' },
];

/** `tradeflow topic create`: makes a topic, so that nobody needs Kafka's own scripts. */
export async function topicCommand(args: readonly string[], io: CommandIO): Promise<number> {
  const [action, ...rest] = args;
  const options = readOptions('topic create', rest, TOPIC_OPTIONS, io.env);
  if (action !== 'create' || options.has('help')) {
    if (action !== 'create' && action !== '--help' && action !== undefined) throw new UsageError(`topic: unknown action "${action}" (the action is: create)`);
    io.stdout(helpText('tradeflow topic create [options]', 'Creates a Kafka topic; an existing one is left as it is.', TOPIC_OPTIONS));
    return 0;
  }
  const topic = String(options.get('topic'));
  const partitions = wholeNumber('partitions', options.get('partitions')) ?? 1;
  const replication = wholeNumber('replication', options.get('replication')) ?? 1;
  const group = options.get('stages-of');
  const topics = [topic, ...(group === undefined ? [] : [changesTopicOf(String(group))])];
  for (const name of topics) {
    const outcome = await createTopic(String(options.get('brokers')), name, partitions, replication);
    io.stdout(outcome.created ? `created topic ${name} with ${partitions} partition(s)` : `topic ${name} already exists, with ${outcome.partitions} partition(s)`);
  }
  return 0;
}
