import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyChange, createChannelGroup, toResultRow, type ChannelGroup } from '../../src/core/channel-aggregate.ts';
import { exactAttos } from '../support/replay.ts';

const DAY = '2021-03-25';
const change = fc.record({
  userId: fc.constantFrom('u1', 'u2', null),
  amount: fc.integer({ min: 0, max: 10_000_000 }),
  second: fc.integer({ min: 0, max: 86_399 }),
});

function stamp(second: number): string {
  const t = new Date(Date.UTC(2021, 2, 25) + second * 1000).toISOString();
  return `${t.slice(0, 10)} ${t.slice(11, 19)}`;
}

describe('a channel group', () => {
  it('equals a recomputation over the changes still counted, whatever was retracted (property)', () => {
    fc.assert(
      fc.property(fc.array(change, { minLength: 1, maxLength: 50 }), fc.array(fc.boolean(), { minLength: 50, maxLength: 50 }), (changes, retract) => {
        const group = createChannelGroup(DAY, 'webShop', 'Website');
        for (const c of changes) applyChange(group, { sign: 1, userId: c.userId, amount: c.amount, payTime: stamp(c.second) });
        const kept = changes.filter((c, i) => {
          if (!retract[i]) return true;
          applyChange(group, { sign: -1, userId: c.userId, amount: c.amount, payTime: stamp(c.second) });
          return false;
        });
        const row = toResultRow(group, 'now');
        if (kept.length === 0) {
          expect(row.figures).toBeNull();
          return;
        }
        expect(row.figures).toMatchObject({
          orderCount: kept.length,
          userCount: new Set(kept.flatMap((c) => (c.userId === null ? [] : [c.userId]))).size,
          gmv: kept.reduce((sum, c) => sum + c.amount, 0) / 1e6,
          lastPayTime: stamp(Math.max(...kept.map((c) => c.second))),
        });
      }),
    );
  });

  it('brings last_pay_time back down when the latest payment is retracted', () => {
    const group = createChannelGroup(DAY, 'webShop', 'Website');
    applyChange(group, { sign: 1, userId: 'u1', amount: 1, payTime: `${DAY} 08:00:00` });
    applyChange(group, { sign: 1, userId: 'u2', amount: 1, payTime: `${DAY} 16:16:16` });
    applyChange(group, { sign: -1, userId: 'u2', amount: 1, payTime: `${DAY} 16:16:16` });
    expect(toResultRow(group, 'now').figures).toMatchObject({ lastPayTime: `${DAY} 08:00:00`, userCount: 1, orderCount: 1 });
  });

  it('keeps per minute of pay_time the exact GMV and orders of what still counts, and passes on only the minutes that changed (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(change, fc.boolean()), { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 10 }), (steps, rowEvery) => {
        const group = createChannelGroup(DAY, 'webShop', 'Website');
        const stored = new Map<number, { gmv: bigint; orders: number }>(); // what a table of the rows' minutes holds
        const counted: (typeof steps)[number][0][] = [];
        const take = (): void => {
          const { history } = toResultRow(group, 'now');
          if (history.whole) stored.clear();
          for (const m of history.minutes) stored.set(m.minute, { gmv: exactAttos(m.gmvText), orders: m.orderCount });
        };
        steps.forEach(([c, retractLater], i) => {
          applyChange(group, { sign: 1, userId: c.userId, amount: c.amount, payTime: stamp(c.second) });
          counted.push(c);
          if (retractLater && i % 2 === 1) {
            const gone = counted.splice(0, 1)[0]!; // a correction: the oldest contribution leaves
            applyChange(group, { sign: -1, userId: gone.userId, amount: gone.amount, payTime: stamp(gone.second) });
          }
          if (i % rowEvery === 0) take();
        });
        take();
        const expected = new Map<number, { gmv: bigint; orders: number }>();
        for (const c of counted) {
          const minute = Math.floor(c.second / 60);
          const at = expected.get(minute) ?? { gmv: 0n, orders: 0 };
          expected.set(minute, { gmv: at.gmv + BigInt(c.amount) * 10n ** 12n, orders: at.orders + 1 }); // micro-units, as attos
        }
        const nonZero = new Map([...stored].filter(([, figures]) => figures.orders !== 0 || figures.gmv !== 0n));
        expect(nonZero).toEqual(expected);
      }),
    );
  });

  it('passes every minute with orders on its first row, then only the minutes a change touched, both of them when a pay time moves', () => {
    const group = createChannelGroup(DAY, 'webShop', 'Website');
    applyChange(group, { sign: 1, userId: 'u1', amount: 1_500_000, payTime: `${DAY} 00:00:10` });
    applyChange(group, { sign: 1, userId: 'u2', amount: 2_000_000, payTime: `${DAY} 06:07:00` });
    expect(toResultRow(group, 'now').history).toEqual({
      whole: true,
      minutes: [
        { minute: 0, gmvText: '1.50', orderCount: 1 },
        { minute: 367, gmvText: '2.00', orderCount: 1 },
      ],
    });
    expect(toResultRow(group, 'now').history).toEqual({ whole: false, minutes: [] });
    // The order of 06:07 is corrected to 23:59: it leaves its old minute.
    applyChange(group, { sign: -1, userId: 'u2', amount: 2_000_000, payTime: `${DAY} 06:07:00` });
    applyChange(group, { sign: 1, userId: 'u2', amount: 2_500_000, payTime: `${DAY} 23:59:59` });
    expect(toResultRow(group, 'now').history).toEqual({
      whole: false,
      minutes: [
        { minute: 367, gmvText: '0.00', orderCount: 0 },
        { minute: 1439, gmvText: '2.50', orderCount: 1 },
      ],
    });
  });

  it('writes zeros for the minutes of a group whose last order left', () => {
    const group: ChannelGroup = createChannelGroup(DAY, 'other', 'Other');
    applyChange(group, { sign: 1, userId: null, amount: 400_000_000, payTime: `${DAY} 15:10:00` });
    toResultRow(group, 'now');
    applyChange(group, { sign: -1, userId: null, amount: 400_000_000, payTime: `${DAY} 15:10:00` });
    const row = toResultRow(group, 'now');
    expect(row.figures).toBeNull();
    expect(row.history).toEqual({ whole: false, minutes: [{ minute: 910, gmvText: '0.00', orderCount: 0 }] });
  });
});
