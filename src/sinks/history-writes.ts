/** The writes to `trade_channel_history`, each one function taking `Knex | Knex.Transaction`. */
import type { Knex } from 'knex';
import type { GroupHistory } from '../core/minute-history.ts';

/** The largest number of rows in one INSERT statement. */
const ROWS_PER_STATEMENT = 500;

/**
 * Writes the changed minutes of the groups: upserts by (`begin_time`, `channel_code`,
 * `pay_minute`); for a group whose minutes come whole, its stored minutes are replaced (and
 * minutes without orders are then left out: no row means none).
 */
export async function writeGroupHistory(db: Knex | Knex.Transaction, groups: readonly GroupHistory[]): Promise<void> {
  const records: { begin_time: string; channel_code: string; pay_minute: number; gmv: string; order_count: number }[] = [];
  for (const group of groups) {
    if (group.whole) await db('trade_channel_history').where({ begin_time: group.beginTime, channel_code: group.channelCode }).delete();
    for (const { minute, gmvText, orderCount } of group.minutes) {
      if (group.whole && orderCount === 0) continue;
      records.push({ begin_time: group.beginTime, channel_code: group.channelCode, pay_minute: minute, gmv: gmvText, order_count: orderCount });
    }
  }
  for (let start = 0; start < records.length; start += ROWS_PER_STATEMENT) {
    await db('trade_channel_history')
      .insert(records.slice(start, start + ROWS_PER_STATEMENT))
      .onConflict(['begin_time', 'channel_code', 'pay_minute'])
      .merge();
  }
}

/** Deletes the history of the days before `firstKept` (`yyyy-MM-dd`); returns how many minutes went. */
export async function pruneHistory(db: Knex | Knex.Transaction, firstKept: string): Promise<number> {
  return db('trade_channel_history').where('begin_time', '<', `${firstKept} 00:00:00`).delete();
}
