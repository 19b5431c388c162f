/**
 * Heap bytes per tracked order: the dedupe state of one day holding N distinct orders with
 * realistic ids, users and channels, measured after a full GC (run with --expose-gc).
 */
import { applyOrder, createDedupeState, trackedOrders, type Contribution } from '../src/core/dedupe-state.ts';
import type { PaidVersion } from '../src/core/order.ts';
import { parseTimestamp } from '../src/core/order-time.ts';

/** Tracks `orders` distinct orders; returns the heap bytes they take, per order. */
export function heapBytesPerOrder(orders: number): { perOrder: number; tracked: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new RangeError('Cannot measure the heap: run node with --expose-gc');
  const channels = ['webShop', 'appShop', 'miniAppShop', 'qqShop'];
  const orderTime = parseTimestamp('2026-11-20 10:00:00')!;
  gc();
  const before = process.memoryUsage().heapUsed;
  const state = createDedupeState();
  const out: Contribution[] = [];
  for (let i = 0; i < orders; i++) {
    const seconds = i % 86_400;
    const payTime = `2026-11-20 ${String(Math.floor(seconds / 3600)).padStart(2, '0')}:${String(Math.floor(seconds / 60) % 60).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
    // Ids as an order service writes them (20 digits), users from a pool a third the size.
    const order: PaidVersion = { orderId: `2026112010${String(i).padStart(10, '0')}`, orderTime, payTime, realPay: 1_000_000 + i, userId: `u${String(i % Math.max(1, Math.floor(orders / 3))).padStart(7, '0')}`, channel: channels[i % 4]! };
    applyOrder(state, order, out);
    out.length = 0;
  }
  gc();
  const after = process.memoryUsage().heapUsed;
  return { perOrder: (after - before) / orders, tracked: trackedOrders(state) };
}
