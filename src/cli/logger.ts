/**
 * The CLI's logger: pino for JSON lines (one object per line, the Node.js convention), a small
 * formatter of its own for human text lines; both written synchronously to stderr, so that
 * nothing is lost on process.exit or a fatal error. Every message and string field passes the
 * command's redaction first. pino is loaded at the first JSON record only: `--help` and a
 * usage error never load it.
 */
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import type { Logger as PinoLogger, pino as PinoFunction } from 'pino';
import { LOG_LEVELS, loggerOf, type LogFields, type Logger, type LogLevel, type LogValue } from '../core/log.ts';
import { envName, LOG_OPTIONS } from './options.ts';

/** `text`: human lines; `json`: one JSON object per line. */
export type LogFormat = 'text' | 'json';

/** The level below which nothing is written (`silent`: nothing at all), and the format. */
export interface LogSettings {
  readonly level: LogLevel | 'silent';
  readonly format: LogFormat;
}

const LEVEL_NAMES = [...LOG_LEVELS, 'silent'] as const;

/**
 * The log flags, wherever they are among the arguments (or their environment variables: a flag
 * wins), and the arguments without them. A bad value is a `problem` naming the flag (or variable);
 * the settings then keep what is right, so that the line saying what is wrong has the format asked.
 */
export function readLogSettings(args: readonly string[], env: NodeJS.ProcessEnv, stderrIsTerminal: boolean): { settings: LogSettings; rest: string[]; problem?: string } {
  const given = new Map<string, string>();
  const rest: string[] = [];
  const problems: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const flag = LOG_OPTIONS.find((option) => arg === `--${option.name}` || arg.startsWith(`--${option.name}=`));
    if (flag === undefined) {
      rest.push(arg);
      continue;
    }
    const inline = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : undefined;
    const value = inline ?? args[i + 1];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) {
      problems.push(`--${flag.name} needs a value (${flag.name === 'log-level' ? LEVEL_NAMES.join(', ') : 'text or json'})`);
      continue;
    }
    if (inline === undefined) i++;
    given.set(flag.name, value);
  }
  // A bad flag falls back to its variable, and a bad variable to the default, for that line's sake.
  const pick = (name: string, allowed: readonly string[]): string | undefined => {
    const fromEnv = env[envName(name)];
    const candidates = [{ value: given.get(name), culprit: `--${name}` }, { value: fromEnv === '' ? undefined : fromEnv, culprit: envName(name) }];
    let wrong = false;
    for (const { value, culprit } of candidates) {
      if (value === undefined) continue;
      if (allowed.includes(value)) return value;
      if (!wrong) problems.push(`${culprit}: expected ${allowed.length === 2 ? allowed.join(' or ') : allowed.join(', ')}, got "${value}"`);
      wrong = true;
    }
    return undefined;
  };
  const level = pick('log-level', LEVEL_NAMES);
  const format = pick('log-format', ['text', 'json']);
  return {
    settings: {
      level: (level ?? 'info') as LogSettings['level'],
      format: (format as LogFormat | undefined) ?? (stderrIsTerminal ? 'text' : 'json'),
    },
    rest,
    ...(problems.length > 0 && { problem: problems[0]! }),
  };
}

/** Where the logger writes, and what it must never show. */
export interface LogOutput {
  /** Writes one line (without its newline) to stderr, synchronously. */
  readonly line: (text: string) => void;
  /** The text with the command's secrets as ***. */
  readonly redact: (text: string) => string;
  /** Now, for the text lines' times. Default: the system clock. */
  readonly now?: () => Date;
}

/** A CLI logger: pino (JSON) or the text formatter, at the settings' level. */
export function createLogger(settings: LogSettings, output: LogOutput): Logger {
  const threshold = settings.level === 'silent' ? Infinity : LOG_LEVELS.indexOf(settings.level);
  const clean = (fields: LogFields): Record<string, LogValue> =>
    Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined).map(([key, value]) => [key, typeof value === 'string' ? output.redact(value) : Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? output.redact(v) : v)) : value]));
  if (settings.format === 'text') {
    const now = output.now ?? (() => new Date());
    return loggerOf((level, message, fields) => {
      if (LOG_LEVELS.indexOf(level) < threshold) return;
      const { stack, ...rest } = clean(fields);
      // A stack (TRADEFLOW_DEBUG) on the lines after its record; fields only at trace and debug (the message says the rest).
      output.line(textLine(now(), level, output.redact(message), level === 'trace' || level === 'debug' ? rest : {}) + (typeof stack === 'string' ? `\n${stack}` : ''));
    });
  }
  let pino: PinoLogger | undefined;
  return loggerOf((level, message, fields) => {
    if (LOG_LEVELS.indexOf(level) < threshold) return;
    pino ??= openPino(settings.level, output);
    pino[level](clean(fields), output.redact(message));
  });
}

/**
 * One record as pino would write it, without loading pino: for the one line of a usage error,
 * which must not cost the start-up pino's loading.
 */
export function recordWithoutPino(settings: LogSettings, level: LogLevel, message: string, output: LogOutput): void {
  if (settings.level === 'silent' || LOG_LEVELS.indexOf(level) < LOG_LEVELS.indexOf(settings.level)) return;
  const now = (output.now ?? (() => new Date()))();
  const text = output.redact(message);
  output.line(settings.format === 'text' ? textLine(now, level, text, {}) : JSON.stringify({ level, time: now.toISOString(), pid: process.pid, hostname: hostname(), msg: text }));
}

/** `2026-12-02 10:00:00.123 INFO  message` in the machine's local time; fields (trace, debug) as key=value after it. */
function textLine(time: Date, level: LogLevel, message: string, fields: Record<string, LogValue>): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${time.getFullYear()}-${two(time.getMonth() + 1)}-${two(time.getDate())} ${two(time.getHours())}:${two(time.getMinutes())}:${two(time.getSeconds())}.${String(time.getMilliseconds()).padStart(3, '0')}`;
  const extra = Object.entries(fields).map(([key, value]) => ` ${key}=${Array.isArray(value) ? value.join(',') : String(value)}`).join('');
  return `${stamp} ${level.toUpperCase().padEnd(5)} ${message}${extra}`;
}

function openPino(level: LogSettings['level'], output: LogOutput): PinoLogger {
  const pino = createRequire(import.meta.url)('pino') as typeof PinoFunction;
  return pino(
    {
      level,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label: string) => ({ level: label }) },
    },
    // A destination of our own, written synchronously: flushed by the time any exit comes.
    { write: (record: string) => output.line(output.redact(record.endsWith('\n') ? record.slice(0, -1) : record)) },
  );
}
