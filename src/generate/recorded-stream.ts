import { parse, format, orderStory } from './order-stories.ts';
import { below, seededRandom } from './random.ts';
import { shopMoments } from './shop-days.ts';

/** Options of {@link recordedStream}. */
export interface RecordedStreamOptions {
  /** Distinct orders to write (each has about two versions). */
  readonly orders: number;
  /** The same seed gives the same stream. */
  readonly seed: number;
  /** The last day, `yyyy-MM-dd`. */
  readonly day: string;
  /** How many days, ending with `day`. Default: 1. */
  readonly days?: number;
}

const SECONDS_PER_DAY = 86400;
const REORDER_WINDOW = 64;

/**
 * The lines of a recorded order stream, in arrival order: versions of nearby orders interleave
 * and now and then arrive out of order, as they do from several order services.
 */
export function* recordedStream(options: RecordedStreamOptions): Generator<string> {
  const { orders, seed, day, days = 1 } = options;
  const random = seededRandom(seed);
  const lastDay = parse(`${day} 00:00:00`);
  const firstDay = lastDay - (days - 1) * SECONDS_PER_DAY;
  const users = Math.max(10, Math.floor(orders / 3));
  const momentAt = shopMoments(days, firstDay, seed);
  const window: string[] = [];
  for (let serial = 0; serial < orders; serial++) {
    // Through the days in order, each as a shop's day goes, a few orders from just before midnight of the day before.
    const { dayIndex, second } = momentAt(serial / orders);
    const dayStart = firstDay + dayIndex * SECONDS_PER_DAY;
    const late = random() < 0.08;
    const createdAt = late ? dayStart - 1 - below(random, 600) * 60 : dayStart + second;
    for (const line of orderStory(random, { serial, createdAt: format(createdAt), users })) {
      window.push(line);
      if (window.length >= REORDER_WINDOW) yield takeAt(window, random() < 0.9 ? 0 : below(random, window.length));
    }
  }
  while (window.length > 0) yield takeAt(window, 0);
}

function takeAt(lines: string[], index: number): string {
  return lines.splice(index, 1)[0] ?? '';
}
