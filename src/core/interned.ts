/**
 * Strings seen more than once (a day's order ids, its users, its channels) stored once and
 * referred to by their number: numbers go on from 0 in the order the strings first come and are
 * never reused.
 *
 * The index is an open-addressing hash table in typed arrays, not a Map: a day's order ids are a
 * million fresh strings, and a Map of them cost twice as long to fill and search (its entries
 * are objects the garbage collector walks; its look-up reads the key strings of a bucket's chain).
 * Here a look-up reads one slot and one hash, and compares texts only when the hashes are equal.
 */
import { keptText } from './kept-text.ts';

/** Each string once, by number, and the number of each. */
export interface Interned {
  /** The strings, by number. */
  readonly values: string[];
  /** The hash of each string, by number. */
  hashes: Int32Array;
  /** Open addressing: the number of the string hashed there, -1 for an empty slot; a power of two long, at most half full. */
  slots: Int32Array;
}

/** An empty numbering. */
export function interned(): Interned {
  return { values: [], hashes: new Int32Array(16), slots: new Int32Array(32).fill(-1) };
}

/** Up to this many values, a string is looked for by comparison. */
const FEW = 8;

/** The number of `value` (a copy of it kept, if new); -1 for null. */
export function intern(table: Interned, value: string | null): number {
  if (value === null) return -1;
  const { values } = table;
  // A handful of strings (a shop's channels) are found sooner by comparing than by hashing.
  if (values.length <= FEW) {
    const found = values.indexOf(value);
    if (found >= 0) return found;
  }
  const hash = hashOf(value);
  const at = slotOf(table, value, hash);
  const found = table.slots[at]!;
  if (found !== -1) return found;
  const number = values.length;
  values.push(keptText(value));
  if (number === table.hashes.length) table.hashes = grown(table.hashes, number * 2);
  table.hashes[number] = hash;
  table.slots[at] = number;
  if (2 * values.length > table.slots.length) rehash(table);
  return number;
}

/** Where `value` is in the slots, or the empty slot where it would go. */
function slotOf(table: Interned, value: string, hash: number): number {
  const { slots, hashes, values } = table;
  const mask = slots.length - 1;
  let at = hash & mask;
  for (let number = slots[at]!; number !== -1; number = slots[at]!) {
    if (hashes[number] === hash && values[number] === value) return at;
    at = (at + 1) & mask;
  }
  return at;
}

/** The string of number `index`; null for -1 (or a number never given). */
export function lookup(table: Interned, index: number): string | null {
  return index < 0 ? null : (table.values[index] ?? null);
}

/**
 * A start of the hash of this process's own: ids chosen to share their slots under a hash known
 * in advance would make every look-up a walk (the numbers given never depend on it).
 */
const SEED = (Math.random() * 0x1_0000_0000) | 0;

/** FNV-1a over the UTF-16 code units from {@link SEED}, spread by a final mix so that the low bits (the slot) depend on every character. */
function hashOf(value: string): number {
  let hash = 0x811c9dc5 ^ SEED;
  for (let i = 0; i < value.length; i++) hash = Math.imul(hash ^ value.charCodeAt(i), 0x01000193);
  hash ^= hash >>> 15;
  return Math.imul(hash, 0x2c1b3c6d) ^ (hash >>> 12);
}

/** Twice the slots, every number put back where its hash now points. */
function rehash(table: Interned): void {
  const slots = new Int32Array(table.slots.length * 2).fill(-1);
  const mask = slots.length - 1;
  const { hashes } = table;
  for (let number = 0; number < table.values.length; number++) {
    let at = hashes[number]! & mask;
    while (slots[at] !== -1) at = (at + 1) & mask;
    slots[at] = number;
  }
  table.slots = slots;
}

function grown(column: Int32Array, size: number): Int32Array {
  const next = new Int32Array(size);
  next.set(column);
  return next;
}
