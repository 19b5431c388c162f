import { concat, map, of, timer, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createCounters, type Batch, type RawRecord } from '../src/core/batch.ts';
import { restoreDedupe, snapshotDedupe } from '../src/core/dedupe-snapshot.ts';
import { createDedupeState, keepOnlyDay, trackedOrders } from '../src/core/dedupe-state.ts';
import type { Flush } from '../src/operators/buffer-flush.ts';
import { salesPipeline } from '../src/pipeline.ts';
import { positionAfter } from '../src/core/positions.ts';

const BEFORE_MIDNIGHT = Date.parse('2021-03-25T23:59:58+08:00');
const ZONE = 'Asia/Shanghai';

function order(id: string, payTime: string, pay: string, orderTime = payTime): string {
  return JSON.stringify({ order_id: id, order_channel: 'webShop', order_time: orderTime, real_pay: pay, pay_time: payTime, user_id: `u${id}` });
}

function batch(offset: number, ...lines: string[]): Batch<RawRecord> {
  return { source: 'test', items: lines.map((value, i) => ({ value, partition: 0, offset: offset + i })), rejects: [], progress: [{ partition: 0, next: positionAfter(offset + lines.length - 1) }] };
}

/** A virtual clock in epoch ms, starting at `start`. */
function clockAt(start: number): VirtualTimeScheduler {
  const scheduler = new VirtualTimeScheduler();
  scheduler.now = () => start + scheduler.frame;
  return scheduler;
}

function table(flushes: Flush[]): Map<string, string> {
  const rows = new Map<string, string>();
  for (const flush of flushes) {
    for (const row of flush.upserts) rows.set(row.beginTime, `${row.figures.gmvText} x${row.figures.orderCount}`);
    for (const key of flush.deletes) rows.delete(key.beginTime);
  }
  return rows;
}

describe('live mode across midnight (an injected clock)', () => {
  it('leaves the old day\'s row as it was last written and starts the new day from zero', () => {
    const scheduler = clockAt(BEFORE_MIDNIGHT);
    const flushes: Flush[] = [];
    const dedupeState = createDedupeState();
    concat(
      of(batch(1, order('1', '2021-03-25 23:50:00', '10.00'), order('2', '2021-03-25 23:59:00', '5.00'))),
      timer(5000, scheduler).pipe(
        map(() =>
          batch(
            3,
            order('3', '2021-03-26 00:00:01', '7.00'),
            order('1', '2021-03-25 23:59:59', '99.00', '2021-03-26 00:00:02'), // a late version of yesterday's order
            order('2', '2021-03-26 00:00:03', '6.00', '2021-03-26 00:00:03'), // paid again today: a new order of today
          ),
        ),
      ),
    )
      .pipe(salesPipeline({ days: { kind: 'live', zone: ZONE }, zone: ZONE, counters: createCounters(), scheduler, dedupeState }))
      .subscribe((flush) => flushes.push(flush));
    scheduler.flush();
    expect(table(flushes)).toEqual(
      new Map([
        ['2021-03-25 00:00:00', '15.00 x2'],
        ['2021-03-26 00:00:00', '13.00 x2'],
      ]),
    );
    expect([...dedupeState.days.keys()]).toEqual(['2021-03-26']); // the old day's state is gone
  });

  it('after a restart across midnight, starts the new day from zero and leaves the old day\'s rows alone', async () => {
    // Before midnight: a run checkpoints its state.
    const before = createDedupeState();
    const evening = clockAt(BEFORE_MIDNIGHT);
    of(batch(1, order('1', '2021-03-25 23:50:00', '10.00')))
      .pipe(salesPipeline({ days: { kind: 'live', zone: ZONE }, zone: ZONE, counters: createCounters(), scheduler: evening, dedupeState: before }))
      .subscribe();
    evening.flush();
    const checkpoint = await snapshotDedupe(before);

    // Down at midnight; restarted at 00:10 the next day, as run-job restores a live run.
    const restored = restoreDedupe(checkpoint);
    keepOnlyDay(restored, '2021-03-26');
    expect(trackedOrders(restored)).toBe(0);
    const morning = clockAt(Date.parse('2021-03-26T00:10:00+08:00'));
    const flushes: Flush[] = [];
    of(batch(2, order('2', '2021-03-26 00:09:00', '3.00'), order('1', '2021-03-25 23:55:00', '50.00', '2021-03-25 23:58:00')))
      .pipe(salesPipeline({ days: { kind: 'live', zone: ZONE }, zone: ZONE, counters: createCounters(), scheduler: morning, dedupeState: restored }))
      .subscribe((flush) => flushes.push(flush));
    morning.flush();
    expect(table(flushes)).toEqual(new Map([['2021-03-26 00:00:00', '3.00 x1']]));
  });
});
