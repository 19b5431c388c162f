/** `-X key=value` and `--kafka-config FILE`: the Kafka client properties of every command that talks to Kafka. */
import { readFileSync } from 'node:fs';
import { withKafkaProperties } from '../kafka/client.ts';
import {
  BROKER_PROPERTIES, KafkaPropertyError, RESERVED_PROPERTIES, checkProperties, isSecretProperty, parseAssignment, parsePropertiesFile,
  type KafkaProperties,
} from '../kafka/client-properties.ts';
import { checkConnection } from '../kafka/connection-check.ts';
import type { Secrets } from './secrets.ts';
import { EnvironmentError } from './environment.ts';
import { UsageError, type OptionSpec } from './options.ts';

/** The `--kafka-config` flag (env TRADEFLOW_KAFKA_CONFIG). */
export const KAFKA_CONFIG_OPTION: OptionSpec = {
  name: 'kafka-config',
  type: 'string',
  value: 'FILE',
  description: 'librdkafka client properties, key=value lines (as kcat -F); see "Kafka client properties" below',
};

/** What a command needs to reach Kafka: the brokers and the user's properties. */
export interface KafkaConnection {
  readonly brokers: string;
  readonly properties: KafkaProperties;
}

/** The arguments without their `-X` options, and the `-X` values in order. */
export function splitKafkaArgs(args: readonly string[]): { readonly rest: string[]; readonly assignments: string[] } {
  const rest: string[] = [];
  const assignments: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] as string;
    if (arg === '-X') {
      const value = args[i + 1];
      if (value === undefined) throw new UsageError('-X needs a value, e.g. -X security.protocol=SASL_SSL');
      assignments.push(value);
      i += 1;
    } else if (arg.startsWith('-X')) assignments.push(arg.slice(2));
    else rest.push(arg);
  }
  return { rest, assignments };
}

/**
 * The connection of a command: properties from `--kafka-config`, then `-X` (the later wins), each
 * checked by librdkafka; `bootstrap.servers` there stands for --brokers unless --brokers is given.
 * UsageError naming the flag, the file and the property; secret values are never in a message.
 */
export function readKafkaConnection(
  assignments: readonly string[],
  options: ReadonlyMap<string, string | boolean>,
  args: readonly string[],
  io: { readonly env: NodeJS.ProcessEnv; readonly secrets?: Secrets | undefined },
): KafkaConnection {
  try {
    const origins = new Map<string, string>();
    const properties = new Map<string, string>();
    const file = options.get('kafka-config');
    if (file !== undefined) {
      let text: string;
      try {
        text = readFileSync(String(file), 'utf8');
      } catch (error) {
        throw new KafkaPropertyError(`Cannot use --kafka-config ${String(file)}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
      }
      for (const [name, value] of parsePropertiesFile(text, String(file))) {
        properties.set(name, value);
        origins.set(name, `--kafka-config ${String(file)}`);
      }
    }
    for (const assignment of assignments) {
      const [name, value] = parseAssignment(assignment);
      properties.set(name, value);
      origins.set(name, `-X ${name}`);
    }
    for (const [name, value] of properties) if (isSecretProperty(name)) io.secrets?.add(value);
    const given = BROKER_PROPERTIES.filter((name) => properties.has(name));
    let brokers = String(options.get('brokers'));
    if (given.length > 0) {
      const explicit = args.some((arg) => arg === '--brokers' || arg.startsWith('--brokers=')) || (io.env.TRADEFLOW_BROKERS ?? '') !== '';
      const name = given[0] as string;
      if (explicit) throw new KafkaPropertyError(`Cannot use ${origins.get(name) ?? name}: ${name} and --brokers both name the brokers; give one of them`);
      brokers = properties.get(name) as string;
      for (const each of given) properties.delete(each);
    }
    checkProperties(properties, (name) => origins.get(name) ?? name);
    return { brokers, properties };
  } catch (error) {
    if (error instanceof KafkaPropertyError) throw new UsageError(error.message);
    throw error;
  }
}

/** Runs a command's Kafka work with its properties, after one connection that says at once why the brokers cannot be reached. */
export async function withKafka<T>(connection: KafkaConnection, work: () => Promise<T>): Promise<T> {
  return withKafkaProperties(connection.properties, async () => {
    try {
      await checkConnection(connection.brokers);
    } catch (error) {
      // Brokers that refuse these credentials or this TLS, or cannot be reached: the environment (exit 3).
      throw new EnvironmentError(error instanceof Error ? error.message : String(error));
    }
    return work();
  });
}

/** The --help section on Kafka client properties. */
export function kafkaPropertiesHelp(): string {
  const reserved = Object.entries(RESERVED_PROPERTIES).map(([name, why]) => `    ${name.padEnd(26)} ${why}`);
  return [
    '',
    'Kafka client properties (librdkafka\'s names, as kcat takes them):',
    `  ${'-X key=value'.padEnd(30)} one property, repeatable; wins over --kafka-config`,
    '  Precedence: tradeflow\'s settings < --kafka-config FILE < -X. bootstrap.servers given there stands for --brokers.',
    '  tradeflow sets, and you may override: client.id, socket.keepalive.enable, and for its producers',
    '    compression.codec, linger.ms, batch.num.messages, queue.buffering.max.messages.',
    '  tradeflow sets, and refuses from you:',
    ...reserved,
    '  Unknown properties and bad values are refused (exit 2). Values of secret properties (sasl.password,',
    '  ssl.key.password, sasl.oauthbearer.client.secret, ...) are never printed: keep them in the file, not in -X.',
  ].join('\n');
}
