/** What a checkpoint costs: the pause while the state is captured, and the encoding that follows in slices. */
import { captureDedupe, encodeCapture } from '../src/core/dedupe-snapshot.ts';
import { applyOrder, createDedupeState, type Contribution } from '../src/core/dedupe-state.ts';
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
