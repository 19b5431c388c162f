import { defer, map, type OperatorFunction } from 'rxjs';
import type { Batch, PipelineCounters } from '../core/batch.ts';
import { dedupe as dedupeStep } from '../core/dedupe.ts';
import { createDedupeState, type Contribution, type DedupeState } from '../core/dedupe-state.ts';
import type { PaidOrder } from '../core/order.ts';

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
  /** The state to work on, e.g. restored from a checkpoint. Default: a new, empty state. */
  readonly state?: DedupeState;
}

/** Turns order versions into contributions with the dedupe step of `src/core/dedupe.ts`, on one state. */
export function dedupe(options: DedupeOptions): OperatorFunction<Batch<PaidOrder>, Batch<Contribution>> {
  const { counters, clock, latestDayOnly = false } = options;
  return (batches) =>
    defer(() => {
      const state = options.state ?? createDedupeState(); // per subscription
      return batches.pipe(
      map((batch) => {
        const out = dedupeStep(state, batch, { now: clock(), latestDayOnly });
        const internal = out.rejects.length - batch.rejects.length;
        counters.rejected += internal;
        counters.internal += internal;
        return out;
      }),
      );
    });
}
