import { concat, defer, map, of, type OperatorFunction } from 'rxjs';
import { withItems, type Batch, type PipelineCounters, type Reject } from '../core/batch.ts';
import { applyOrder, createDedupeState, currentContributions, dropDay, type Contribution, type DedupeState } from '../core/dedupe-state.ts';
import type { PaidOrder } from '../core/order.ts';
import { internalReason, rejectOf } from '../core/reject.ts';

/** Options of {@link dedupe}. */
export interface DedupeOptions {
  /** Counts the orders whose dedupe threw (rejected as `internal: ...`). */
  readonly counters: PipelineCounters;
  /** The time such a reject is stamped with, epoch ms. */
  readonly clock: () => number;
  /**
   * Forget a day once an order of a later day arrives (live mode: at midnight the old day is
   * final). Default: false, every day is kept (`--as-of`, `--days all`).
   */
  readonly latestDayOnly?: boolean;
  /**
   * The state to work on, e.g. restored from a checkpoint: the orders that count in it are
   * emitted first, so that the groups downstream are rebuilt. Default: a new, empty state.
   */
  readonly state?: DedupeState;
  /**
   * Emit the contributions of a given state first. Default: true; false when downstream has them
   * already (the dedupe stage of a scaled-out run, whose changes topic holds them).
   */
  readonly announceState?: boolean;
}

/** Turns order versions into contributions: the latest `order_time` per order counts, with retraction. */
export function dedupe(options: DedupeOptions): OperatorFunction<Batch<PaidOrder>, Batch<Contribution>> {
  const { counters, clock, latestDayOnly = false, announceState = true } = options;
  return (batches) =>
    defer(() => {
      const state = options.state ?? createDedupeState();
      const restored = announceState ? currentContributions(state) : [];
      const rebuild = of<Batch<Contribution>>({ source: 'checkpoint', items: restored, rejects: [], progress: [] });
      return concat(restored.length > 0 ? rebuild : of(), batches.pipe(
        map((batch) => {
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
              (rejects ??= [...batch.rejects]).push(rejectOf(batch.source, order.record, internalReason(error), clock()));
              counters.rejected += 1;
              counters.internal += 1;
            }
          }
          return rejects === undefined ? withItems(batch, changes) : { ...withItems(batch, changes), rejects };
        }),
      ));
    });
}

function forgetEarlierDays(state: DedupeState, payTime: string): void {
  if (state.days.size === 0) return;
  for (const day of state.days.keys()) {
    if (payTime.startsWith(day)) return;
    if (day < payTime) dropDay(state, day);
  }
}
