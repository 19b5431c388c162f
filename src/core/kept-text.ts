/**
 * A text kept in long-lived state (an order id, a user id) must hold nothing else alive. V8 makes
 * a slice of 13 or more characters a view into the string it was cut from, so an order id sliced
 * from a message kept the whole message (and from a file, the whole block of lines it was read
 * in): a day of tracked orders kept the day's input. Measured: 543 MB of live heap for a replay
 * of 1M orders (440 MB of lines), 185 MB with copies.
 */

/** A copy of `text` that refers to no other string (a short one is already one). */
export function keptText(text: string): string {
  if (text.length < 13) return text;
  // A concatenation is a pair of references until a read of a character flattens it into one
  // string of its own, which the garbage collector then puts in its place: the copy costs only
  // its characters (a slice of a flattened copy would keep a view too, 30 bytes more an id).
  // The comparison (always true) keeps the read from being optimised away.
  const copy = text.slice(0, 1) + text.slice(1);
  return copy.charCodeAt(0) === text.charCodeAt(0) ? copy : text;
}
