import { asyncScheduler, Observable, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import type { Batch, Reject, SourceOffset } from '../core/batch.ts';
import type { ResultRow } from '../core/channel-aggregate.ts';
import type { Flush, UpsertRow } from '../core/flush.ts';
import { groupKeyOfRow } from '../core/group-key.ts';
import { collectHistory } from '../core/minute-history.ts';
import { laterPosition, type NextOffset } from '../core/positions.ts';

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

/**
 * Buffers changed rows and emits one {@link Flush} per interval or once `maxRows` changes are held.
 * A flush holds whole batches only, so the offsets it completes cover every row it holds: the
 * table is never ahead of the progress written with it, which is what a restart holds back to.
 */
export function bufferFlush(options: BufferFlushOptions = {}): OperatorFunction<Batch<ResultRow>, Flush> {
  const { intervalMs = 1000, maxRows = 1000, scheduler = asyncScheduler } = options;
  return (batches) =>
    new Observable<Flush>((subscriber) => {
      let pending: Pending[] = []; // its length is the changes held: each row, reject and batch's offsets count one
      let timer: Subscription | undefined;
      const emit = (): void => {
        if (pending.length > 0) subscriber.next(toFlush(pending));
        pending = [];
      };
      // The interval starts again after a flush cut by size, as bufferTime's does.
      const startTimer = (): void => {
        timer?.unsubscribe();
        timer = scheduler.schedule(function tick() {
          emit();
          this.schedule(undefined, intervalMs);
        }, intervalMs);
      };
      startTimer();
      const subscription = batches.subscribe({
        next: (batch) => {
          for (const row of batch.items) pending.push({ kind: 'row', row });
          for (const reject of batch.rejects) pending.push({ kind: 'reject', reject });
          // After the batch's rows: its offsets are done once every row before them is written.
          pending.push({ kind: 'progress', progress: batch.progress });
          if (pending.length >= maxRows) {
            emit();
            startTimer();
          }
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          emit();
          subscriber.complete();
        },
      });
      return () => {
        timer?.unsubscribe();
        subscription.unsubscribe();
      };
    });
}

function toFlush(pending: readonly Pending[]): Flush {
  const latest = new Map<string, ResultRow>();
  const history = collectHistory();
  const rejects: Reject[] = [];
  const progress = new Map<number, NextOffset>();
  for (const item of pending) {
    if (item.kind === 'row') {
      latest.set(groupKeyOfRow(item.row), item.row);
      history.add(item.row.beginTime, item.row.channelCode, item.row.history);
    } else if (item.kind === 'reject') rejects.push(item.reject);
    else {
      for (const { partition, next } of item.progress) progress.set(partition, laterPosition(progress.get(partition), next));
    }
  }
  const upserts: UpsertRow[] = [];
  const deletes: { beginTime: string; channelCode: string }[] = [];
  for (const row of latest.values()) {
    if (row.figures === null) deletes.push({ beginTime: row.beginTime, channelCode: row.channelCode });
    else upserts.push({ beginTime: row.beginTime, channelCode: row.channelCode, figures: row.figures });
  }
  return { upserts, deletes, history: history.result(), rejects, progress: [...progress].map(([partition, next]) => ({ partition, next })) };
}
