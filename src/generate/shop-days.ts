/**
 * When a shop's orders come: more in some days than others (weekends busier, and a random
 * swing), and through a day a trough before dawn, a rise in the morning, a peak at lunch and
 * the largest in the evening, as e-commerce traffic goes.
 */
import { seededRandom } from './random.ts';

const SECONDS_PER_DAY = 86400;

/** Relative orders per hour of the day, 00:00 to 23:00. */
const HOURS = [0.55, 0.35, 0.22, 0.15, 0.12, 0.15, 0.3, 0.55, 0.8, 0.95, 1.0, 1.1, 1.3, 1.2, 1.0, 0.95, 0.95, 1.0, 1.1, 1.3, 1.5, 1.6, 1.35, 0.9];

/** Where an order falls in time: its day (0 = the first) and its second in that day. */
export interface OrderMoment {
  readonly dayIndex: number;
  readonly second: number;
}

/**
 * The moment of the order at `progress` (0..1) through the stream, for `days` days from
 * `firstDay` (seconds since 1970, UTC wall clock, a midnight). Moments grow with progress, so the
 * stream stays in time order.
 */
export function shopMoments(days: number, firstDay: number, seed: number): (progress: number) => OrderMoment {
  const swing = seededRandom(seed ^ 0x5eed);
  const weights = Array.from({ length: days }, (_, i) => {
    const weekday = new Date((firstDay + i * SECONDS_PER_DAY) * 1000).getUTCDay();
    return (weekday === 0 || weekday === 6 ? 1.15 : 1) * (0.85 + 0.3 * swing());
  });
  const dayEdges = cumulative(weights);
  const hourEdges = cumulative(HOURS);
  return (progress) => {
    const [dayIndex, inDay] = locate(dayEdges, progress);
    const [hour, inHour] = locate(hourEdges, inDay);
    return { dayIndex, second: Math.min(SECONDS_PER_DAY - 1, Math.floor((hour + inHour) * 3600)) };
  };
}

/** Edges from 0 to 1 of the weights' shares. */
function cumulative(weights: readonly number[]): number[] {
  const total = weights.reduce((sum, w) => sum + w, 0);
  const edges = [0];
  let sum = 0;
  for (const weight of weights) edges.push((sum += weight) / total);
  return edges;
}

/** The interval of `edges` that `at` (0..1) falls in, and how far through it. */
function locate(edges: readonly number[], at: number): [number, number] {
  let index = 0;
  while (index < edges.length - 2 && at >= (edges[index + 1] ?? 1)) index += 1;
  const low = edges[index] ?? 0, high = edges[index + 1] ?? 1;
  return [index, high > low ? Math.min(1, Math.max(0, (at - low) / (high - low))) : 0];
}
