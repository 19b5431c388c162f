import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dedupe } from '../../src/core/dedupe.ts';
import { createDedupeState, currentContributions, type Contribution } from '../../src/core/dedupe-state.ts';
import { toAttos } from '../../src/core/money.ts';
import { orderStream, type RecordMeaning } from '../support/order-arbitraries.ts';
import { batchesOf, paidOrders } from '../support/steps.ts';
import { asNextOffset } from '../../src/core/positions.ts';

/** A contribution as a key of a multiset: what it adds to its day's figures. */
const keyOf = (c: { day: string; channel: string | null; userId: string | null; attos: bigint; payTime: string }): string => JSON.stringify([c.day, c.channel, c.userId, c.attos.toString(), c.payTime]);

/** Per day and order, the first version with the greatest order_time: the orders that count, by brute force. */
function winners(records: readonly RecordMeaning[]): Map<string, number> {
  const best = new Map<string, NonNullable<RecordMeaning['order']>>();
  for (const { order } of records) {
    if (order === null || order.payTime === null || order.attos === null) continue;
    const key = `${order.payTime.slice(0, 10)}|${order.orderId}`;
    const current = best.get(key);
    if (current === undefined || order.orderTime > current.orderTime) best.set(key, order);
  }
  const counts = new Map<string, number>();
  for (const order of best.values()) {
    const key = keyOf({ day: order.payTime!.slice(0, 10), channel: order.channel, userId: order.userId, attos: order.attos!, payTime: order.payTime! });
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

function net(contributions: readonly Contribution[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const c of contributions) {
    const key = keyOf({ ...c, attos: toAttos(c.amount) });
    const next = (counts.get(key) ?? 0) + c.sign;
    if (next === 0) counts.delete(key);
    else counts.set(key, next);
  }
  return counts;
}

describe('the dedupe step', () => {
  it('emits, batch by batch, retractions and inserts that net out to the orders a brute force counts (property)', () => {
    fc.assert(
      fc.property(orderStream, fc.integer({ min: 1, max: 25 }), (records, size) => {
        const state = createDedupeState();
        const meanings = records.map((r) => r.meaning);
        const out = batchesOf(paidOrders(meanings), size).flatMap((batch) => dedupe(state, batch, { now: 0 }).items);
        expect(net(out)).toEqual(winners(meanings));
        expect(net(currentContributions(state))).toEqual(winners(meanings));
      }),
      { numRuns: 500 },
    );
  }, 120_000);

  it('carries the batch along: its rejects and progress stay, and nothing is rejected when nothing throws', () => {
    const reject = { source: 'test', partition: 0, offset: 3, reason: 'order_id: missing', raw: '{}', rawBytes: 2, rejectedAt: 1 };
    const order = { orderId: '1', orderTime: 1, payTime: '2021-03-25 10:00:00', realPay: 5, userId: 'u1', channel: 'webShop', record: { value: '', partition: 0, offset: 4 } };
    const out = dedupe(createDedupeState(), { source: 'test', items: [order], rejects: [reject], progress: [{ partition: 0, next: asNextOffset(5) }] }, { now: 9 });
    expect(out.rejects).toEqual([reject]);
    expect(out.progress).toEqual([{ partition: 0, next: 5 }]);
    expect(out.items.map((c) => c.sign)).toEqual([1]);
  });

  it('rejects a version whose dedupe throws as internal, stamped now, and goes on with the rest of the batch', () => {
    const state = createDedupeState();
    const record = (offset: number) => ({ value: `line ${offset}`, partition: 0, offset });
    // A pay time that is not a timestamp is the kind of bug the reject guards against.
    const broken = { orderId: '1', orderTime: 1, payTime: undefined as unknown as string, realPay: 5, userId: null, channel: null, record: record(1) };
    const fine = { orderId: '2', orderTime: 1, payTime: '2021-03-25 10:00:00', realPay: 5, userId: null, channel: null, record: record(2) };
    const out = dedupe(state, { source: 'test', items: [broken, fine], rejects: [], progress: [] }, { now: 9 });
    expect(out.rejects.map((r) => [r.offset, r.reason.startsWith('internal: '), r.rejectedAt])).toEqual([[1, true, 9]]);
    expect(out.items).toHaveLength(1);
  });
});
