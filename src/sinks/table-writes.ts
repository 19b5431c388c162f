/** Each write to the tables in one function that takes `Knex | Knex.Transaction`. */
import type { Knex } from 'knex';
import { rejectKey } from '../db/reject-key.ts';
import type { Reject } from '../core/batch.ts';
import type { Flush, UpsertRow } from '../core/flush.ts';

/** The largest number of rows in one INSERT statement. */
const ROWS_PER_STATEMENT = 500;

/** Upserts result rows by (`begin_time`, `channel_code`). */
export async function upsertResultRows(db: Knex | Knex.Transaction, rows: readonly UpsertRow[]): Promise<void> {
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    const records = rows.slice(start, start + ROWS_PER_STATEMENT).map(({ beginTime, channelCode, figures }) => ({
      begin_time: beginTime,
      channel_code: channelCode,
      channel_name: figures.channelName,
      cur_gmv: figures.gmv,
      cur_order_user_count: figures.userCount,
      cur_order_count: figures.orderCount,
      last_pay_time: figures.lastPayTime,
      flink_current_time: figures.computedAt,
    }));
    await db('trade_channel_collect').insert(records).onConflict(['begin_time', 'channel_code']).merge();
  }
}

/** Deletes the rows of groups that became empty. */
export async function deleteResultRows(db: Knex | Knex.Transaction, keys: Flush['deletes']): Promise<void> {
  for (const { beginTime, channelCode } of keys) {
    await db('trade_channel_collect').where({ begin_time: beginTime, channel_code: channelCode }).delete();
  }
}

/** Inserts rejects; one already there (the same message at the same position) is kept as it was. */
export async function insertRejects(db: Knex | Knex.Transaction, rejects: readonly Reject[], formatTime: (epochMs: number) => string): Promise<void> {
  for (let start = 0; start < rejects.length; start += ROWS_PER_STATEMENT) {
    const records = rejects.slice(start, start + ROWS_PER_STATEMENT).map((reject) => ({
      source: reject.source,
      source_partition: reject.partition,
      source_offset: reject.offset,
      reason: reject.reason.slice(0, 255),
      raw: reject.raw,
      raw_bytes: reject.rawBytes,
      rejected_at: formatTime(reject.rejectedAt),
      reject_key: rejectKey(reject.source, reject.partition, reject.offset, reject.rawBytes, reject.raw),
    }));
    await db('trade_order_rejects').insert(records).onConflict(['reject_key']).ignore();
  }
}

/** Deletes the rejects older than the newest `keep`, exactly (ids have gaps); returns how many went. */
export async function pruneRejects(db: Knex | Knex.Transaction, keep: number): Promise<number> {
  const cut = (await db('trade_order_rejects').select('id').orderBy('id', 'desc').offset(keep).limit(1).first()) as { id: number | string } | undefined;
  if (cut === undefined) return 0;
  return db('trade_order_rejects').where('id', '<=', cut.id).delete();
}
