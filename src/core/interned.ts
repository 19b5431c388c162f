/**
 * Strings seen more than once (a day's users, its channels) stored once and referred to by their
 * number: numbers go on from 0 in the order the strings first come and are never reused.
 */
import { keptText } from './kept-text.ts';

/** Each string once, by number, and the number of each. */
export interface Interned {
  readonly index: Map<string, number>;
  readonly values: string[];
}

/** An empty numbering. */
export function interned(): Interned {
  return { index: new Map(), values: [] };
}

/** Up to this many values, a string is looked for by comparison. */
const FEW = 8;

/** The number of `value` (a copy of it kept, if new); -1 for null. */
export function intern(table: Interned, value: string | null): number {
  if (value === null) return -1;
  // A handful of strings (a shop's channels) are found sooner by comparing than by hashing.
  if (table.values.length <= FEW) {
    const found = table.values.indexOf(value);
    if (found >= 0) return found;
  }
  let index = table.index.get(value);
  if (index === undefined) {
    index = table.values.length;
    const kept = keptText(value);
    table.values.push(kept);
    table.index.set(kept, index);
  }
  return index;
}

/** The string of number `index`; null for -1 (or a number never given). */
export function lookup(table: Interned, index: number): string | null {
  return index < 0 ? null : (table.values[index] ?? null);
}
