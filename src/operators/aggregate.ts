import { concat, defer, map, of, type OperatorFunction } from 'rxjs';
import { withItems, type Batch } from '../core/batch.ts';
import { timestampInZone } from '../core/business-day.ts';
import type { ResultRow } from '../core/channel-aggregate.ts';
import { aggregate as aggregateStep, allRows, createGroupTable, type ChannelContribution, type GroupTable } from '../core/group-table.ts';

/** Options of {@link aggregate}. */
export interface AggregateOptions {
  /** Now, epoch ms: stamps `flink_current_time`. */
  readonly clock: () => number;
  /** The zone `flink_current_time` is written in. */
  readonly zone: string;
  /**
   * Let go of a day's groups once a later day's change arrives (live mode: after midnight the
   * old day's rows are final). Default: false, every day's groups are kept.
   */
  readonly latestDayOnly?: boolean;
  /**
   * The groups to work on, e.g. rebuilt from a restored dedupe state (`groupTableOf`): their rows
   * are emitted first, as a batch of source `checkpoint`. Default: a new, empty table.
   */
  readonly groups?: GroupTable;
}

/**
 * Keeps the figures of every (`begin_time`, `channel_code`) group in a group table and turns each
 * batch of contributions into the rows of the groups it changed, with the step of
 * `src/core/group-table.ts` (a row with no figures when a group became empty and its row must go).
 */
export function aggregate(options: AggregateOptions): OperatorFunction<Batch<ChannelContribution>, Batch<ResultRow>> {
  const { clock, zone, latestDayOnly = false } = options;
  return (batches) =>
    defer(() => {
      const table = options.groups ?? createGroupTable(); // per subscription
      const restored = table.groups.size === 0 ? of() : defer(() => of<Batch<ResultRow>>({ source: 'checkpoint', items: allRows(table, timestampInZone(clock(), zone)), rejects: [], progress: [] }));
      return concat(
        restored,
        batches.pipe(map((batch) => withItems(batch, aggregateStep(table, batch.items, timestampInZone(clock(), zone), { latestDayOnly })))),
      );
    });
}
