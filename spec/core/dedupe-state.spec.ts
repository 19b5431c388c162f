import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyOrder, createDedupeState, currentContributions, dayColumns, dropDay, restoreDay, trackedOrders, type Contribution } from '../../src/core/dedupe-state.ts';
import { restoreDedupe, snapshotDedupe } from '../../src/core/dedupe-snapshot.ts';
import type { PaidVersion } from '../../src/core/order.ts';
import { parseTimestamp } from '../../src/core/order-time.ts';

function order(orderId: string, orderTime: string, payTime: string, realPay: number | bigint, channel = 'webShop', userId: string | null = 'u1'): PaidVersion {
  return { orderId, orderTime: parseTimestamp(orderTime)!, payTime, realPay, userId, channel };
}

describe('the dedupe state', () => {
  it('counts an order of a dropped day as new when the day comes again, and goes on from a day put back from its columns', () => {
    const state = createDedupeState();
    const out: Contribution[] = [];
    applyOrder(state, order('1', '2021-03-25 10:00:00', '2021-03-25 10:01:00', 5), out);
    dropDay(state, '2021-03-25');
    applyOrder(state, order('1', '2021-03-25 10:00:00', '2021-03-25 10:01:00', 5), out);
    expect(out.map((c) => c.sign)).toEqual([1, 1]);
    const other = createDedupeState();
    applyOrder(other, order('2', '2021-03-25 10:00:00', '2021-03-25 10:02:00', 6), []);
    restoreDay(state, '2021-03-25', dayColumns(other, '2021-03-25'));
    out.length = 0;
    applyOrder(state, order('2', '2021-03-25 10:00:00', '2021-03-25 10:03:00', 7), out); // a tie with the order put back: nothing
    applyOrder(state, order('1', '2021-03-25 10:00:00', '2021-03-25 10:01:00', 5), out); // gone with the day replaced: new
    expect(out.map((c) => [c.sign, c.amount])).toEqual([[1, 5]]);
  });

  it('retracts an order at its delete, ignores a delete older than the version that counts, and counts a later version again', async () => {
    const state = createDedupeState();
    const out: Contribution[] = [];
    const deleted = (o: PaidVersion): PaidVersion => ({ ...o, deleted: true });
    applyOrder(state, order('1', '2021-03-25 10:00:00', '2021-03-25 10:01:00', 5), out);
    applyOrder(state, deleted(order('1', '2021-03-25 09:00:00', '2021-03-25 10:01:00', 5)), out); // deletes a version already replaced
    expect(out.map((c) => [c.sign, c.amount])).toEqual([[1, 5]]);
    applyOrder(state, deleted(order('1', '2021-03-25 10:00:00', '2021-03-25 10:01:00', 5)), out); // deletes the one that counts: it wins the tie
    expect(out.map((c) => [c.sign, c.amount])).toEqual([[1, 5], [-1, 5]]);
    applyOrder(state, order('1', '2021-03-25 10:00:00', '2021-03-25 10:05:00', 6), out); // not later than the delete: stays deleted
    applyOrder(state, deleted(order('2', '2021-03-25 10:00:00', '2021-03-25 10:01:00', 9)), out); // a delete of an order never seen
    applyOrder(state, order('2', '2021-03-25 09:00:00', '2021-03-25 10:01:00', 9), out); // older than its delete
    expect(out).toHaveLength(2);
    const restored = restoreDedupe(await snapshotDedupe(state)); // the deletes survive a checkpoint
    expect(currentContributions(restored)).toEqual([]);
    applyOrder(restored, order('1', '2021-03-25 11:00:00', '2021-03-25 11:01:00', 7), out); // a later version: the order is back
    expect(out.slice(2).map((c) => [c.sign, c.amount])).toEqual([[1, 7]]);
  });


  it('retracts the version a later order_time replaces, even across channel, user and amount', () => {
    const state = createDedupeState();
    const out: Contribution[] = [];
    applyOrder(state, order('1', '2021-03-25 10:00:00', '2021-03-25 10:01:00', 5_000_000, 'webShop', 'u1'), out);
    applyOrder(state, order('1', '2021-03-25 11:00:00', '2021-03-25 11:01:00', 7_000_000, 'appShop', null), out);
    expect(out.map((change) => change.user)).toEqual([0, 0, -1]); // the day's users, by number: a group counts them so
    expect(out.every((change) => change.users === out[0]!.users)).toBe(true);
    expect(out.map(({ users, user, ...change }) => change)).toEqual([
      { sign: 1, day: '2021-03-25', channel: 'webShop', userId: 'u1', amount: 5_000_000, payTime: '2021-03-25 10:01:00' },
      { sign: -1, day: '2021-03-25', channel: 'webShop', userId: 'u1', amount: 5_000_000, payTime: '2021-03-25 10:01:00' },
      { sign: 1, day: '2021-03-25', channel: 'appShop', userId: null, amount: 7_000_000, payTime: '2021-03-25 11:01:00' },
    ]);
  });

  it('keeps the first of equal order_time and ignores older versions', () => {
    const state = createDedupeState();
    const out: Contribution[] = [];
    applyOrder(state, order('1', '2021-03-25 10:00:00', '2021-03-25 10:01:00', 5), out);
    applyOrder(state, order('1', '2021-03-25 10:00:00', '2021-03-25 10:02:00', 6), out);
    applyOrder(state, order('1', '2021-03-25 09:00:00', '2021-03-25 10:03:00', 7), out);
    expect(out.map((c) => [c.sign, c.amount])).toEqual([[1, 5]]);
  });

  it('keeps amounts beyond 2^53 micro-units exact through a retraction', () => {
    const state = createDedupeState();
    const out: Contribution[] = [];
    applyOrder(state, order('1', '2021-03-25 10:00:00', '2021-03-25 10:01:00', 10n ** 20n), out);
    applyOrder(state, order('1', '2021-03-25 10:00:01', '2021-03-25 10:01:00', 1), out);
    expect(out[1]).toMatchObject({ sign: -1, amount: 10n ** 20n });
  });

  it('nets out to exactly the winning version of every order (property)', () => {
    const version = fc.record({
      id: fc.constantFrom('a', 'b', 'c'),
      second: fc.integer({ min: 0, max: 3 }),
      day: fc.constantFrom('2021-03-24', '2021-03-25'),
      amount: fc.integer({ min: 0, max: 100 }),
      channel: fc.constantFrom('webShop', 'x'),
    });
    fc.assert(
      fc.property(fc.array(version, { maxLength: 40 }), (versions) => {
        const state = createDedupeState();
        const out: Contribution[] = [];
        const orders = versions.map((v) => order(v.id, `2021-03-25 10:00:0${v.second}`, `${v.day} 10:00:00`, v.amount, v.channel));
        for (const o of orders) applyOrder(state, o, out);
        const net = new Map<string, number>();
        for (const c of out) {
          const key = `${c.day}|${c.channel}|${String(c.amount)}`;
          net.set(key, (net.get(key) ?? 0) + c.sign);
        }
        const winners = new Map<string, PaidVersion>();
        for (const o of orders) {
          const key = `${o.payTime.slice(0, 10)}|${o.orderId}`;
          const current = winners.get(key);
          if (current === undefined || o.orderTime > current.orderTime) winners.set(key, o);
        }
        const expected = new Map<string, number>();
        for (const o of winners.values()) {
          const key = `${o.payTime.slice(0, 10)}|${o.channel}|${String(o.realPay)}`;
          expected.set(key, (expected.get(key) ?? 0) + 1);
        }
        expect(new Map([...net].filter(([, n]) => n !== 0))).toEqual(expected);
        expect(trackedOrders(state)).toBe(winners.size);
      }),
    );
  });

  it('forgets a dropped day entirely', () => {
    const state = createDedupeState();
    applyOrder(state, order('1', '2021-03-24 10:00:00', '2021-03-24 10:01:00', 5), []);
    dropDay(state, '2021-03-24');
    expect(trackedOrders(state)).toBe(0);
  });
});
