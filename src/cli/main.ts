import { explainConnectionError } from '../db/connection-errors.ts';
import type { CommandIO } from './command-io.ts';
import { createLogger, readLogSettings, recordWithoutPino, type LogOutput } from './logger.ts';
import { UsageError } from './options.ts';
import { createSecrets } from './secrets.ts';
import { EnvironmentError, EXIT_CODES } from './environment.ts';
import { packageVersion } from '../package-version.ts';
import { firstLineOf } from '../core/first-line.ts';

export type { CommandIO } from './command-io.ts';

/** What the process gives the CLI: its two streams (a line at a time), its environment, which streams are terminals. */
export interface ProcessIO {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly stdoutIsTerminal?: boolean;
  readonly stderrIsTerminal?: boolean;
}

type Command = (args: readonly string[], io: CommandIO) => Promise<number>;

/** Each command loaded when it is called: `--help` or a usage mistake never loads knex, RxJS or Kafka. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  run: async () => (await import('./run-command.ts')).runCommand,
  generate: async () => (await import('./generate-command.ts')).generateCommand,
  migrate: async () => (await import('./migrate-command.ts')).migrateCommand,
  produce: async () => (await import('./produce-command.ts')).produceCommand,
  topic: async () => (await import('./topic-command.ts')).topicCommand,
  screen: async () => (await import('./screen-command.ts')).screenCommand,
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

Every command takes --log-level LEVEL (trace, debug, info, warn, error, fatal, silent; default info)
and --log-format text|json (default: text on a terminal, json otherwise), or TRADEFLOW_LOG_LEVEL
and TRADEFLOW_LOG_FORMAT; results go to stdout, the log to stderr.

tradeflow <command> --help shows a command's options; tradeflow --version the version.`;

/** Runs the CLI; returns the exit code. Mistakes get one line, never a stack trace. */
export async function main(args: readonly string[], given: ProcessIO = processIO()): Promise<number> {
  const secrets = createSecrets();
  const output: LogOutput = { line: given.stderr, redact: (text) => secrets.redact(text) };
  const { settings, rest, problem } = readLogSettings(args, given.env, given.stderrIsTerminal === true);
  if (problem !== undefined) {
    recordWithoutPino(settings, 'error', problem, output);
    return EXIT_CODES.usage;
  }
  const [name, ...commandArgs] = rest;
  const io: CommandIO = {
    env: given.env,
    secrets,
    stdout: (line) => given.stdout(secrets.redact(line)),
    log: createLogger(settings, output),
    stdoutIsTerminal: given.stdoutIsTerminal === true,
  };
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(USAGE);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    io.stdout(packageVersion());
    return 0;
  }
  const load = COMMANDS[name];
  try {
    if (load === undefined) throw new UsageError(`unknown command "${name}" (commands: ${Object.keys(COMMANDS).join(', ')})`);
    return await (await load())(commandArgs, io);
  } catch (error) {
    if (error instanceof UsageError) {
      // Written without pino: a mistake in the command line costs no more start-up than --help.
      recordWithoutPino(settings, 'error', error.message, output);
      return EXIT_CODES.usage;
    }
    const stack = io.env.TRADEFLOW_DEBUG && error instanceof Error ? { stack: error.stack } : {};
    io.log.fatal(explainConnectionError(error) ?? firstLineOf(error), { exitCode: error instanceof EnvironmentError ? EXIT_CODES.environment : EXIT_CODES.failed, ...stack });
    return error instanceof EnvironmentError ? EXIT_CODES.environment : EXIT_CODES.failed;
  }
}

function processIO(): ProcessIO {
  return {
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
    stdoutIsTerminal: process.stdout.isTTY === true,
    stderrIsTerminal: process.stderr.isTTY === true,
  };
}
