import { BehaviorSubject, defer, filter, finalize, groupBy, map, mergeMap, scan, skip, Subject, type OperatorFunction } from 'rxjs';
import { withItems, type Batch } from '../core/batch.ts';
import { timestampInZone } from '../core/business-day.ts';
import { TUTORIAL_CHANNELS, type ChannelMap } from '../core/channel.ts';
import { applyChange, createChannelGroup, toResultRow, type ResultRow } from '../core/channel-aggregate.ts';
import { groupKeyText, parseGroupKey } from '../core/group-key.ts';
import type { ChannelContribution } from './map-channel.ts';

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
  /** The shop's channels, which name each group. Default: the tutorial's. */
  readonly channels?: ChannelMap;
}

/** The changes one micro-batch brings to one group. */
interface GroupChanges {
  readonly key: string;
  readonly changes: ChannelContribution[];
}

/**
 * Keeps the figures of every (`begin_time`, `channel_code`) group with `groupBy` and `scan`, and
 * turns each batch of contributions into the rows of the groups it changed (a row with no
 * figures when a group became empty and its row must be deleted).
 */
export function aggregate(options: AggregateOptions): OperatorFunction<Batch<ChannelContribution>, Batch<ResultRow>> {
  const { clock, zone, latestDayOnly = false, channels = TUTORIAL_CHANNELS } = options;
  return (batches) =>
    defer(() => {
      const groupChanges = new Subject<GroupChanges>();
      const latestDay = new BehaviorSubject('');
      let changedRows: ResultRow[] = [];
      let computedAt = '';
      // Everything below runs synchronously inside `next`, so the rows of a batch are all
      // collected before the batch moves on.
      const rowsSubscription = groupChanges
        .pipe(
          groupBy((part) => part.key, {
            // A group ends (and its state goes) when a later day starts, if only the latest day counts.
            duration: (group$) => latestDay.pipe(skip(1), filter((day) => latestDayOnly && day > dayOfKey(group$.key))),
          }),
          mergeMap((group$) =>
            group$.pipe(
              scan((group, part) => {
                for (const change of part.changes) applyChange(group, change);
                return group;
              }, createGroupFor(group$.key, channels)),
              map((group) => toResultRow(group, computedAt)),
            ),
          ),
        )
        .subscribe((row) => changedRows.push(row));
      return batches.pipe(
        map((batch) => {
          computedAt = timestampInZone(clock(), zone);
          for (const part of splitByGroup(batch.items)) {
            const day = dayOfKey(part.key);
            if (day > latestDay.value) latestDay.next(day);
            groupChanges.next(part);
          }
          const rows = changedRows;
          changedRows = [];
          return withItems(batch, rows);
        }),
        finalize(() => rowsSubscription.unsubscribe()),
      );
    });
}

function groupKey(change: ChannelContribution): string {
  return groupKeyText(change.day, change.channelOfOrder.code);
}

function dayOfKey(key: string): string {
  return parseGroupKey(key).day;
}

function createGroupFor(key: string, channels: ChannelMap) {
  const { day, channelCode } = parseGroupKey(key);
  return createChannelGroup(day, channelCode, channels.byCode(channelCode).name);
}

function splitByGroup(changes: readonly ChannelContribution[]): GroupChanges[] {
  const parts = new Map<string, ChannelContribution[]>();
  for (const change of changes) {
    const key = groupKey(change);
    const part = parts.get(key);
    if (part === undefined) parts.set(key, [change]);
    else part.push(change);
  }
  return [...parts].map(([key, part]) => ({ key, changes: part }));
}
