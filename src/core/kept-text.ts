/**
 * A text kept in long-lived state (an order id, a user id) must hold nothing else alive. V8 makes
 * a slice of 13 or more characters a view into the string it was cut from, so an order id sliced
 * from a message kept the whole message (and from a file, the whole block of lines it was read
 * in): a day of tracked orders kept the day's input. Measured: 752 MB resident for a replay of
 * 1M orders (440 MB of lines).
 */

/** A copy of `text` that refers to no other string (a short one is already one). */
export function keptText(text: string): string {
  // Slicing a concatenation flattens it into a string of its own first; the slice is a view of that.
  return text.length < 13 ? text : (text + ' ').slice(0, -1);
}
