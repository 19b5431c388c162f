/**
 * Reads the top-level fields of a JSON message in one pass over its text, checking the whole
 * text against JSON's grammar (RFC 8259) on the way. It keeps, for each field asked for, where
 * its value stands in the text, so that numbers are read from the digits the producer wrote (never
 * through a double) and a reject can quote its culprit as the message has it.
 *
 * Nothing in it recurses and nothing in it throws: nesting of any depth is walked with a stack of
 * its own, and a malformed text is an answer (why it is not JSON), not an exception. Duplicate
 * keys are read as `JSON.parse` reads them: the last one counts.
 */

/** What a field's value is. */
export const ABSENT = 0;
export const STRING = 1;
/** A string with backslash escapes: its value needs decoding. */
export const ESCAPED_STRING = 2;
export const NUMBER = 3;
export const TRUE = 4;
export const FALSE = 5;
export const NULL = 6;
export const OBJECT = 7;
export const ARRAY = 8;

/** One of the kinds above. */
export type ValueKind = typeof ABSENT | typeof STRING | typeof ESCAPED_STRING | typeof NUMBER | typeof TRUE | typeof FALSE | typeof NULL | typeof OBJECT | typeof ARRAY;

/** The fields of the message read last: per field asked for (by its index), the kind and the span of its value. */
export interface FieldSpans {
  readonly kinds: Uint8Array;
  /** Where the value's text starts (the quote of a string). */
  readonly starts: Int32Array;
  /** Where it ends (after the closing quote of a string). */
  readonly ends: Int32Array;
}

/** Reads messages for a fixed list of field names. */
export interface FieldReader extends FieldSpans {
  /**
   * Reads `text`: undefined when it is a JSON object (its fields are then in the spans, until the
   * next call), or one line saying why not ("not valid JSON: ...", "not a JSON object (got ...)").
   */
  read(text: string): string | undefined;
}

const SPACE = 32, TAB = 9, NEWLINE = 10, RETURN = 13;
const QUOTE = 34, BACKSLASH = 92, COMMA = 44, COLON = 58, MINUS = 45, PLUS = 43, DOT = 46, ZERO = 48, NINE = 57;
const OPEN_BRACE = 123, CLOSE_BRACE = 125, OPEN_BRACKET = 91, CLOSE_BRACKET = 93;
const LOWER_E = 101, UPPER_E = 69;
const BYTE_ORDER_MARK = 0xfeff;

/** A reader of the fields `names` (at most 255 of them). */
export function fieldReader(names: readonly string[]): FieldReader {
  if (names.length > 255) throw new RangeError(`Cannot read ${names.length} fields: at most 255`);
  const kinds = new Uint8Array(names.length);
  const starts = new Int32Array(names.length);
  const ends = new Int32Array(names.length);
  const byName = new Map(names.map((name, index) => [name, index]));
  // The names of each length, for matching a key in place without making a string of it.
  const byLength: number[][] = [];
  names.forEach((name, index) => (byLength[name.length] ??= []).push(index));
  const firsts = names.map((name) => name.charCodeAt(0));

  const fieldOf = (text: string, start: number, end: number, escaped: boolean): number => {
    if (escaped) return byName.get(JSON.parse(text.slice(start - 1, end + 1)) as string) ?? -1;
    const candidates = byLength[end - start];
    if (candidates !== undefined) {
      const first = text.charCodeAt(start);
      for (let i = 0; i < candidates.length; i++) {
        const index = candidates[i]!;
        // The first character tells nearly every key apart before a comparison of the whole.
        if (firsts[index] === first && text.startsWith(names[index]!, start)) return index;
      }
    }
    return -1;
  };

  // One function with its position in a local: this runs for every message.
  const read = (text: string): string | undefined => {
    for (let i = 0; i < kinds.length; i++) kinds[i] = ABSENT;
    why = '';
    // Nearly every message has neither a backslash nor a control character: then a string ends
    // at the next quote, found natively, and needs no look at what it holds.
    plain = !ESCAPE_OR_CONTROL.test(text);
    let pos = skipSpace(text, 0);
    if (text.charCodeAt(pos) !== OPEN_BRACE) {
      if (pos === 0 && text.charCodeAt(0) === BYTE_ORDER_MARK) return 'not valid JSON: it starts with a byte order mark (U+FEFF)';
      const start = pos;
      pos = skipValue(text, pos);
      if (pos < 0) return why;
      pos = skipSpace(text, pos);
      if (pos !== text.length) return fail(text, pos, 'after the value');
      return `not a JSON object (got ${culprit(text, start, pos)})`;
    }
    pos = skipSpace(text, pos + 1);
    if (text.charCodeAt(pos) === CLOSE_BRACE) {
      pos += 1;
    } else {
      for (;;) {
        if (text.charCodeAt(pos) !== QUOTE) return fail(text, pos, 'where a key was expected');
        const keyStart = pos + 1;
        const keyEnd = skipString(text, pos);
        if (keyEnd < 0) return why;
        const field = fieldOf(text, keyStart, keyEnd - 1, escaped);
        pos = skipSpace(text, keyEnd);
        if (text.charCodeAt(pos) !== COLON) return fail(text, pos, "where ':' was expected");
        pos = skipSpace(text, pos + 1);
        const valueStart = pos;
        const c = text.charCodeAt(pos);
        let kind: ValueKind;
        if (c === QUOTE) {
          pos = skipString(text, pos);
          kind = escaped ? ESCAPED_STRING : STRING;
        } else if (c === MINUS || (c >= ZERO && c <= NINE)) {
          pos = skipNumber(text, pos);
          kind = NUMBER;
        } else {
          kind = kindAt(text, pos);
          pos = skipValue(text, pos);
        }
        if (pos < 0) return why;
        if (field >= 0) {
          kinds[field] = kind;
          starts[field] = valueStart;
          ends[field] = pos;
        }
        pos = skipSpace(text, pos);
        const next = text.charCodeAt(pos);
        if (next === CLOSE_BRACE) {
          pos += 1;
          break;
        }
        if (next !== COMMA) return fail(text, pos, "where ',' or '}' was expected");
        pos = skipSpace(text, pos + 1);
      }
    }
    pos = skipSpace(text, pos);
    if (pos !== text.length) return fail(text, pos, 'after the object');
    return undefined;
  };
  return { kinds, starts, ends, read };
}

/** The value of a string field (its escapes decoded). */
export function stringValue(text: string, spans: FieldSpans, field: number): string {
  const start = spans.starts[field]!, end = spans.ends[field]!;
  return spans.kinds[field] === ESCAPED_STRING ? (JSON.parse(text.slice(start, end)) as string) : text.slice(start + 1, end - 1);
}

/** The text of a field's value, exactly as the message has it. */
export function rawValue(text: string, spans: FieldSpans, field: number): string {
  return text.slice(spans.starts[field], spans.ends[field]);
}

/**
 * The spans (start, end) of the elements of the array value of `field`, in a text `read` has
 * checked (so nothing here can fail).
 */
export function arrayElements(text: string, spans: FieldSpans, field: number): [number, number][] {
  const elements: [number, number][] = [];
  let pos = skipSpace(text, spans.starts[field]! + 1);
  if (text.charCodeAt(pos) === CLOSE_BRACKET) return elements;
  plain = !ESCAPE_OR_CONTROL.test(text);
  for (;;) {
    const start = pos;
    pos = skipValue(text, pos);
    if (pos < 0) return elements; // not reached: the text was read
    elements.push([start, pos]);
    pos = skipSpace(text, pos);
    if (text.charCodeAt(pos) !== COMMA) return elements;
    pos = skipSpace(text, pos + 1);
  }
}

/** Characters of a culprit quoted in a reason, at most. */
export const MAX_CULPRIT = 60;

/**
 * The text from `start` to `end`, as it stands, for a reject reason: one line (white space
 * between tokens becomes a space, invisible characters are shown escaped), cut to {@link MAX_CULPRIT}.
 */
export function culprit(text: string, start: number, end: number): string {
  const cut = end - start > MAX_CULPRIT;
  let shown = text.slice(start, cut ? start + MAX_CULPRIT - 3 : end);
  const last = shown.charCodeAt(shown.length - 1);
  if (cut && last >= 0xd800 && last <= 0xdbff) shown = shown.slice(0, -1); // never half a character
  shown = shown.replace(/[\t\n\r]/g, ' ').replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return cut ? `${shown}...` : shown;
}

/** A field's value quoted for a reason: {@link culprit}, or "nothing" when the field is absent. */
export function culpritOf(text: string, spans: FieldSpans, field: number): string {
  return spans.kinds[field] === ABSENT ? 'nothing' : culprit(text, spans.starts[field]!, spans.ends[field]!);
}

// The states of the walk through nested values.
const AFTER_VALUE = 0, VALUE = 1, FIRST_IN_ARRAY = 2, FIRST_IN_OBJECT = 3, KEY = 4;

// The last failure's reason, and whether the last string read had escapes: set by the readers
// below, read right after them (single-threaded and synchronous, so never seen half-made).
let why = '';
let escaped = false;
let plain = false;
const ESCAPE_OR_CONTROL = /[\u0000-\u001f\\]/;
let stack = new Uint8Array(64);

/** Notes why the text is not JSON at `pos`; returns the reason. */
function fail(text: string, pos: number, where: string): string {
  if (why !== '') return why;
  why = pos >= text.length
    ? 'not valid JSON: the message ends before the JSON is complete'
    : `not valid JSON: unexpected ${describeChar(text, pos)} at character ${pos + 1}, ${where}`;
  return why;
}

function skipSpace(text: string, pos: number): number {
  for (let c = text.charCodeAt(pos); c === SPACE || c === NEWLINE || c === RETURN || c === TAB; c = text.charCodeAt(++pos));
  return pos;
}

/** The kind of the value starting at `pos` (by its first character; checked when it is skipped). */
function kindAt(text: string, pos: number): ValueKind {
  switch (text.charCodeAt(pos)) {
    case OPEN_BRACE:
      return OBJECT;
    case OPEN_BRACKET:
      return ARRAY;
    case 116:
      return TRUE;
    case 102:
      return FALSE;
    case 110:
      return NULL;
    case QUOTE:
      return STRING;
    default:
      return NUMBER;
  }
}

/** Skips a string token (at its opening quote); the position after it, or -1 (and `why`). */
function skipString(text: string, pos: number): number {
  pos += 1;
  escaped = false;
  if (plain) {
    const end = text.indexOf('"', pos);
    if (end >= 0) return end + 1;
    fail(text, text.length, 'inside a string');
    return -1;
  }
  for (;;) {
    const c = text.charCodeAt(pos);
    if (c === QUOTE) return pos + 1;
    if (c === BACKSLASH) {
      escaped = true;
      const next = text.charCodeAt(pos + 1);
      if (next === 117 /* u */) {
        if (!isHex(text.charCodeAt(pos + 2)) || !isHex(text.charCodeAt(pos + 3)) || !isHex(text.charCodeAt(pos + 4)) || !isHex(text.charCodeAt(pos + 5))) {
          fail(text, pos, 'in a \\u escape, which needs four hex digits');
          return -1;
        }
        pos += 6;
      } else if (next === QUOTE || next === BACKSLASH || next === 47 || next === 98 || next === 102 || next === 110 || next === 114 || next === 116) {
        pos += 2;
      } else {
        fail(text, pos + 1, 'after a backslash in a string');
        return -1;
      }
    } else if (c >= SPACE) {
      pos += 1;
    } else {
      // The end (NaN) or a control character, which JSON allows only escaped.
      fail(text, pos, 'inside a string (control characters must be escaped)');
      return -1;
    }
  }
}

/** Skips a number token: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`; -1 when it is not one. */
function skipNumber(text: string, pos: number): number {
  if (text.charCodeAt(pos) === MINUS) pos += 1;
  let c = text.charCodeAt(pos);
  if (c === ZERO) {
    pos += 1;
  } else if (c > ZERO && c <= NINE) {
    do c = text.charCodeAt(++pos);
    while (c >= ZERO && c <= NINE);
  } else {
    fail(text, pos, 'where a digit was expected');
    return -1;
  }
  if (text.charCodeAt(pos) === DOT) {
    pos += 1;
    if (!isDigit(text.charCodeAt(pos))) {
      fail(text, pos, 'where a digit was expected after the decimal point');
      return -1;
    }
    while (isDigit(text.charCodeAt(pos))) pos += 1;
  }
  c = text.charCodeAt(pos);
  if (c === LOWER_E || c === UPPER_E) {
    pos += 1;
    c = text.charCodeAt(pos);
    if (c === PLUS || c === MINUS) pos += 1;
    if (!isDigit(text.charCodeAt(pos))) {
      fail(text, pos, 'where a digit of the exponent was expected');
      return -1;
    }
    while (isDigit(text.charCodeAt(pos))) pos += 1;
  }
  return pos;
}

/** Skips one value of any kind and depth, without recursion; the position after it, or -1. */
function skipValue(text: string, pos: number): number {
  let depth = 0;
  let state = VALUE;
  for (;;) {
    pos = skipSpace(text, pos);
    const c = text.charCodeAt(pos);
    switch (state) {
      case FIRST_IN_ARRAY:
        if (c === CLOSE_BRACKET) {
          pos += 1;
          depth -= 1;
          state = AFTER_VALUE;
          break;
        }
        state = VALUE;
        continue; // the first element, at the same position
      case VALUE:
        if (c === OPEN_BRACKET || c === OPEN_BRACE) {
          if (depth === stack.length) {
            const grown = new Uint8Array(depth * 2);
            grown.set(stack);
            stack = grown;
          }
          stack[depth++] = c;
          pos += 1;
          state = c === OPEN_BRACKET ? FIRST_IN_ARRAY : FIRST_IN_OBJECT;
          break;
        }
        if (c === QUOTE) pos = skipString(text, pos);
        else if (c === MINUS || (c >= ZERO && c <= NINE)) pos = skipNumber(text, pos);
        else if (c === 116 && text.startsWith('true', pos)) pos += 4;
        else if (c === 102 && text.startsWith('false', pos)) pos += 5;
        else if (c === 110 && text.startsWith('null', pos)) pos += 4;
        else pos = (fail(text, pos, 'where a value was expected'), -1);
        if (pos < 0) return -1;
        state = AFTER_VALUE;
        break;
      case FIRST_IN_OBJECT:
        if (c === CLOSE_BRACE) {
          pos += 1;
          depth -= 1;
          state = AFTER_VALUE;
          break;
        }
        state = KEY;
        continue; // the first key, at the same position
      case KEY:
        if (c !== QUOTE) {
          fail(text, pos, 'where a key was expected');
          return -1;
        }
        pos = skipString(text, pos);
        if (pos < 0) return -1;
        pos = skipSpace(text, pos);
        if (text.charCodeAt(pos) !== COLON) {
          fail(text, pos, "where ':' was expected");
          return -1;
        }
        pos += 1;
        state = VALUE;
        break;
      default: {
        // AFTER_VALUE
        if (depth === 0) return pos;
        const open = stack[depth - 1];
        if (c === COMMA) {
          pos += 1;
          state = open === OPEN_BRACKET ? VALUE : KEY;
        } else if (c === (open === OPEN_BRACKET ? CLOSE_BRACKET : CLOSE_BRACE)) {
          pos += 1;
          depth -= 1;
        } else {
          fail(text, pos, open === OPEN_BRACKET ? "where ',' or ']' was expected" : "where ',' or '}' was expected");
          return -1;
        }
      }
    }
  }
}

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

function isHex(c: number): boolean {
  return (c >= ZERO && c <= NINE) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** A character for a reason: itself in quotes when visible, else its code point. */
function describeChar(text: string, pos: number): string {
  const point = text.codePointAt(pos) ?? 0;
  if (point === BYTE_ORDER_MARK) return 'byte order mark (U+FEFF)';
  const char = String.fromCodePoint(point);
  if (/[\p{Cc}\p{Cf}\p{Z}]/u.test(char) && char !== ' ') return `U+${point.toString(16).toUpperCase().padStart(4, '0')}`;
  return `'${char}'`;
}
