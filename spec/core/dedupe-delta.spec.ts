import { counted } from '../support/counted.ts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compactIncremental, encodeDelta, restoreIncremental } from '../../src/core/dedupe-delta.ts';
import { snapshotDedupe } from '../../src/core/dedupe-snapshot.ts';
import { applyOrder, createDedupeState, dropDay, keepOnlyDay, takeChanges, trackChanges, type Contribution, type DedupeState } from '../../src/core/dedupe-state.ts';
import { parseTimestamp } from '../../src/core/order-time.ts';

const DAYS = ['2021-03-24', '2021-03-25', '2021-03-26'] as const;
const version = fc.record({
  kind: fc.constant('order' as const),
  id: fc.oneof(fc.constantFrom('a', 'b', 'c', '9007199254740993'), fc.string({ minLength: 1, maxLength: 4 })),
  second: fc.integer({ min: 0, max: 5 }),
  day: fc.constantFrom(...DAYS),
  amount: fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.bigInt({ min: 2n ** 60n, max: 2n ** 70n })),
  user: fc.option(fc.constantFrom('u1', 'u2', 'ü3', 'u4'), { nil: null }),
  channel: fc.option(fc.constantFrom('webShop', 'x', 'y'), { nil: null }),
  deleted: fc.boolean(),
});
/** A stream: order versions (new orders, updates, deletes), days dropped or all but one kept, and checkpoints between. */
const step = fc.oneof(
  { weight: 12, arbitrary: version },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop' as const), day: fc.constantFrom(...DAYS) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('keep' as const), day: fc.constantFrom(...DAYS) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('checkpoint' as const) }) },
);
type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

function apply(state: DedupeState, s: Step, out: Contribution[]): void {
  if (s.kind === 'drop') dropDay(state, s.day);
  else if (s.kind === 'keep') keepOnlyDay(state, s.day);
  else if (s.kind === 'order') {
    applyOrder(state, { orderId: s.id, orderTime: parseTimestamp(`2021-03-25 10:00:0${s.second}`)!, payTime: `${s.day} 10:00:0${s.second}`, realPay: s.amount, userId: s.user, channel: s.channel, ...(s.deleted && { deleted: true }) }, out);
  }
}

describe('incremental checkpoints of the dedupe state', () => {
  it('restores from a base and its deltas, in order, to a state that counts the same orders and goes on the same way (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 30 }), fc.array(step, { maxLength: 80 }), fc.array(version, { maxLength: 20 }), async (before, during, after) => {
        const live = createDedupeState();
        for (const s of before) apply(live, s, []);
        trackChanges(live);
        const base = await snapshotDedupe(live);
        const deltas: Buffer[] = [];
        for (const s of [...during, { kind: 'checkpoint' as const }]) {
          if (s.kind === 'checkpoint') deltas.push(await encodeDelta(takeChanges(live), deltas.length + 1));
          else apply(live, s, []);
        }
        const restored = restoreIncremental(base, deltas);
        const compacted = restoreIncremental(await compactIncremental(base, deltas), []);
        expect(counted(restored)).toEqual(counted(live));
        expect(counted(compacted)).toEqual(counted(live));
        const fromLive: Contribution[] = [];
        const fromRestored: Contribution[] = [];
        const fromCompacted: Contribution[] = [];
        for (const v of after) {
          apply(live, v, fromLive);
          apply(restored, v, fromRestored);
          apply(compacted, v, fromCompacted);
        }
        expect(fromRestored).toEqual(fromLive);
        expect(fromCompacted).toEqual(fromLive);
      }),
      { numRuns: 400 },
    );
  });

  it('folds a compacted base and the deltas after it the same as the base and every delta (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 80 }), fc.nat(), async (steps, cut) => {
        const live = createDedupeState();
        trackChanges(live);
        const base = await snapshotDedupe(live);
        const deltas: Buffer[] = [];
        for (const s of [...steps, { kind: 'checkpoint' as const }]) {
          if (s.kind === 'checkpoint') deltas.push(await encodeDelta(takeChanges(live), deltas.length + 1));
          else apply(live, s, []);
        }
        const folded = cut % (deltas.length + 1);
        const compacted = await compactIncremental(base, deltas.slice(0, folded));
        expect(counted(restoreIncremental(compacted, deltas.slice(folded)))).toEqual(counted(live));
      }),
      { numRuns: 300 },
    );
  });

  it('writes in a delta only what changed: an interval with a few new and updated orders of a large day is a small part of the full state', async () => {
    const state = createDedupeState();
    const order = (i: number, second: number) => ({ orderId: `o${i}`, orderTime: parseTimestamp(`2021-03-25 10:00:0${second}`)!, payTime: '2021-03-25 10:00:00', realPay: i, userId: `u${i % 100}`, channel: 'webShop' });
    for (let i = 0; i < 100_000; i++) applyOrder(state, order(i, 0), []);
    trackChanges(state);
    const full = await snapshotDedupe(state);
    for (let i = 0; i < 1000; i++) applyOrder(state, order(i * 50, 1), []); // 1,000 updates
    for (let i = 100_000; i < 103_000; i++) applyOrder(state, order(i, 0), []); // 3,000 new orders
    const delta = await encodeDelta(takeChanges(state), 1);
    expect(delta.length / full.length).toBeLessThan(0.06);
    expect(counted(restoreIncremental(full, [delta]))).toEqual(counted(state));
  });

  it('refuses deltas with one missing, in one line naming it', async () => {
    const state = createDedupeState();
    trackChanges(state);
    const base = await snapshotDedupe(state);
    const order = (id: string) => ({ orderId: id, orderTime: 1, payTime: '2021-03-25 10:00:00', realPay: 1, userId: null, channel: null });
    const deltas: Buffer[] = [];
    for (const id of ['a', 'b', 'c']) {
      applyOrder(state, order(id), []);
      deltas.push(await encodeDelta(takeChanges(state), deltas.length + 1));
    }
    expect(() => restoreIncremental(base, [deltas[0]!, deltas[2]!])).toThrow(new RangeError('Cannot restore the checkpoint: delta 3 follows delta 1'));
  });
});
