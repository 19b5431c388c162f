import { counted } from '../support/counted.ts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { captureDedupe, encodeCapture, restoreDedupe } from '../../src/core/dedupe-snapshot.ts';
import { applyOrder, createDedupeState, type Contribution } from '../../src/core/dedupe-state.ts';
import { parseTimestamp } from '../../src/core/order-time.ts';

const version = fc.record({
  id: fc.oneof(fc.constantFrom('a', 'b', '9007199254740993'), fc.string({ minLength: 1, maxLength: 8 })),
  second: fc.integer({ min: 0, max: 3 }),
  day: fc.constantFrom('2021-03-24', '2021-03-25'),
  amount: fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.bigInt({ min: 2n ** 60n, max: 2n ** 70n })),
  user: fc.option(fc.constantFrom('u1', 'u2', 'ü3'), { nil: null }),
  channel: fc.option(fc.constantFrom('webShop', 'x'), { nil: null }),
});

describe('a checkpoint of the dedupe state', () => {
  it('restores to a state that counts exactly the same orders, and goes on the same way (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(version, { maxLength: 40 }), fc.array(version, { maxLength: 20 }), async (before, after) => {
        const toOrder = (v: (typeof before)[number]) => ({
          orderId: v.id,
          orderTime: parseTimestamp(`2021-03-25 10:00:0${v.second}`)!,
          payTime: `${v.day} 10:00:00`,
          realPay: typeof v.amount === 'bigint' ? v.amount : v.amount,
          userId: v.user,
          channel: v.channel,
        });
        const original = createDedupeState();
        for (const v of before) applyOrder(original, toOrder(v), []);
        const capture = captureDedupe(original);
        // What happens after the capture must not leak into it.
        const live: Contribution[] = [];
        for (const v of after) applyOrder(original, toOrder(v), live);
        const restored = restoreDedupe(await encodeCapture(capture));
        const replayed: Contribution[] = [];
        for (const v of after) applyOrder(restored, toOrder(v), replayed);
        expect(replayed).toEqual(live);
        expect(counted(restored)).toEqual(counted(original));
      }),
      { numRuns: 300 },
    );
  });
});
