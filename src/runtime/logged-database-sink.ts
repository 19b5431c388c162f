/** The database sink of every run, single-process or scaled-out: retries logged, health told, flushes timed. */
import type { Knex } from 'knex';
import { formatDuration } from '../core/format.ts';
import type { Logger } from '../core/log.ts';
import { databaseSink, type DatabaseSinkOptions } from '../sinks/database-sink.ts';
import { describeDbError } from '../sinks/db-errors.ts';
import type { ResultSink } from '../sinks/result-sink.ts';

/** Whether the database took the last flush: what the screen's readiness reports. */
export interface DatabaseHealth {
  database: 'up' | 'down';
}

/** Options of {@link loggedDatabaseSink}: those of the database sink, but the retry, which this sets. */
export interface LoggedDatabaseSinkOptions extends Omit<DatabaseSinkOptions, 'retry'> {
  /** Ends the retries of a flush (the run stops). */
  readonly signal: AbortSignal;
  readonly log: Logger;
  /** Now, epoch ms: how long a flush took. */
  readonly clock: () => number;
  /** Set to `down` while a flush is retried, back to `up` once one gets through. */
  readonly health: DatabaseHealth;
  /** Told how long each flush took, in seconds (the screen's flush timing). Default: nothing. */
  readonly onFlushed?: (seconds: number) => void;
}

/**
 * A database sink whose outages are logged (the first retry, then every tenth) and reflected
 * in `health`, and whose flushes are timed and logged at debug level. Closing it leaves the
 * database open: whoever opened it destroys it.
 */
export function loggedDatabaseSink(db: Knex, options: LoggedDatabaseSinkOptions): ResultSink {
  const { signal, log, clock, health, onFlushed, ...sinkOptions } = options;
  const { counters } = sinkOptions;
  const sink = databaseSink(db, {
    ...sinkOptions,
    clock,
    retry: {
      signal,
      onRetry: (error, attempt, delayMs) => {
        counters.dbRetries++;
        health.database = 'down';
        if (attempt === 1 || attempt % 10 === 0) log.warn(`the database is unreachable (${describeDbError(error)}); reading paused, retrying in ${formatDuration(delayMs)}`, { attempt, retryInMs: delayMs });
      },
      onRecovered: (attempts, downMs) => {
        health.database = 'up';
        log.info(`the database is back after ${formatDuration(downMs)} (${attempts} attempts); catching up`, { downMs, attempts });
      },
    },
  });
  return {
    write: async (flush, progress) => {
      const began = clock();
      await sink.write(flush, progress);
      const tookMs = clock() - began;
      onFlushed?.(tookMs / 1000);
      log.debug(`flush: ${flush.upserts.length} rows upserted, ${flush.deletes.length} deleted in ${formatDuration(tookMs)}`, { upserts: flush.upserts.length, deletes: flush.deletes.length, durationMs: tookMs });
    },
    finish: async () => await sink.finish?.(),
    close: () => sink.close(),
  };
}
