/** What a run prints: the table as it stands, and the one-line summary at the end. */
import type { Knex } from 'knex';
import type { PipelineCounters } from '../core/batch.ts';
import { formatCount, formatDuration, formatMoney } from '../core/format.ts';

/** The one-line summary of a run. */
export function summary(counters: PipelineCounters, elapsedMs: number): string {
  const rate = counters.read / Math.max(elapsedMs / 1000, 1e-3);
  return [
    `read ${formatCount(counters.read)}`,
    `rejected ${formatCount(counters.rejected)}`,
    `filtered ${formatCount(counters.filtered)}`,
    `rows written ${formatCount(counters.rowsWritten)}`,
    ...(counters.rejectsDropped > 0 ? [`old rejects deleted ${formatCount(counters.rejectsDropped)}`] : []),
    `${formatCount(rate)} orders/s`,
    `in ${formatDuration(elapsedMs)}`,
    `peak memory ${formatCount(process.resourceUsage().maxRSS / 1024)} MB`,
  ].join(' | ');
}

/** Prints the rows of the days, as the table holds them now. */
export async function showTable(db: Knex, days: readonly string[], counters: PipelineCounters, reading: string, print: (text: string) => void): Promise<void> {
  const rows = (await db('trade_channel_collect')
    .whereIn('begin_time', days.map((day) => `${day} 00:00:00`))
    .orderBy(['begin_time', 'channel_code'])) as {
    begin_time: string;
    channel_name: string;
    cur_gmv: number;
    cur_order_user_count: number;
    cur_order_count: number;
    last_pay_time: string;
  }[];
  const lines = [`${reading} | read ${formatCount(counters.read)} | rejected ${formatCount(counters.rejected)} | filtered ${formatCount(counters.filtered)}`];
  lines.push(`  ${'day'.padEnd(12)}${'channel'.padEnd(14)}${'GMV'.padStart(16)}${'users'.padStart(9)}${'orders'.padStart(9)}  last payment`);
  for (const row of rows) {
    lines.push(
      `  ${row.begin_time.slice(0, 10).padEnd(12)}${row.channel_name.padEnd(14)}${formatMoney(row.cur_gmv).padStart(16)}${formatCount(Number(row.cur_order_user_count)).padStart(9)}${formatCount(Number(row.cur_order_count)).padStart(9)}  ${row.last_pay_time}`,
    );
  }
  print(lines.join('\n'));
}
