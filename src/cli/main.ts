import type { CommandIO } from './command-io.ts';
import { generateCommand } from './generate-command.ts';
import { migrateCommand } from './migrate-command.ts';
import { produceCommand } from './produce-command.ts';
import { topicCommand } from './topic-command.ts';
import { UsageError } from './options.ts';
import { runCommand } from './run-command.ts';
import { screenCommand } from './screen-command.ts';

export type { CommandIO } from './command-io.ts';

const COMMANDS: Record<string, (args: readonly string[], io: CommandIO) => Promise<number>> = {
  run: runCommand,
  generate: generateCommand,
  migrate: migrateCommand,
  produce: produceCommand,
  topic: topicCommand,
  screen: screenCommand,
};

const USAGE = `Usage: tradeflow <command> [options]

Real-time sales statistics per channel, from orders to trade_channel_collect.

Commands:
  run        orders (simulator, a recorded file, Kafka) through the pipeline into the table
  generate   write a recorded order stream (.jsonl) for replays and benchmarks
  produce    replay a recorded stream into a Kafka topic
  topic      create a Kafka topic (tradeflow topic create --partitions N)
  migrate    create or check the tables
  screen     serve the live sales screen of the table (another process fills it)

tradeflow <command> --help shows a command's options.`;

/** Runs the CLI; returns the exit code. Mistakes get one line, never a stack trace. */
export async function main(args: readonly string[], io: CommandIO = processIO()): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  try {
    if (command === undefined) throw new UsageError(`unknown command "${name}" (commands: ${Object.keys(COMMANDS).join(', ')})`);
    return await command(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`tradeflow: ${error.message}`);
      return 2;
    }
    io.stderr(`tradeflow: ${oneLine(error)}`);
    if (io.env.TRADEFLOW_DEBUG) io.stderr(error instanceof Error ? (error.stack ?? '') : '');
    return 1;
  }
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

function processIO(): CommandIO {
  return {
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
  };
}
