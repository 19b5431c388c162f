import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Batch } from '../../src/core/batch.ts';
import { channelOf } from '../../src/core/channel.ts';
import { aggregate } from '../../src/operators/aggregate.ts';
import type { ChannelContribution } from '../../src/operators/map-channel.ts';

function change(day: string, sign: 1 | -1, amount: number, channel = 'webShop'): ChannelContribution {
  return { sign, day, channel, userId: 'u1', amount, payTime: `${day} 10:00:00`, channelOfOrder: channelOf(channel) };
}

function batch(...items: ChannelContribution[]): Batch<ChannelContribution> {
  return { source: 'test', items, rejects: [], progress: [] };
}

describe('aggregate', () => {
  it('emits one row per group a batch changed, stamped with the clock in the zone', async () => {
    const out = await lastValueFrom(
      from([batch(change('2021-03-25', 1, 5), change('2021-03-25', 1, 7), change('2021-03-25', 1, 1, 'appShop')), batch(change('2021-03-25', -1, 5))]).pipe(
        aggregate({ clock: () => Date.UTC(2021, 2, 25, 4, 0, 0, 123), zone: 'Asia/Shanghai' }),
        toArray(),
      ),
    );
    expect(out.map((b) => b.items.map((r) => [r.channelCode, r.figures?.orderCount, r.figures?.gmvText]))).toEqual([
      [
        ['webShop', 2, '0.000012'],
        ['appShop', 1, '0.000001'],
      ],
      [['webShop', 1, '0.000007']],
    ]);
    expect(out[0]?.items[0]?.figures?.computedAt).toBe('2021-03-25 12:00:00.123');
  });

  it('in live mode lets go of the day before once the next day starts, and starts that day from zero', async () => {
    const out = await lastValueFrom(
      from([batch(change('2021-03-24', 1, 5)), batch(change('2021-03-25', 1, 7)), batch(change('2021-03-24', 1, 1))]).pipe(
        aggregate({ clock: () => 0, zone: 'UTC', latestDayOnly: true }),
        toArray(),
      ),
    );
    // The late change of the 24th starts a new group: the old one's state is gone.
    expect(out.map((b) => b.items.map((r) => [r.beginTime.slice(0, 10), r.figures?.orderCount]))).toEqual([[['2021-03-24', 1]], [['2021-03-25', 1]], [['2021-03-24', 1]]]);
  });
});
