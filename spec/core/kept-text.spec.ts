import { describe, expect, it } from 'vitest';
import { applyChange, createChannelGroup } from '../../src/core/channel-aggregate.ts';
import { applyOrder, createDedupeState, type Contribution } from '../../src/core/dedupe-state.ts';
import { keptText } from '../../src/core/kept-text.ts';
import { readOrder, type PaidOrder } from '../../src/core/order.ts';
import { liveHeapBytes } from '../support/heap.ts';

const MESSAGES = 2_000;
const PADDING = 'x'.repeat(20_000);

/** A message of 20 KB of its own: its ids are slices of it, as the reader cuts them. */
function message(i: number): string {
  const id = String(20261120000000000000n + BigInt(i));
  return `{"order_id":"${id}","order_channel":"webShop","order_time":"2026-11-20 10:00:00","real_pay":"1.50","pay_time":"2026-11-20 10:00:00","user_id":"user-${id}","note":"${PADDING}"}`;
}

function paidOrder(i: number): PaidOrder {
  const order = readOrder(message(i), { value: '', partition: 0, offset: i });
  if (typeof order === 'string' || order.payTime === null || order.realPay === null) throw new Error(`Cannot read the spec's message: ${String(order)}`);
  return order as PaidOrder;
}

describe('long-lived state', () => {
  it('keeps none of the messages its order ids and user ids were read from: the dedupe state grows by the ids, not by 20 KB a message', () => {
    const state = createDedupeState();
    const out: Contribution[] = [];
    const before = liveHeapBytes();
    for (let i = 0; i < MESSAGES; i++) {
      applyOrder(state, paidOrder(i), out);
      out.length = 0;
    }
    const grown = liveHeapBytes() - before;
    // Kept whole, the messages would be 40 MB; the ids of 2,000 orders are well under 2 MB.
    expect(grown).toBeLessThan(2_000_000);
    expect(state.days.get('2026-11-20')?.size).toBe(MESSAGES);
  });

  it('keeps none of the messages the users of a group were read from', () => {
    const group = createChannelGroup('2026-11-20', 'web', 'webShop');
    const before = liveHeapBytes();
    for (let i = 0; i < MESSAGES; i++) {
      const order = paidOrder(i);
      applyChange(group, { sign: 1, userId: order.userId, amount: order.realPay, payTime: order.payTime });
    }
    expect(liveHeapBytes() - before).toBeLessThan(2_000_000);
    expect(group.users.distinct).toBe(MESSAGES);
  });

  it('keeps the text it is given, character for character', () => {
    for (const text of ['', 'u1', 'twelve chars', 'thirteen char', '2026112000000000000123', 'é'.repeat(40), '\u{1F600}'.repeat(20)]) expect(keptText(text)).toBe(text);
  });
});
