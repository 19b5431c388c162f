/**
 * The floor to compare the pipeline against: the same job written as one plain loop
 * (JSON.parse, a Map per day's orders, a Map per channel; no RxJS, floats for money).
 */
import { open } from 'node:fs/promises';

interface Kept {
  orderTime: string;
  channel: string;
  userId: string | null;
  pay: number;
  payTime: string;
}

const CHANNELS = new Set(['webShop', 'appShop', 'miniAppShop']);

/** Runs the plain loop over a recorded file for one day; returns the orders read and the rows. */
export async function plainLoop(path: string, day: string): Promise<{ read: number; rows: number }> {
  const kept = new Map<string, Kept>();
  const groups = new Map<string, { gmv: number; orders: number; users: Map<string, number>; last: string }>();
  const apply = (order: Kept, sign: 1 | -1): void => {
    let group = groups.get(order.channel);
    if (group === undefined) groups.set(order.channel, (group = { gmv: 0, orders: 0, users: new Map(), last: '' }));
    group.gmv += sign * order.pay;
    group.orders += sign;
    if (order.userId !== null) group.users.set(order.userId, (group.users.get(order.userId) ?? 0) + sign);
    if (sign === 1 && order.payTime > group.last) group.last = order.payTime;
  };
  let read = 0;
  const handle = await open(path, 'r');
  const chunk = Buffer.allocUnsafe(1 << 20);
  let carry = '';
  for (;;) {
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
    if (bytesRead === 0) break;
    const lines = (carry + chunk.toString('utf8', 0, bytesRead)).split('\n');
    carry = lines.pop() ?? '';
    for (const line of lines) {
      if (line === '') continue;
      read += 1;
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue;
      }
      const { order_id: id, order_time: orderTime, pay_time: payTime, real_pay: realPay } = record;
      if (typeof id !== 'string' && typeof id !== 'number') continue;
      if (typeof orderTime !== 'string' || typeof payTime !== 'string' || realPay === null || realPay === undefined) continue;
      if (!payTime.startsWith(day)) continue;
      const pay = Number(realPay);
      if (!(pay >= 0)) continue;
      const channel = typeof record.order_channel === 'string' && CHANNELS.has(record.order_channel) ? record.order_channel : 'other';
      const userId = typeof record.user_id === 'string' || typeof record.user_id === 'number' ? String(record.user_id) : null;
      const next: Kept = { orderTime, channel, userId, pay, payTime };
      const key = String(id);
      const previous = kept.get(key);
      if (previous !== undefined) {
        if (!(orderTime > previous.orderTime)) continue;
        apply(previous, -1);
      }
      kept.set(key, next);
      apply(next, 1);
    }
  }
  await handle.close();
  return { read, rows: groups.size };
}
