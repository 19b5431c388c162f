/**
 * Bytes per tracked order: the dedupe state of one day holding N distinct orders with realistic
 * ids, users and channels, measured after a full GC (run with --expose-gc): the V8 heap and the
 * typed arrays' buffers outside it (the state's columns, with the room they grew by). The orders
 * are read as the file source reads them (lines split from blocks of about 1 MB, then
 * `readOrder`), so that whatever the state keeps of its input is counted too.
 */
import { applyOrder, createDedupeState, trackedOrders, type Contribution } from '../src/core/dedupe-state.ts';
import { readOrder, type PaidOrder } from '../src/core/order.ts';

const LINES_PER_BLOCK = 4_000;

/** Tracks `orders` distinct orders; returns the bytes they take, per order, in all and of it outside the heap. */
export async function bytesPerOrder(orders: number): Promise<{ perOrder: number; outsideHeap: number; tracked: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new RangeError('Cannot measure the heap: run node with --expose-gc');
  const channels = ['webShop', 'appShop', 'miniAppShop', 'qqShop'];
  const two = (n: number): string => String(n).padStart(2, '0');
  const line = (i: number): string => {
    const seconds = i % 86_400;
    const payTime = `2026-11-20 ${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}`;
    // Ids as an order service writes them (20 digits), users from a pool a third the size.
    const user = `u${String(i % Math.max(1, Math.floor(orders / 3))).padStart(7, '0')}`;
    return `{"order_id":"2026112010${String(i).padStart(10, '0')}","order_channel":"${channels[i % 4]!}","order_time":"2026-11-20 10:00:00","pay_amount":"12.50","real_pay":"${(1 + i / 100).toFixed(2)}","pay_time":"${payTime}","user_id":"${user}","user_name":"user","area_id":"330106"}`;
  };
  // A buffer let go is freed a collection or two after its object: settled, what earlier work
  // (another benchmark, the state's own outgrown columns) let go is not counted for or against.
  const used = async (): Promise<{ heap: number; buffers: number }> => {
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const { heapUsed, arrayBuffers } = process.memoryUsage();
    return { heap: heapUsed, buffers: arrayBuffers };
  };
  const before = await used();
  const state = createDedupeState();
  const out: Contribution[] = [];
  for (let first = 0; first < orders; first += LINES_PER_BLOCK) {
    const block = Array.from({ length: Math.min(LINES_PER_BLOCK, orders - first) }, (_, k) => line(first + k)).join('\n');
    for (const text of block.split('\n')) {
      const order = readOrder(text, { value: text, partition: 0, offset: 0 });
      if (typeof order === 'string') throw new RangeError(`Cannot measure the heap: the bench's line was refused (${order})`);
      applyOrder(state, order as PaidOrder, out);
      out.length = 0;
    }
  }
  const after = await used();
  const outside = after.buffers - before.buffers;
  return { perOrder: (after.heap - before.heap + outside) / orders, outsideHeap: outside / orders, tracked: trackedOrders(state) };
}
