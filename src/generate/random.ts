/** A small seeded random source (mulberry32), so that a seed always gives the same stream. */

/** Random numbers in [0, 1) from a seed. */
export type Random = () => number;

/** A deterministic random source for a seed. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A whole number in [0, n). */
export function below(random: Random, n: number): number {
  return Math.floor(random() * n);
}

/** One of the values, by weight. */
export function weighted<T>(random: Random, choices: readonly (readonly [T, number])[]): T {
  const total = choices.reduce((sum, [, weight]) => sum + weight, 0);
  let pick = random() * total;
  for (const [value, weight] of choices) {
    pick -= weight;
    if (pick < 0) return value;
  }
  const last = choices[choices.length - 1];
  if (last === undefined) throw new RangeError('Cannot choose: there are no choices');
  return last[0];
}
