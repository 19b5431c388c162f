import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compactIncremental, encodeDelta } from '../../src/core/dedupe-delta.ts';
import { snapshotDedupe } from '../../src/core/dedupe-snapshot.ts';
import { applyOrder, createDedupeState, dropDay, takeChanges, trackChanges, type DedupeState } from '../../src/core/dedupe-state.ts';
import { parseTimestamp } from '../../src/core/order-time.ts';
import { foldInWorker } from '../../src/workers/fold-in-worker.ts';

const DAYS = ['2021-03-24', '2021-03-25'] as const;
/** Order versions (new, updated, deleted), a day dropped now and then, checkpoints between. */
const step = fc.oneof(
  { weight: 10, arbitrary: fc.record({ kind: fc.constant('order' as const), id: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), day: fc.constantFrom(...DAYS), second: fc.integer({ min: 0, max: 5 }), amount: fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.bigInt({ min: 2n ** 60n, max: 2n ** 70n })), user: fc.option(fc.constantFrom('u1', 'ü2'), { nil: null }), deleted: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop' as const), day: fc.constantFrom(...DAYS) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('checkpoint' as const) }) },
);
type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

function apply(state: DedupeState, s: Exclude<Step, { kind: 'checkpoint' }>): void {
  if (s.kind === 'drop') dropDay(state, s.day);
  else applyOrder(state, { orderId: s.id, orderTime: parseTimestamp(`2021-03-25 10:00:0${s.second}`)!, payTime: `${s.day} 10:00:0${s.second}`, realPay: s.amount, userId: s.user, channel: 'webShop', ...(s.deleted && { deleted: true }) }, []);
}

/** A base of the orders of `before`, and a delta at each checkpoint of `during` (and at its end). */
async function chain(before: readonly Step[], during: readonly Step[]): Promise<{ base: Buffer; deltas: Buffer[] }> {
  const state = createDedupeState();
  for (const s of before) if (s.kind !== 'checkpoint') apply(state, s);
  trackChanges(state);
  const base = await snapshotDedupe(state);
  const deltas: Buffer[] = [];
  for (const s of [...during, { kind: 'checkpoint' as const }]) {
    if (s.kind === 'checkpoint') deltas.push(await encodeDelta(takeChanges(state), deltas.length + 1));
    else apply(state, s);
  }
  return { base, deltas };
}

/** `bytes` cut at `cuts` (positions modulo its length) into the rows it would be stored in. */
function rows(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const at = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  return [0, ...at].map((from, i) => Buffer.from(bytes.subarray(from, [...at, bytes.length][i])));
}

describe('the fold of a compaction on a worker thread', () => {
  it('gives byte for byte the base the fold on the main thread gives, from whole blobs or their rows (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 20 }), fc.array(step, { maxLength: 40 }), fc.option(fc.array(fc.nat(), { maxLength: 3 })), async (before, during, cuts) => {
        const { base, deltas } = await chain(before, during);
        const expected = await compactIncremental(base, deltas);
        const folded = cuts === null ? foldInWorker(Buffer.from(base), deltas.map((d) => Buffer.from(d))) : foldInWorker(rows(base, cuts), deltas.map((d) => rows(d, cuts)));
        expect(await folded).toEqual(expected);
      }),
      { numRuns: 15 }, // a worker started per fold, ~0.5 s each from src
    );
  }, 60_000);

  it('moves the big buffers it is given to the worker instead of copying them, and copies the small ones', async () => {
    const state = createDedupeState();
    for (let i = 0; i < 20_000; i++) applyOrder(state, { orderId: `o${i}`, orderTime: 1, payTime: '2021-03-25 10:00:00', realPay: i, userId: null, channel: 'web' }, []);
    trackChanges(state);
    const base = await snapshotDedupe(state);
    applyOrder(state, { orderId: 'late', orderTime: 2, payTime: '2021-03-25 11:00:00', realPay: 5, userId: null, channel: 'web' }, []);
    const delta = await encodeDelta(takeChanges(state), 1);
    const expected = await compactIncremental(base, [delta]);
    const given = [Buffer.from(base), Buffer.from(delta)];
    expect(given[0]!.length).toBeGreaterThan(64 << 10);
    expect(await foldInWorker(given[0]!, [given[1]!])).toEqual(expected);
    expect(given.map((b) => b.buffer.byteLength)).toEqual([0, delta.length < 64 << 10 ? given[1]!.buffer.byteLength : 0]);
  }, 20_000);

  it('rejects in one line naming the delta when the fold fails in the worker', async () => {
    const { base, deltas } = await chain([], [{ kind: 'checkpoint' }, { kind: 'checkpoint' }]);
    const failed = foldInWorker(base, [deltas[0]!, deltas[2]!]);
    await expect(failed).rejects.toThrow(new Error('checkpoint fold worker failed: Cannot restore the checkpoint: delta 3 follows delta 1'));
  }, 20_000);
});
