/**
 * The two step functions of `src/core` driven directly, batch by batch, on the meanings of
 * generated records (not their JSON text): what the property specs of the steps compare.
 */
import type { Batch } from '../../src/core/batch.ts';
import type { ResultRow } from '../../src/core/channel-aggregate.ts';
import { channelOf } from '../../src/core/channel.ts';
import { dedupe } from '../../src/core/dedupe.ts';
import type { Contribution, DedupeState } from '../../src/core/dedupe-state.ts';
import { aggregate, type ChannelContribution, type GroupTable } from '../../src/core/group-table.ts';
import { compactAttos, parseAmount, toAttos } from '../../src/core/money.ts';
import type { PaidOrder } from '../../src/core/order.ts';
import { parseTimestamp } from '../../src/core/order-time.ts';
import type { RecordMeaning } from './order-arbitraries.ts';
import { sortRows, type ExpectedRow } from './reference.ts';

/** The paid orders of the meanings, in stream order (the day filter of `--days all`). */
export function paidOrders(records: readonly RecordMeaning[]): PaidOrder[] {
  return records.flatMap((record, offset) => {
    const order = record.order;
    if (order === null || order.payTime === null || order.attos === null) return [];
    const paid: PaidOrder = {
      orderId: order.orderId,
      orderTime: parseTimestamp(order.orderTime)!,
      payTime: order.payTime,
      realPay: compactAttos(order.attos),
      userId: order.userId,
      channel: order.channel,
      record: { value: '', partition: 0, offset },
    };
    return [paid];
  });
}

/**
 * The orders in the order live mode sees them: by pay day (stably), as the day filter lets only
 * today's orders through and today only moves on.
 */
export function byPayDay(orders: readonly PaidOrder[]): PaidOrder[] {
  return orders.map((order, at) => ({ order, at })).sort((a, b) => (a.order.payTime.slice(0, 10) < b.order.payTime.slice(0, 10) ? -1 : a.order.payTime.slice(0, 10) > b.order.payTime.slice(0, 10) ? 1 : a.at - b.at)).map(({ order }) => order);
}

/** `items` cut into batches of `size`. */
export function batchesOf<T>(items: readonly T[], size: number): Batch<T>[] {
  const batches: Batch<T>[] = [];
  for (let at = 0; at < items.length; at += size) batches.push({ source: 'test', items: items.slice(at, at + size), rejects: [], progress: [] });
  return batches;
}

/** `mapChannel`'s resolution, on plain data. */
export function withChannels(contributions: readonly Contribution[]): ChannelContribution[] {
  return contributions.map((contribution) => ({ ...contribution, channelOfOrder: channelOf(contribution.channel) }));
}

/** Runs both steps over the batches; returns every row emitted, in order. */
export function runSteps(dedupeState: DedupeState, table: GroupTable, batches: readonly Batch<PaidOrder>[], latestDayOnly = false): ResultRow[] {
  return batches.flatMap((batch) => aggregate(table, withChannels(dedupe(dedupeState, batch, { now: 0, latestDayOnly }).items), 'now', { latestDayOnly }));
}

/** The table the rows leave behind: the latest row per group, those with figures, as the references write them. */
export function finalTable(rows: readonly ResultRow[]): ExpectedRow[] {
  const latest = new Map<string, ResultRow>();
  for (const row of rows) latest.set(`${row.beginTime}|${row.channelCode}`, row);
  return sortRows(
    [...latest.values()].flatMap((row) => {
      const figures = row.figures;
      if (figures === null) return [];
      const gmv = parseAmount(figures.gmvText);
      if (typeof gmv === 'string') throw new RangeError(`Cannot read the GMV text ${figures.gmvText}`);
      return [{ beginTime: row.beginTime, channelCode: row.channelCode, channelName: figures.channelName, gmvAttos: toAttos(gmv), userCount: figures.userCount, orderCount: figures.orderCount, lastPayTime: figures.lastPayTime }];
    }),
  );
}
