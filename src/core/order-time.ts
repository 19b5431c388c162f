/** The wall-clock timestamps of orders: `yyyy-MM-dd HH:mm:ss`, compared as the SQL compares them. */

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Seconds since 0001-01-01 of a valid `yyyy-MM-dd HH:mm:ss` (a real calendar date, hours < 24),
 * as a plain number that orders like the text; undefined when the text is not such a timestamp.
 */
export function parseTimestamp(text: string): number | undefined {
  // Character arithmetic rather than a regex: this runs twice for every order.
  if (text.length !== 19 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 32) return undefined;
  if (text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return undefined;
  const year = digits(text, 0, 4), month = digits(text, 5, 2), day = digits(text, 8, 2);
  const hour = digits(text, 11, 2), minute = digits(text, 14, 2), second = digits(text, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
    return undefined;
  }
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (DAYS_IN_MONTH[month - 1] ?? 0) + (leap ? 1 : 0)) return undefined;
  // Monotonic in the text, which is all dedupe needs: a month is "31 days" here.
  return ((((year * 12 + month) * 31 + day) * 24 + hour) * 60 + minute) * 60 + second;
}

/** The number written by `length` ASCII digits from `start`, or -1 when one is not a digit. */
function digits(text: string, start: number, length: number): number {
  let value = 0;
  for (let i = start; i < start + length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** The second of the day (0..86399) of a valid timestamp text. */
export function secondOfDay(timestamp: string): number {
  return (
    ((timestamp.charCodeAt(11) - 48) * 10 + timestamp.charCodeAt(12) - 48) * 3600 +
    ((timestamp.charCodeAt(14) - 48) * 10 + timestamp.charCodeAt(15) - 48) * 60 +
    (timestamp.charCodeAt(17) - 48) * 10 +
    timestamp.charCodeAt(18) -
    48
  );
}

/** The `yyyy-MM-dd` day of a valid timestamp text. */
export function dayOf(timestamp: string): string {
  return timestamp.slice(0, 10);
}

/** The timestamp text of a second of a day. */
export function timestampAt(day: string, second: number): string {
  const hh = Math.floor(second / 3600), mm = Math.floor(second / 60) % 60, ss = second % 60;
  return `${day} ${two(hh)}:${two(mm)}:${two(ss)}`;
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
