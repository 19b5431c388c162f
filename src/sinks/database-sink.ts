import type { Knex } from 'knex';
import type { PipelineCounters } from '../core/batch.ts';
import type { Flush } from '../core/flush.ts';
import { describeDbError, isTransientDbError } from './db-errors.ts';
import { saveCheckpoint, saveDelta, saveProgress } from './checkpoint-writes.ts';
import { WriteFenced, type CheckpointState, type FlushProgress, type ResultSink } from './result-sink.ts';
import { retryTransient, RetryStopped, type RetryOptions } from './retry.ts';
import { historyRetention } from './history-retention.ts';
import { pruneHistory, writeGroupHistory } from './history-writes.ts';
import { deleteResultRows, insertRejects, pruneRejects, upsertResultRows } from './table-writes.ts';

/** Options of {@link databaseSink}. */
export interface DatabaseSinkOptions {
  /** Counts rows written and deleted. */
  readonly counters: PipelineCounters;
  /** How reject times are written, e.g. in the configured zone. */
  readonly formatTime: (epochMs: number) => string;
  /**
   * How a flush that fails for a transient reason (connection refused or lost, deadlock, lock
   * wait timeout, no connection from the pool) is retried: rolled back and written again, after
   * 200 ms, 400 ms, ... up to 5 s between attempts, until it succeeds or the signal aborts.
   */
  readonly retry?: RetryOptions;
  /**
   * Called inside the transaction, after the rows and before the commit ('rows'), and half-way
   * through writing a checkpoint ('checkpoint'): where the fault tests kill the process.
   */
  readonly inside?: (step: 'rows' | 'checkpoint') => void | Promise<void>;
  /**
   * The rejects table keeps the newest this many; older ones are deleted (and counted in
   * `rejectsDropped`), so that a flood of bad messages cannot fill the disk: checked every
   * 1,000 rejects (or `keepRejects`, when fewer) and at the end of a run. Default: 100,000.
   */
  readonly keepRejects?: number;
  /**
   * `trade_channel_history` keeps the days up to this many before the newest day written; older
   * ones are deleted when a flush first writes a newer day. Default: 90.
   */
  readonly keepHistoryDays?: number;
  /**
   * Runs first inside each flush's transaction and throws {@link WriteFenced} to refuse it (the
   * aggregate stage of a scaled-out run checks it still owns the partitions). Default: none.
   */
  readonly guard?: (trx: Knex.Transaction) => Promise<void>;
  /** Now, epoch ms: when a checkpoint was saved. Default: `Date.now`. */
  readonly clock?: () => number;
}

/**
 * Writes each flush to `trade_channel_collect`, `trade_channel_history` and `trade_order_rejects`
 * in one transaction, retried whole through transient failures; any other failure is thrown at once, in one line.
 * A retry after a commit whose answer was lost writes nothing twice: every write is idempotent.
 */
export function databaseSink(db: Knex, options: DatabaseSinkOptions): ResultSink {
  const { counters, formatTime, retry = {}, inside = () => {}, keepRejects = 100_000, guard, clock = Date.now } = options;
  const retention = historyRetention(options.keepHistoryDays);
  let rejectsSincePrune = 0;
  const prune = async (): Promise<void> => {
    rejectsSincePrune = 0;
    counters.rejectsDropped += await retryTransient(() => pruneRejects(db, keepRejects), isTransientDbError, retry);
  };
  return {
    write: async (flush: Flush, progress?: FlushProgress) => {
      const rows = flush.upserts.length + flush.deletes.length + flush.rejects.length;
      if (rows === 0 && progress?.checkpoint === undefined) return;
      const state = progress?.checkpoint === undefined ? undefined : await progress.checkpoint;
      try {
        await retryTransient(
          () =>
            db.transaction(async (trx) => {
              await guard?.(trx);
              await writeFlush(trx, flush, formatTime);
              await inside('rows');
              // What the table now covers, and now and then the state at that point: together
              // with the rows, or not at all.
              if (progress !== undefined) await writeProgress(trx, progress, state, formatTime(clock()), () => inside('checkpoint'));
            }),
          isTransientDbError,
          retry,
        );
      } catch (error) {
        if (error instanceof WriteFenced) throw error;
        throw writeFailure(error);
      }
      counters.rowsWritten += flush.upserts.length;
      counters.rowsDeleted += flush.deletes.length;
      counters.flushes += 1;
      rejectsSincePrune += flush.rejects.length;
      // Now and then while the run goes on, and at its end: never in every flush.
      if (rejectsSincePrune >= Math.min(1000, keepRejects)) await prune();
      const firstKept = retention.firstKeptAfter(flush.history);
      if (firstKept !== undefined) await retryTransient(() => pruneHistory(db, firstKept), isTransientDbError, retry);
    },
    finish: async () => {
      if (rejectsSincePrune > 0) await prune();
    },
    // The database belongs to whoever opened it, and may serve more than this sink (the screen, the restore).
    close: async () => {},
  };
}

/** Writes one flush: its upserts, its deletes, its minutes of the day's curve, its rejects. */
export async function writeFlush(db: Knex | Knex.Transaction, flush: Flush, formatTime: (epochMs: number) => string): Promise<void> {
  await upsertResultRows(db, flush.upserts);
  await deleteResultRows(db, flush.deletes);
  await writeGroupHistory(db, flush.history);
  await insertRejects(db, flush.rejects, formatTime);
}

/** Writes the offsets a flush completes and, when it carries one, the checkpoint. */
export async function writeProgress(
  db: Knex | Knex.Transaction,
  progress: FlushProgress,
  state: CheckpointState | undefined,
  savedAt: string,
  halfWay: () => void = () => {},
): Promise<void> {
  await saveProgress(db, progress.key, progress.covered);
  if (state === undefined) return;
  if (Buffer.isBuffer(state)) return saveCheckpoint(db, progress.key, { offsets: progress.covered, state }, savedAt, halfWay);
  halfWay();
  await saveDelta(db, progress.key, state.seq, { offsets: progress.covered, state: state.delta }, savedAt);
}

function writeFailure(error: unknown): Error {
  if (error instanceof RetryStopped) {
    return new Error(`Cannot write to the database: gave up after ${error.attempts} attempts: ${describeDbError(error.cause)}`, { cause: error.cause });
  }
  return new Error(`Cannot write to the database: ${describeDbError(error)}`, { cause: error });
}
