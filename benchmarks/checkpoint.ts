/**
 * What a checkpoint costs: the pause while the state (full) or its changes (delta) are captured,
 * the encoding that follows in slices, the bytes written, and the restore of a base and a delta.
 */
import { compactIncremental, encodeDelta, restoreIncremental } from '../src/core/dedupe-delta.ts';
import { captureDedupe, encodeCapture } from '../src/core/dedupe-snapshot.ts';
import { applyOrder, createDedupeState, takeChanges, trackChanges, trackedOrders, type Contribution } from '../src/core/dedupe-state.ts';
import { parseTimestamp } from '../src/core/order-time.ts';

/** Tracks `orders` orders, then times one checkpoint: the pause (capture) and the encoding after it. */
export async function checkpointPause(orders: number): Promise<{ pauseMs: number; encodeMs: number; bytes: number }> {
  const state = createDedupeState();
  const out: Contribution[] = [];
  const orderTime = parseTimestamp('2026-11-20 10:00:00')!;
  for (let i = 0; i < orders; i++) {
    applyOrder(state, { orderId: `2026112010${String(i).padStart(10, '0')}`, orderTime, payTime: '2026-11-20 10:00:00', realPay: 1_000_000 + i, userId: `u${i % 100_000}`, channel: 'webShop' }, out);
    out.length = 0;
  }
  const started = performance.now();
  const capture = captureDedupe(state);
  const captured = performance.now();
  const bytes = (await encodeCapture(capture)).length;
  return { pauseMs: captured - started, encodeMs: performance.now() - captured, bytes };
}

/** Full against delta checkpoints of one state, and the restore of base + delta. */
export interface IncrementalFigures {
  readonly orders: number;
  readonly full: { readonly pauseMs: number; readonly encodeMs: number; readonly bytes: number };
  readonly delta: { readonly pauseMs: number; readonly encodeMs: number; readonly bytes: number; readonly versions: number };
  /** Base + one delta into a live state, and into a new base (compaction). */
  readonly restoreMs: number;
  readonly compactMs: number;
}

/**
 * Tracks `orders` orders, takes a full checkpoint (the base), then one steady-state interval of
 * `rate` orders/s for `seconds` s with `updates` of them new versions of tracked orders, and a
 * delta checkpoint of it; then restores base + delta.
 */
export async function incrementalCheckpoint(orders: number, rate = 20_000, seconds = 10, updates = 0.3): Promise<IncrementalFigures> {
  const state = createDedupeState();
  const out: Contribution[] = [];
  const at = (second: number): number => parseTimestamp(`2026-11-20 10:00:${String(second).padStart(2, '0')}`)!;
  const order = (i: number, second: number) => ({ orderId: `2026112010${String(i).padStart(10, '0')}`, orderTime: at(second), payTime: '2026-11-20 10:00:00', realPay: 1_000_000 + i + second, userId: `u${i % 100_000}`, channel: 'webShop' });
  for (let i = 0; i < orders; i++) {
    applyOrder(state, order(i, 0), out);
    out.length = 0;
  }
  trackChanges(state);
  let started = performance.now();
  const capture = captureDedupe(state);
  const fullPause = performance.now() - started;
  started = performance.now();
  const base = await encodeCapture(capture);
  const fullEncode = performance.now() - started;

  const versions = rate * seconds;
  let next = orders;
  for (let v = 0; v < versions; v++) {
    // Every 10th version of the interval an update (of an order spread over the day), 3 in 10 in all.
    const update = v % 10 < updates * 10;
    applyOrder(state, update ? order((v * 7_919) % orders, 1) : order(next++, 0), out);
    out.length = 0;
  }
  started = performance.now();
  const changes = takeChanges(state);
  const deltaPause = performance.now() - started;
  started = performance.now();
  const delta = await encodeDelta(changes, 1);
  const deltaEncode = performance.now() - started;

  started = performance.now();
  const restored = restoreIncremental(base, [delta]);
  const restoreMs = performance.now() - started;
  if (trackedOrders(restored) !== trackedOrders(state)) throw new RangeError(`Cannot measure the restore: ${trackedOrders(restored)} orders restored, ${trackedOrders(state)} tracked`);
  started = performance.now();
  await compactIncremental(base, [delta]);
  const compactMs = performance.now() - started;
  return {
    orders,
    full: { pauseMs: fullPause, encodeMs: fullEncode, bytes: base.length },
    delta: { pauseMs: deltaPause, encodeMs: deltaEncode, bytes: delta.length, versions },
    restoreMs,
    compactMs,
  };
}
