/**
 * The runtime's logger: a message at a level, with fields (topic, partition, db, durations...).
 * The CLI backs it with pino; a spec with an array. The runtime never sees pino itself.
 */

/** The levels, least severe first (pino's and most log stores' names). */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What a field may hold: numbers stay numbers in JSON (durations in ms, offsets, counts). */
export type LogValue = string | number | boolean | null | undefined | readonly (string | number)[];

/** The fields of a record. */
export type LogFields = Readonly<Record<string, LogValue>>;

/** Writes one record: a message for people, and fields for machines. */
export type LogMethod = (message: string, fields?: LogFields) => void;

/** A logger with one method per level. */
export type Logger = Readonly<Record<LogLevel, LogMethod>>;

/** A logger built on one function of (level, message, fields). */
export function loggerOf(write: (level: LogLevel, message: string, fields: LogFields) => void): Logger {
  const method = (level: LogLevel): LogMethod => (message, fields = {}) => write(level, message, fields);
  return { trace: method('trace'), debug: method('debug'), info: method('info'), warn: method('warn'), error: method('error'), fatal: method('fatal') };
}

/** The same logger, with these fields added to every record (a record's own fields win). */
export function withFields(logger: Logger, fields: LogFields): Logger {
  return loggerOf((level, message, own) => logger[level](message, { ...fields, ...own }));
}

/** A logger that writes nothing: the default of a part started without one. */
export const SILENT_LOGGER: Logger = loggerOf(() => {});
