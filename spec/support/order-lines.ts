/** Order streams made for one property each: every message changes the table, so none can go missing unseen. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from './cli.ts';
import type { RawLine } from './mariadb-reference.ts';

const CHANNELS = ['webShop', 'appShop', 'miniAppShop', 'other'] as const;

/** Options of {@link distinctOrders}. */
export interface DistinctOrders {
  /** How many orders (`o1`, `o2`, ...), each paid once on `day`. */
  readonly count: number;
  /** `yyyy-MM-dd` of every `pay_time`. */
  readonly day: string;
  /** The version of each order: a later version has a later `order_time` and another amount. Default: 1. */
  readonly version?: number;
  /** The first order's number. Default: 1. */
  readonly first?: number;
}

/** The lines of `count` distinct orders: each adds its own amount, so every message moves a figure up. */
export function distinctOrders(options: DistinctOrders): string[] {
  const { count, day, version = 1, first = 1 } = options;
  return Array.from({ length: count }, (_, i) => {
    const n = first + i;
    const second = n % 36_000; // within the day's first ten hours; later versions a bit later
    const at = (s: number): string => `${day} ${String(Math.floor(s / 3600)).padStart(2, '0')}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
    const pay = `${(n % 97) + version}.${String(n % 100).padStart(2, '0')}`;
    return JSON.stringify({ order_id: `o${n}`, order_channel: CHANNELS[n % CHANNELS.length], order_time: at(second + version * 60), pay_amount: pay, real_pay: pay, pay_time: at(second + version * 60 + 30), user_id: `u${n % 500}` });
  });
}

/** Writes lines to a file of a fresh folder; returns its path. */
export function writeLines(lines: readonly string[], name = 'orders.jsonl'): string {
  const file = join(scratchDir(), name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** Lines as the references take them: numbered in the order produced. */
export function numbered(lines: readonly string[]): RawLine[] {
  return lines.map((line, i) => ({ partition: 0, offset: i + 1, line }));
}
