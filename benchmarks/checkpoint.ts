/**
 * What a checkpoint costs: the pause while the state (full) or its changes (delta) are captured,
 * the encoding that follows in slices, the bytes written, the longest the main thread is held by
 * each and by a compaction, and the restore of a base and a delta.
 */
import { encodeDelta, restoreIncremental } from '../src/core/dedupe-delta.ts';
import { captureDedupe, encodeCapture } from '../src/core/dedupe-snapshot.ts';
import { applyOrder, createDedupeState, takeChanges, trackChanges, trackedOrders, type Contribution } from '../src/core/dedupe-state.ts';
import { parseTimestamp } from '../src/core/order-time.ts';
import { foldInWorker } from '../src/workers/fold-in-worker.ts';
import { chunksOf } from '../src/sinks/blob-chunks.ts';
import { mainThreadCost } from './main-thread-block.ts';

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
  /** blockMs: the longest the main thread was held, capture and encoding together. */
  readonly full: { readonly pauseMs: number; readonly encodeMs: number; readonly bytes: number; readonly blockMs: number };
  readonly delta: { readonly pauseMs: number; readonly encodeMs: number; readonly bytes: number; readonly versions: number; readonly blockMs: number };
  /** Base + one delta into a live state. */
  readonly restoreMs: number;
  /** Base (as its stored 4 MB rows) + one delta into a new base, as a compaction does it: wall, longest main-thread block, peak RSS rise. */
  readonly compaction: { readonly wallMs: number; readonly blockMs: number; readonly peakRssBytes: number };
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
  let fullPause = 0;
  let fullEncode = 0;
  const { result: base, blockMs: fullBlock } = await mainThreadCost(async () => {
    const started = performance.now();
    const capture = captureDedupe(state);
    fullPause = performance.now() - started;
    const bytes = await encodeCapture(capture);
    fullEncode = performance.now() - started - fullPause;
    return bytes;
  });

  const versions = rate * seconds;
  let next = orders;
  for (let v = 0; v < versions; v++) {
    // Every 10th version of the interval an update (of an order spread over the day), 3 in 10 in all.
    const update = v % 10 < updates * 10;
    applyOrder(state, update ? order((v * 7_919) % orders, 1) : order(next++, 0), out);
    out.length = 0;
  }
  let deltaPause = 0;
  let deltaEncode = 0;
  const { result: delta, blockMs: deltaBlock } = await mainThreadCost(async () => {
    const started = performance.now();
    const changes = takeChanges(state);
    deltaPause = performance.now() - started;
    const bytes = await encodeDelta(changes, 1);
    deltaEncode = performance.now() - started - deltaPause;
    return bytes;
  });

  // As a compaction runs: the base as the database hands it back (rows of 4 MB, each a buffer of
  // its own) and a copy of the delta, both moved to the fold's worker.
  const rows = chunksOf(base).map((chunk) => Buffer.from(chunk));
  const compaction = await mainThreadCost(() => foldInWorker(rows, [Buffer.from(delta)]));
  rows.length = 0;

  const started = performance.now();
  const restored = restoreIncremental(base, [delta]);
  const restoreMs = performance.now() - started;
  if (trackedOrders(restored) !== trackedOrders(state)) throw new RangeError(`Cannot measure the restore: ${trackedOrders(restored)} orders restored, ${trackedOrders(state)} tracked`);
  return {
    orders,
    full: { pauseMs: fullPause, encodeMs: fullEncode, bytes: base.length, blockMs: fullBlock },
    delta: { pauseMs: deltaPause, encodeMs: deltaEncode, bytes: delta.length, versions, blockMs: deltaBlock },
    restoreMs,
    compaction: { wallMs: compaction.wallMs, blockMs: compaction.blockMs, peakRssBytes: compaction.peakRssBytes },
  };
}
