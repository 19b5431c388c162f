/**
 * Realistic order streams: each order is a short story of versions as an order service writes
 * them (created unpaid, then paid, sometimes corrected), over the four kinds of channel, with
 * big numeric ids, numeric and string amounts, ties, and a few malformed messages.
 */
import { below, weighted, type Random } from './random.ts';

/** What an order story is about. */
export interface StoryOptions {
  /** A unique number of the order. */
  readonly serial: number;
  /** The order's creation, `yyyy-MM-dd HH:mm:ss`. */
  readonly createdAt: string;
  /** How many users the shop has. */
  readonly users: number;
}

const CHANNELS = [
  ['webShop', 40],
  ['appShop', 30],
  ['miniAppShop', 20],
  ['qqShop', 6],
  ['WebShop', 2],
  [null, 2],
] as const;

const MALFORMED: readonly ((line: string) => string)[] = [
  (line) => line.slice(0, Math.floor(line.length / 2)), // cut in the middle
  (line) => line.replace(/"order_time":"[^"]*"/, '"order_time":"25/03/2021 10:00"'),
  (line) => line.replace(/"real_pay":("[^"]*"|[\d.]+)/, '"real_pay":"12.x"'),
  (line) => line.replace(/"real_pay":("[^"]*"|[\d.]+)/, '"real_pay":-5'),
  (line) => line.replace(/"order_id":("[^"]*"|\d+)/, '"order_id":null'),
  () => '[1,2,3]',
  (line) => line.replace(/"pay_time":"[^"]*"/, '"pay_time":"2021-13-45 99:00:00"'),
];

/**
 * The JSON lines of one order's versions, in the order they are written. Time moves on from
 * `createdAt` by `clockShift` seconds per version (a live simulator passes 0: all "now").
 */
export function orderStory(random: Random, options: StoryOptions, clockShift = true): string[] {
  const { serial, createdAt, users } = options;
  const bigId = random() < 0.05;
  const orderId = bigId ? `${9007199254740993n + BigInt(serial) * 2n}` : JSON.stringify(`${createdAt.replace(/\D/g, '').slice(0, 14)}${String(serial).padStart(6, '0')}`);
  const channel = weighted(random, CHANNELS);
  const user = below(random, users);
  const userId = random() < 0.1 ? String(user) : JSON.stringify(`u${String(user).padStart(7, '0')}`);
  // In cents, as a shop counts: arithmetic on fractions of a unit would write 4.440892098500626e-16.
  const cents = 100 + below(random, 50000);
  let time = parse(createdAt);
  const step = (): string => {
    if (clockShift) time += 1 + below(random, 600);
    return format(time);
  };
  const lines: string[] = [];
  const write = (orderTime: string, payTime: string | null, paidCents: number | null, chan: string | null, uid: string): void => {
    lines.push(line(orderId, chan, orderTime, paidCents, payTime, uid, random));
  };
  const created = format(time);
  if (random() < 0.5) write(created, null, null, channel, userId); // created, not paid yet
  if (random() < 0.08) return lines.length > 0 ? lines : [line(orderId, channel, created, null, null, userId, random)]; // never paid
  const paidAt = step();
  write(paidAt, paidAt, cents, channel, userId);
  if (random() < 0.55) {
    // A correction: another amount, and now and then another channel or user.
    const fixedAt = random() < 0.3 ? paidAt : step(); // a tie keeps the first version
    const fixedChannel = random() < 0.2 ? weighted(random, CHANNELS) : channel;
    const fixedUser = random() < 0.2 ? JSON.stringify(`u${String(below(random, users)).padStart(7, '0')}`) : userId;
    write(fixedAt, fixedAt, Math.max(0, cents - below(random, 1000)), fixedChannel, fixedUser);
  }
  if (random() < 0.004) {
    const victim = lines[below(random, lines.length)] ?? '';
    lines.push(MALFORMED[below(random, MALFORMED.length)]?.(victim) ?? victim);
  }
  return lines;
}

function line(orderId: string, channel: string | null, orderTime: string, cents: number | null, payTime: string | null, userId: string, random: Random): string {
  const units = cents === null ? '' : `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
  const realPay = cents === null ? 'null' : random() < 0.6 ? `"${units}"` : random() < 0.9 ? String(cents / 100) : `"${units}${String(below(random, 10000)).padStart(4, '0')}"`;
  const payAmount = cents === null ? 'null' : `"${(Math.round(cents * 1.1) / 100).toFixed(2)}"`;
  return `{"order_id":${orderId},"order_channel":${JSON.stringify(channel)},"order_time":"${orderTime}","pay_amount":${payAmount},"real_pay":${realPay},"pay_time":${payTime === null ? 'null' : `"${payTime}"`},"user_id":${userId},"user_name":"user","area_id":"330106"}`;
}

/** Seconds since 1970 of a `yyyy-MM-dd HH:mm:ss` read as UTC (only used to step wall-clock times). */
export function parse(timestamp: string): number {
  return Date.parse(`${timestamp.replace(' ', 'T')}Z`) / 1000;
}

/** The `yyyy-MM-dd HH:mm:ss` of seconds since 1970 read as UTC. */
export function format(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' ');
}
