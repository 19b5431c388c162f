/**
 * The dedupe step: one micro-batch of paid order versions applied to the dedupe state, giving
 * the contributions they change. A version whose handling throws becomes a reject; the rest go on.
 */
import type { Batch, Reject } from './batch.ts';
import { applyOrder, dropDay, type Contribution, type DedupeState } from './dedupe-state.ts';
import type { PaidOrder } from './order.ts';
import { internalReason, rejectOf } from './reject.ts';

/** Options of {@link dedupe}. */
export interface DedupeStepOptions {
  /** When a reject of this batch is refused, epoch ms. */
  readonly now: number;
  /**
   * Forget a day once an order of a later day arrives (live mode: at midnight the old day is
   * final). Default: false, every day is kept (`--as-of`, `--days all`).
   */
  readonly latestDayOnly?: boolean;
}

/**
 * Applies a batch to the state, in order: the latest `order_time` per order counts, a version
 * that replaces another retracts it first. The batch's rejects come along, followed by one per
 * version whose dedupe threw (`internal: ...`).
 */
export function dedupe(state: DedupeState, batch: Batch<PaidOrder>, options: DedupeStepOptions): Batch<Contribution> {
  const { now, latestDayOnly = false } = options;
  const changes: Contribution[] = [];
  let rejects: Reject[] | undefined;
  for (const order of batch.items) {
    const mark = changes.length;
    try {
      if (latestDayOnly) forgetEarlierDays(state, order.payTime);
      applyOrder(state, order, changes);
    } catch (error) {
      // A bug or a limit (a Map holds at most 2^24 keys): this order is rejected, the rest go on.
      changes.length = mark;
      (rejects ??= [...batch.rejects]).push(rejectOf(batch.source, order.record, internalReason(error), now));
    }
  }
  return { source: batch.source, items: changes, rejects: rejects ?? batch.rejects, progress: batch.progress };
}

function forgetEarlierDays(state: DedupeState, payTime: string): void {
  if (state.days.size === 0) return;
  for (const day of state.days.keys()) {
    if (payTime.startsWith(day)) return;
    if (day < payTime) dropDay(state, day);
  }
}
