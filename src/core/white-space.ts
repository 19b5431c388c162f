/**
 * White space as Unicode defines it (the White_Space property: ASCII spaces and controls, NBSP,
 * the ideographic space, line and paragraph separators, ...), one rule for every place that asks.
 * Not JavaScript's `trim()`, which also takes the byte order mark U+FEFF for a space.
 */

const BLANK = /^\p{White_Space}*$/u;
const AROUND = /^\p{White_Space}+|\p{White_Space}+$/gu;

/** Whether the text is empty or white space only. */
export function isBlank(text: string): boolean {
  // The first character settles nearly every line at once ('{'), without the regular expression.
  const first = text.charCodeAt(0);
  return text.length === 0 || ((first <= 32 || first >= 0x85) && BLANK.test(text));
}

/** The text without white space around it. */
export function trimWhiteSpace(text: string): string {
  return text.replace(AROUND, '');
}
