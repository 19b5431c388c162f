import { map, type OperatorFunction } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import type { Batch } from '../../src/core/batch.ts';
import type { ResultRow } from '../../src/core/channel-aggregate.ts';
import { bufferFlush, type Flush } from '../../src/operators/buffer-flush.ts';
import { asNextOffset } from '../../src/core/positions.ts';

function row(channelCode: string, orderCount: number | null): ResultRow {
  const figures =
    orderCount === null
      ? null
      : { channelName: channelCode, gmvText: '1.000000', gmv: 1, userCount: 1, orderCount, lastPayTime: '2021-03-25 10:00:00', computedAt: 'now' };
  return { beginTime: '2021-03-25 00:00:00', channelCode, figures, history: { whole: false, minutes: [] } };
}

function batch(next: number, ...rows: ResultRow[]): Batch<ResultRow> {
  return { source: 'test', items: rows, rejects: [], progress: [{ partition: 0, next: asNextOffset(next) }] };
}

function summary(flush: Flush): string {
  const upserts = flush.upserts.map((u) => `${u.channelCode}=${u.figures.orderCount}`);
  const deletes = flush.deletes.map((d) => `-${d.channelCode}`);
  return [...upserts, ...deletes, `@${flush.progress.map((p) => p.next).join(',')}`].join(' ');
}

describe('bufferFlush', () => {
  it('flushes every interval of virtual time, with the latest value per key', () => {
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ cold, expectObservable }) => {
      const input = cold('a 99ms b 899ms c 999ms |', {
        a: batch(1, row('webShop', 1)),
        b: batch(2, row('webShop', 2), row('appShop', 1)),
        c: batch(3, row('appShop', null)),
      });
      const output = input.pipe(bufferFlush({ intervalMs: 1000, maxRows: 1000 }));
      // The first second holds a and b (c comes as it closes); the end flushes c.
      expectObservable(output.pipe(mapSummary())).toBe('1000ms x 999ms (y|)', {
        x: 'webShop=2 appShop=1 @2',
        y: '-appShop @3',
      });
    });
  });

  it('flushes as soon as the changes reach maxRows, before the interval', () => {
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ cold, expectObservable }) => {
      const input = cold('a b c |', { a: batch(1, row('webShop', 1)), b: batch(2, row('appShop', 1)), c: batch(3, row('other', 1)) });
      // maxRows 4: a and b are four changes (a row and its offsets each), flushed with b; c waits for the end.
      expectObservable(input.pipe(bufferFlush({ intervalMs: 1000, maxRows: 4 }), mapSummary())).toBe('-x-(y|)', {
        x: 'webShop=1 appShop=1 @2',
        y: 'other=1 @3',
      });
    });
  });

  it('never cuts a batch: a flush holds whole batches, so the offsets it completes cover every row in it', () => {
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ cold, expectObservable }) => {
      const input = cold('a b |', { a: batch(1, row('webShop', 1), row('appShop', 1), row('other', 1)), b: batch(2, row('miniAppShop', 1)) });
      // maxRows 2 is reached inside a: the flush takes the rest of a with it, never a row without its offset.
      expectObservable(input.pipe(bufferFlush({ intervalMs: 1000, maxRows: 2 }), mapSummary())).toBe('xy|', {
        x: 'webShop=1 appShop=1 other=1 @1',
        y: 'miniAppShop=1 @2',
      });
    });
  });

  it('emits nothing while nothing changes', () => {
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ cold, expectObservable }) => {
      expectObservable(cold<Batch<ResultRow>>('5s |').pipe(bufferFlush({ intervalMs: 1000 }))).toBe('5s |');
    });
  });
});

function mapSummary(): OperatorFunction<Flush, string> {
  return map(summary);
}
