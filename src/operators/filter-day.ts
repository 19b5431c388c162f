import { map, type OperatorFunction } from 'rxjs';
import { withItems, type Batch, type PipelineCounters } from '../core/batch.ts';
import { dayInZone, type DaySelection } from '../core/business-day.ts';
import type { Order, PaidOrder } from '../core/order.ts';
import { dayOf } from '../core/order-time.ts';

/** Options of {@link filterDay}. */
export interface FilterDayOptions {
  readonly days: DaySelection;
  /** Counts the orders filtered out (unpaid, or paid on another day). */
  readonly counters: PipelineCounters;
  /** Now, epoch ms: decides "today" in live mode. */
  readonly clock: () => number;
}

/**
 * Keeps the orders paid on a counted day (`real_pay` present, `begin_time <= pay_time < next
 * day`), the SQL's inner WHERE: a version filtered here never takes part in the dedupe.
 */
export function filterDay(options: FilterDayOptions): OperatorFunction<Batch<Order>, Batch<PaidOrder>> {
  const { days, counters, clock } = options;
  return map((batch) => {
    const today = days.kind === 'fixed' ? days.day : days.kind === 'live' ? dayInZone(clock(), days.zone) : undefined;
    const paid: PaidOrder[] = [];
    for (const order of batch.items) {
      if (order.payTime === null || order.realPay === null) continue;
      if (today !== undefined && dayOf(order.payTime) !== today) continue;
      paid.push(order as PaidOrder);
    }
    counters.filtered += batch.items.length - paid.length;
    return withItems(batch, paid);
  });
}
