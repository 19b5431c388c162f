import type { Knex } from 'knex';
import type { PipelineCounters } from '../core/batch.ts';
import type { Flush } from '../operators/buffer-flush.ts';
import type { ResultSink } from './result-sink.ts';
import { deleteResultRows, insertRejects, upsertResultRows } from './table-writes.ts';

/** Options of {@link databaseSink}. */
export interface DatabaseSinkOptions {
  /** Counts rows written and deleted. */
  readonly counters: PipelineCounters;
  /** How reject times are written, e.g. in the configured zone. */
  readonly formatTime: (epochMs: number) => string;
}

/** Writes each flush to `trade_channel_collect` and `trade_order_rejects` in one transaction. */
export function databaseSink(db: Knex, options: DatabaseSinkOptions): ResultSink {
  const { counters, formatTime } = options;
  return {
    write: async (flush: Flush) => {
      if (flush.upserts.length === 0 && flush.deletes.length === 0 && flush.rejects.length === 0) return;
      await db.transaction(async (trx) => {
        await upsertResultRows(trx, flush.upserts);
        await deleteResultRows(trx, flush.deletes);
        await insertRejects(trx, flush.rejects, formatTime);
      });
      counters.rowsWritten += flush.upserts.length;
      counters.rowsDeleted += flush.deletes.length;
      counters.flushes += 1;
    },
    close: () => db.destroy(),
  };
}
