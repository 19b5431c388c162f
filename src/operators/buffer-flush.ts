import { asyncScheduler, bufferTime, filter, map, mergeMap, type OperatorFunction, type SchedulerLike } from 'rxjs';
import type { Batch, Reject, SourceOffset } from '../core/batch.ts';
import type { ResultRow } from '../core/channel-aggregate.ts';
import type { Flush, UpsertRow } from '../core/flush.ts';
import { groupKeyOfRow } from '../core/group-key.ts';
import { collectHistory } from '../core/minute-history.ts';

/** Options of {@link bufferFlush}, the tutorial's JDBC `flush.interval` and `flush.max-rows`. */
export interface BufferFlushOptions {
  /** Flush at least this often, ms. Default: 1000. */
  readonly intervalMs?: number;
  /** Flush as soon as this many changes (rows and rejects) wait. Default: 1000. */
  readonly maxRows?: number;
  /** Where the interval is timed. Default: asyncScheduler (a virtual one in tests). */
  readonly scheduler?: SchedulerLike;
}

export type { Flush, UpsertRow } from '../core/flush.ts';

type Pending =
  | { readonly kind: 'row'; readonly row: ResultRow }
  | { readonly kind: 'reject'; readonly reject: Reject }
  | { readonly kind: 'progress'; readonly progress: readonly SourceOffset[] };

/** Buffers changed rows with `bufferTime` and emits one {@link Flush} per interval or per `maxRows`. */
export function bufferFlush(options: BufferFlushOptions = {}): OperatorFunction<Batch<ResultRow>, Flush> {
  const { intervalMs = 1000, maxRows = 1000, scheduler = asyncScheduler } = options;
  return (batches) =>
    batches.pipe(
      mergeMap((batch): Pending[] => [
        ...batch.items.map((row): Pending => ({ kind: 'row', row })),
        ...batch.rejects.map((reject): Pending => ({ kind: 'reject', reject })),
        // After the batch's rows: its offsets are done once every row before them is written.
        { kind: 'progress', progress: batch.progress },
      ]),
      bufferTime(intervalMs, null, maxRows, scheduler),
      filter((pending) => pending.length > 0),
      map(toFlush),
    );
}

function toFlush(pending: readonly Pending[]): Flush {
  const latest = new Map<string, ResultRow>();
  const history = collectHistory();
  const rejects: Reject[] = [];
  const progress = new Map<number, number>();
  for (const item of pending) {
    if (item.kind === 'row') {
      latest.set(groupKeyOfRow(item.row), item.row);
      history.add(item.row.beginTime, item.row.channelCode, item.row.history);
    } else if (item.kind === 'reject') rejects.push(item.reject);
    else {
      for (const { partition, offset } of item.progress) {
        if (offset > (progress.get(partition) ?? -Infinity)) progress.set(partition, offset);
      }
    }
  }
  const upserts: UpsertRow[] = [];
  const deletes: { beginTime: string; channelCode: string }[] = [];
  for (const row of latest.values()) {
    if (row.figures === null) deletes.push({ beginTime: row.beginTime, channelCode: row.channelCode });
    else upserts.push({ beginTime: row.beginTime, channelCode: row.channelCode, figures: row.figures });
  }
  return { upserts, deletes, history: history.result(), rejects, progress: [...progress].map(([partition, offset]) => ({ partition, offset })) };
}
